"""dlt sources as Dagster assets: one asset per raw table, keyed ``[dataset, table]``.

The keys equal the dbt sources' keys (see ``transform.PulseDbtTranslator``), so Dagster draws
lineage from each API table to the marts built on it. One ``@dlt_assets`` per source, in the
source's own group, so each can run (and fail) on its own schedule.
"""

from collections.abc import Iterator
from typing import Any

import dlt
from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from orchestration.settings import DUCKDB_POOL, dlt_pipelines_dir, warehouse_path
from orchestration.sources import SOURCES, Source


class PulseDltTranslator(DagsterDltTranslator):
    """``[dataset, table]`` keys, no phantom upstream assets, one group per source."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        table = data.resource.table_name
        table = table if isinstance(table, str) else data.resource.name
        return spec.replace_attributes(
            key=AssetKey([self.source.dataset, table]), deps=[], group_name=self.source.group
        )


def pipeline_for(source: Source) -> dlt.Pipeline:
    """The dlt pipeline of ``source``, writing its dataset into the warehouse file."""
    return dlt.pipeline(
        pipeline_name=source.name,
        destination=dlt.destinations.duckdb(str(warehouse_path())),
        dataset_name=source.dataset,
        pipelines_dir=str(dlt_pipelines_dir()),
        progress=dlt.progress.log(dump_system_stats=False),
    )


def build_source_assets(source: Source) -> AssetsDefinition:
    """The assets of one source. The dlt source built here only describes its tables (the
    factories need no secret to be built); the one that runs is built in the asset body, so
    a missing token fails that source's run with a clear message, not the code location."""
    factory = source.factory()

    @dlt_assets(
        dlt_source=factory(),
        dlt_pipeline=pipeline_for(source),
        name=f"{source.name}_source",
        dagster_dlt_translator=PulseDltTranslator(source),
        pool=DUCKDB_POOL,
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        yield from dlt.run(context=context, dlt_source=factory(), dlt_pipeline=pipeline_for(source))

    _assets.__doc__ = source.description
    return _assets


def child_table_specs(source: Source, assets: AssetsDefinition) -> list[AssetSpec]:
    """Tables a resource writes beside its own (a visit's conversions; the quarantine every
    resource writes to): Dagster has one asset per resource, so these are declared as
    written by the assets of those resources, which keeps lineage unbroken."""
    own = [k for k in assets.keys if k.path[-1] != "quarantine"]
    tables = [(t, [AssetKey([source.dataset, r])]) for t, r in source.child_tables]
    return [
        AssetSpec(
            key=AssetKey([source.dataset, table]),
            deps=writers,
            group_name=source.group,
            description=f"Written by {', '.join(w.path[-1] for w in writers)} of {source.name}.",
            kinds={"dlt", "duckdb"},
        )
        for table, writers in [*tables, ("quarantine", own)]
    ]


SOURCE_ASSETS: dict[str, AssetsDefinition] = {s.name: build_source_assets(s) for s in SOURCES}
CHILD_TABLES: list[AssetSpec] = [
    spec for s in SOURCES for spec in child_table_specs(s, SOURCE_ASSETS[s.name])
]
