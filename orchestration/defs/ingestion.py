"""dlt sources as Dagster assets: one asset per raw table, keyed ``[dataset, table]``.

The keys equal the dbt sources' keys (see ``transform.PulseDbtTranslator``), so Dagster draws
lineage from each API table to the marts built on it.
"""

from collections.abc import Iterator
from typing import Any

import dlt
from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.meta import meta_source
from orchestration.settings import DUCKDB_POOL, dlt_pipelines_dir, warehouse_path

META_DATASET = "raw_meta"

# The source built at definition time only describes the tables; the one that runs is built
# in the asset body, so a missing token fails the run with a clear message instead of
# breaking the whole code location at load.
_SPEC_ONLY = "resolved-at-run-time"


class PulseDltTranslator(DagsterDltTranslator):
    """``[dataset, table]`` keys, no phantom upstream assets, one group per source."""

    def __init__(self, dataset: str, group: str) -> None:
        self.dataset = dataset
        self.group = group

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        table = data.resource.table_name
        table = table if isinstance(table, str) else data.resource.name
        return spec.replace_attributes(
            key=AssetKey([self.dataset, table]), deps=[], group_name=self.group
        )


def meta_pipeline() -> dlt.Pipeline:
    """The Meta pipeline, writing dataset ``raw_meta`` into the warehouse file."""
    return dlt.pipeline(
        pipeline_name="meta",
        destination=dlt.destinations.duckdb(str(warehouse_path())),
        dataset_name=META_DATASET,
        pipelines_dir=str(dlt_pipelines_dir()),
        progress=dlt.progress.log(dump_system_stats=False),
    )


@dlt_assets(
    dlt_source=meta_source(access_token=_SPEC_ONLY, pseudonymisation_key=_SPEC_ONLY),
    dlt_pipeline=meta_pipeline(),
    name="meta_graph_api",
    dagster_dlt_translator=PulseDltTranslator(META_DATASET, "ingestion_meta"),
    pool=DUCKDB_POOL,
)
def meta_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
    """Facebook Pages and Instagram accounts of every brand in the registry."""
    yield from dlt.run(context=context, dlt_source=meta_source(), dlt_pipeline=meta_pipeline())
