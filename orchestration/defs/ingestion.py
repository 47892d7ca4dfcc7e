"""dlt sources as Dagster assets: one asset per raw table, keyed ``[dataset, table]``.

The keys equal the dbt sources' keys (see ``transform.PulseDbtTranslator``), so Dagster draws
lineage from each API table to the marts built on it. One multi-asset per source, in the
source's own group, so each can run (and fail) on its own schedule.

A source holds the warehouse only while it loads: its state is read from the warehouse and its
rows are loaded under the writer slot (``orchestration.writer_lock``), while extraction and
normalisation, the slow part (HTTP, rate limits), run outside it. Sources therefore extract in
parallel, and one source waiting on its rate limit delays no other source's load and no build.

A long backfill runs in windows (``ingestion.windows``): each window is a whole extract, then
load, so a late failure keeps the windows before it; every window takes the slot only to read
the state and to load. The run stops at the source's deadline (``run_deadline_s``).
"""

import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import dlt
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.common.pipeline import LoadInfo

from ingestion.catalogue import SOURCES, Source
from ingestion.windows import limits_of, run_in_windows
from orchestration.defs.reports import table_row_counts
from orchestration.defs.warehouse import Warehouse
from privacy.erasure_list import honour_erasures
from pulse_config.duckdb_resources import duckdb_destination
from pulse_config.registry import NO_BRANDS, RegistryError, load_registry

logger = logging.getLogger(__name__)


class PulseDltTranslator(DagsterDltTranslator):
    """``[dataset, table]`` keys, no phantom upstream assets, one group per source, and the
    DuckDB destination named without a pipeline (see ``build_source_assets``)."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        table = data.resource.table_name
        table = table if isinstance(table, str) else data.resource.name
        return spec.replace_attributes(
            key=AssetKey([self.source.dataset, table]),
            deps=[],
            group_name=self.source.group,
            kinds={"dlt", "duckdb"},
            metadata={**spec.metadata, "dagster/storage_kind": "duckdb"},
        )


def pipeline_for(source: Source, warehouse: Warehouse) -> dlt.Pipeline:
    """The dlt pipeline of ``source``, writing its dataset into ``warehouse``'s file and
    keeping its state in the warehouse's pipelines folder."""
    return dlt.pipeline(
        pipeline_name=source.name,
        destination=duckdb_destination(warehouse.file),
        dataset_name=source.dataset,
        pipelines_dir=str(warehouse.pipelines_dir),
        progress=dlt.progress.log(dump_system_stats=False),
    )


def described_over() -> dict[str, str]:
    """The factory keywords the definitions describe the sources' tables with. A broken brand
    registry must fail the runs that read it (each source's body loads it, with the registry's
    own message), not the code location: its tables are then described over no brand at all,
    and the problem is logged once, without a traceback."""
    try:
        load_registry()
    except RegistryError as error:
        logger.warning("%s\nevery ingestion run fails with this until it is fixed", error)
        return {"registry_path": NO_BRANDS}
    return {}


