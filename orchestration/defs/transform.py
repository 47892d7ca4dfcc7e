"""dbt models as Dagster assets; dbt tests become asset checks (errors block children)."""

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DBT_PROJECT_DIR, DUCKDB_POOL, dbt_executable, warehouse_path


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


@cache
def dbt_project() -> DbtProject:
    """The dbt project, parsed once so a manifest exists before the assets are defined."""
    warehouse_path()  # exports PULSE_WAREHOUSE for the profile
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if _manifest_is_stale(project.manifest_path):
        dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project


def _manifest_is_stale(manifest: Path) -> bool:
    """True when a model, macro, seed or project file changed after the manifest was parsed,
    so the assets never describe a project other than the one dbt will build."""
    if not manifest.exists():
        return True
    parsed = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests", "snapshots"):
        sources.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > parsed for p in sources)


def dbt_cli() -> DbtCliResource:
    """The dbt CLI resource, pinned to this virtualenv's ``dbt``."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )


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
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """``dbt build``: models and their tests in dependency order, so a failing test stops
    the models built on it. Unit tests check the SQL, not the data: CI runs them
    (tests/dbt), production runs skip them, as dbt recommends."""
    with warehouse.slot("dbt build", context.log.info):
        args = ["build", "--exclude-resource-type", "unit_test"]
        yield from dbt.cli(args, context=context).stream()
