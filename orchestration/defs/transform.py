"""dbt models as Dagster assets; dbt tests become asset checks (errors block children)."""

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt_project import dbt_project
from orchestration.defs.automation import FOLLOW_UPSTREAMS
from orchestration.defs.dbt_reports import build_events, generate_dbt_docs
from orchestration.defs.freshness import FRESHNESS, mart_policy
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL, PRODUCTION_BUILD


class PulseDbtTranslator(DagsterDbtTranslator):
    """Keys are ``[schema, name]``: a dbt source on ``raw_meta.facebook_posts`` gets the key
    of the dlt asset that loads that table, which is what connects lineage from API to mart."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return f"dbt_{dbt_resource_props.get('schema') or 'main'}"

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> AssetSpec:
        """A mart carries the marts' freshness policy (``config/freshness.yaml``); every model
        follows its upstreams (``defs.automation``); seeds change with the code only."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("model."):
            spec = spec.replace_attributes(automation_condition=FOLLOW_UPSTREAMS)
        return _MART_POLICY(spec) if spec.key.path[0] == "marts" else spec


_MART_POLICY = mart_policy(FRESHNESS)


class DbtBuild(Config):
    """Run config of the dbt step (Launchpad: ``ops: {dbt_models: {config: ...}}``)."""

    full_refresh: bool = False
    """Rebuild the incremental models whole: needed after a backfill (a new brand, account,
    site or source), a seed or rules change, or a change to a restatement var
    (docs/performance.md, "The contract")."""

    backfill_start: str | None = None
    """First day (ISO date) of a backfill: every incremental model restates from that day
    (less its own look-back) to the latest data, in this one dbt invocation (dbt var
    ``backfill_start``, dbt_project/macros/restatement.sql). Unset: the usual windows."""

    def dbt_args(self, warehouse: Warehouse) -> list[str]:
        """The flags of this build: the warehouse and backfill vars, ``--full-refresh``."""
        extra = {}
        if self.backfill_start:  # a date, or a ValueError before dbt starts
            extra["backfill_start"] = date.fromisoformat(self.backfill_start).isoformat()
        args = warehouse.dbt_vars(**extra)
        return [*args, "--full-refresh"] if self.full_refresh else args


# Source tests stay dbt tests (dbt build runs them first) rather than Dagster checks on the raw
# assets: a check on a raw asset owned by the dbt step removes the edge that makes the blocking
# GX suites on the raw tables run before dbt (measured with dagster 1.13.27).
TRANSLATOR = PulseDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=False
    )
)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=TRANSLATOR,
    pool=DUCKDB_POOL,
)
def dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: DbtBuild
) -> Iterator[Any]:
    """``dbt build`` (``PRODUCTION_BUILD``: no unit tests): models and their tests in
    dependency order, so a failing test stops the models built on it. The warehouse file goes
    to the profile as a dbt variable, for this invocation only."""
    with warehouse.slot("dbt build", context.log.info):
        args = [*PRODUCTION_BUILD, *config.dbt_args(warehouse)]
        build = dbt.cli(args, context=context)
        yield from build_events(build, warehouse)  # row counts, links to the docs
        generate_dbt_docs(dbt, warehouse, context.log.info, build)  # still in the writer slot