def build_source_assets(source: Source, describe: dict[str, str] | None = None) -> AssetsDefinition:
    """The assets of one source. The dlt source built here only describes its tables (the
    factories need no secret to be built); the one that runs is built in the asset body, so
    a missing token fails that source's run with a clear message, not the code location.
    What ``@dlt_assets`` does, without its pipeline: the pipeline (where the warehouse is)
    is built in the body from the ``warehouse`` resource, never when the code loads."""
    factory = source.factory
    translator = PulseDltTranslator(source)
    specs = [
        translator.get_asset_spec(DltResourceTranslatorData(resource=r, pipeline=None))
        for r in factory(**(describe or {})).selected_resources.values()
    ]

    @multi_asset(specs=specs, name=f"{source.name}_source", can_subset=True)
    def _assets(
        context: AssetExecutionContext, dlt: DagsterDltResource, warehouse: Warehouse
    ) -> Iterator[Any]:
        dlt_source, pipeline = factory(), pipeline_for(source, warehouse)  # describes the tables
        resources = {
            translator.get_asset_spec(
                DltResourceTranslatorData(resource=r, pipeline=pipeline)
            ).key: r
            for r in dlt_source.selected_resources.values()
        }
        if context.is_subset:
            resources = {k: r for k, r in resources.items() if k in context.selected_asset_keys}
        names = [r.name for r in resources.values()]
        rows: Counter[str] = Counter()

        def run_window(pending: set[str] | None) -> LoadInfo:
            """One window: a fresh source (only the resources with days left after the first
            window), extracted outside the writer slot and loaded under it."""
            chosen = [n for n in names if pending is None or n in pending]
            window_source = factory().with_resources(*chosen)
            info = extract_then_load(context, source, window_source, pipeline, warehouse)
            normalised = pipeline.last_trace and pipeline.last_trace.last_normalize_info
            rows.update(normalised.row_counts if normalised else {})
            return info

        infos = run_in_windows(source.name, run_window, limits_of(source.name), context.log.info)
        with warehouse.slot(f"{source.name}: count rows", context.log.info):
            totals = table_row_counts(warehouse, source.dataset, [k.path[-1] for k in resources])
        for key, resource in resources.items():
            metadata = dict(dlt.extract_resource_metadata(context, resource, infos[-1], pipeline))
            if len(infos) > 1 and rows.get(key.path[-1]):  # every window's rows, not the last's
                metadata["rows_loaded"] = MetadataValue.int(rows[key.path[-1]])
            metadata.setdefault("rows_loaded", MetadataValue.int(0))  # dlt omits a zero
            if key.path[-1] in totals:  # the table's rows after this load, not only its new ones
                metadata["dagster/row_count"] = MetadataValue.int(totals[key.path[-1]])
            yield MaterializeResult(asset_key=key, metadata=metadata)

    _assets.__doc__ = source.description
    return _assets


def extract_then_load(
    context: AssetExecutionContext,
    source: Source,
    dlt_source: Any,
    pipeline: dlt.Pipeline,
    warehouse: Warehouse,
) -> LoadInfo:
    """Run ``pipeline`` with only its reads and its load inside the writer slot.

    Local state is dropped and restored from the warehouse first (as dagster-dlt does), so a
    package left by a killed run is never loaded twice and the cursors are those of the last
    successful load.
    """
    log = context.log.info
    with warehouse.slot(f"{source.name}: read state", log):
        warehouse.check_environment()  # sandbox rows never land in production's file
        pipeline.drop()
        pipeline.sync_destination()
        dlt_source = honour_erasures(dlt_source, source.name, warehouse.file)  # GDPR Art. 17
    started = time.monotonic()
    pipeline.extract(dlt_source)
    pipeline.normalize()
    extracted = time.monotonic() - started
    with warehouse.slot(f"{source.name}: load {source.dataset}", log) as waited:
        started = time.monotonic()
        info = pipeline.load()
    info.raise_on_failed_jobs()
    log(
        f"{source.name}: extracted and normalised in {extracted:.1f} s outside the writer "
        f"slot, waited {waited:.1f} s for it, loaded in {time.monotonic() - started:.1f} s"
    )
    return info


def child_table_specs(source: Source, assets: AssetsDefinition) -> list[AssetSpec]:
    """Tables a resource writes beside its own (a visit's conversions; the quarantine every
    resource writes to): Dagster has one asset per resource, so these are declared as
    written by the assets of those resources, which keeps lineage unbroken."""
    own = [k for k in assets.keys if k.path[-1] != "quarantine"]
    tables: dict[str, list[AssetKey]] = {}
    for table, resource in source.child_tables:  # a table may have several writers
        tables.setdefault(table, []).append(AssetKey([source.dataset, resource]))
    return [
        AssetSpec(
            key=AssetKey([source.dataset, table]),
            deps=writers,
            group_name=source.group,
            description=f"Written by {', '.join(w.path[-1] for w in writers)} of {source.name}.",
            kinds={"dlt", "duckdb"},
        )
        for table, writers in [*tables.items(), ("quarantine", own)]
    ]


_DESCRIBE = described_over()
SOURCE_ASSETS: dict[str, AssetsDefinition] = {
    s.name: build_source_assets(s, _DESCRIBE) for s in SOURCES
}
CHILD_TABLES: list[AssetSpec] = [
    spec for s in SOURCES for spec in child_table_specs(s, SOURCE_ASSETS[s.name])
]
