"""The Dagster code location: loadable the ways users load it, wired the way the docs say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, AssetSpec

from orchestration.definitions import defs
from orchestration.settings import DUCKDB_POOL, PROJECT_ROOT

BIN = Path(sys.executable).parent


def _graph():
    return defs.resolve_asset_graph()


def test_every_dbt_source_is_fed_by_a_dlt_asset() -> None:
    """Lineage from API to mart: each raw table a staging model reads is loaded by a dlt
    asset, or (a child table, the quarantine) written by the dlt assets it depends on."""
    graph = _graph()
    staging = [k for k in graph.get_all_asset_keys() if k.path[0] == "staging"]
    assert staging
    for key in staging:
        for parent in graph.get(key).parent_keys:
            if not parent.path[0].startswith("raw_"):
                continue
            node = graph.get(parent)
            writers = [node] if node.is_materializable else [graph.get(p) for p in node.parent_keys]
            assert writers, f"{parent} feeds {key} but no asset loads it"
            assert all(w.is_materializable for w in writers), f"{parent}: {writers}"


def test_marts_reach_back_to_the_api() -> None:
    graph = _graph()
    upstream = graph.upstream_key_iterator(AssetKey(["marts", "fct_post_performance"]))
    assert AssetKey(["raw_meta", "facebook_posts"]) in set(upstream)
    published = graph.get(AssetKey(["published", "marts"]))
    assert {k.path[0] for k in published.parent_keys} == {"marts"}


def test_steps_that_hold_the_warehouse_are_in_the_duckdb_pool_and_sources_are_not() -> None:
    """DuckDB admits one process per file: the steps that keep it open for their whole life
    (dbt, GX, enrichment, publication) share one pool; the sources extract in parallel and
    take the writer slot only to read their state and load (tests/orchestration/
    test_writer_lock.py)."""
    from orchestration.definitions import SOURCE_ASSETS

    sources = {a.node_def.name for a in SOURCE_ASSETS.values()}
    nodes = [a for a in defs.assets or [] if not isinstance(a, AssetSpec)]
    nodes += list(defs.asset_checks or [])
    for node in nodes:
        expected = None if node.node_def.name in sources else DUCKDB_POOL
        assert node.node_def.pool == expected, node.node_def.name


@pytest.mark.parametrize("job_name", ["refresh_everything", "transform_and_publish"])
def test_blocking_gx_suites_gate_dbt(job_name: str) -> None:
    """Both jobs run the blocking raw-table suites before the dbt step (not after it)."""
    job = defs.resolve_job_def(job_name)
    upstream = {
        h.node_name
        for h in job.graph.dependency_structure.all_upstream_outputs_from_node("dbt_models")
    }
    assert any(name.endswith("gx_raw_meta_facebook_posts") for name in upstream), upstream


def test_daily_schedule_rebuilds_the_marts() -> None:
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "30 6 * * *"
    assert schedule.job_name == "transform_and_publish"


def test_each_source_has_its_own_group_job_and_schedule() -> None:
    from ingestion.catalogue import SOURCES

    graph = _graph()
    groups = {
        graph.get(k).group_name
        for k in graph.get_all_asset_keys()
        if graph.get(k).is_materializable
    }
    for source in SOURCES:
        assert source.group in groups
        schedule = defs.resolve_schedule_def(f"ingest_{source.name}_schedule")
        assert schedule.job_name == f"ingest_{source.name}"
        job = defs.resolve_job_def(f"ingest_{source.name}")
        keys = {k for k in job.asset_layer.executable_asset_keys}
        assert keys and all(k.path[0] == source.dataset for k in keys), keys


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        [str(BIN / "dg"), "check", "defs"],
    ],
    ids=["workspace.yaml", "dg"],
)
def test_code_location_loads_from_the_cli(command: list[str]) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(PROJECT_ROOT / "dagster_home")}
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
