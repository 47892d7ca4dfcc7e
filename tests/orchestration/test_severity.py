"""Severity is explicit (docs/orchestration.md, "Which checks block"): every asset check of the
code location is blocking or a warning by the written rule, and a failing blocking check stops
the marts and their publication in the run the ``daily_refresh`` schedule requests, not only
in ``make demo``.

The rule's oracle is not the checks' own flags: dbt tests are classified from the severity the
dbt project gives them (the manifest dbt parsed), GX suites from their role (a contract or a
raw-table gate blocks; a ``_plausibility`` suite warns), the rest by family.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    build_schedule_context,
)

from orchestration.dbt_project import dbt_project
from orchestration.definitions import defs
from orchestration.defs.warehouse import Warehouse
from tests.dbt.conftest import make_warehouse

# Families that describe a source or an event, never a wrong row: warnings by the rule.
REPORTING_FAMILIES = ("freshness", "schema_drift", "new_reputation_alerts")
REPORTING_PREFIXES = ("completeness_",)


def _dbt_test_severities() -> dict[str, str]:
    """Each dbt test's name and the severity the project gives it (``dbt parse``'s manifest)."""
    manifest = json.loads(Path(dbt_project().manifest_path).read_text())
    return {
        node["name"]: str(node["config"]["severity"]).lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }


def blocking_by_rule(key: AssetCheckKey, dbt_severity: dict[str, str]) -> bool:
    """The rule of docs/orchestration.md, written independently of the checks' flags."""
    name = key.name
    if name.startswith("gx_"):
        return not name.endswith("_plausibility")  # contracts and raw gates block
    if name in REPORTING_FAMILIES or name.startswith(REPORTING_PREFIXES):
        return False
    if name in dbt_severity:
        return dbt_severity[name] == "error"  # dbt build skips the children of a failed error
    raise AssertionError(f"{key.to_user_string()}: no family of the severity rule covers it")


def test_every_check_is_classified_by_the_rule() -> None:
    graph = defs.resolve_asset_graph()
    severities = _dbt_test_severities()
    keys = graph.asset_check_keys
    assert len(keys) > 600  # the dbt tests, GX suites, freshness, drift, completeness, alerts
    blocking = {k for k in keys if graph.get_check_spec(k).blocking}
    by_rule = {k for k in keys if blocking_by_rule(k, severities)}
    assert sorted(map(str, blocking - by_rule)) == [], "blocking, but the rule says warning"
    assert sorted(map(str, by_rule - blocking)) == [], "the rule says blocking, the check warns"
    # both kinds exist in each family that has them
    assert {k.name for k in keys if k.name.startswith("gx_raw_")} <= {k.name for k in blocking}
    assert any(severities[k.name] == "warn" for k in keys if k.name in severities)


# --- a scheduled run stops at a failing blocking check ---------------------------------------

POSTS_CHECK = AssetCheckKey(AssetKey(["raw_meta", "facebook_posts"]), "gx_raw_meta_facebook_posts")
PUBLISHED = AssetKey(["published", "marts"])
# The fixture's enrichment table has no primary key; the enrichment asset creates its own.
FRESH_ENRICHMENT = "drop table enrichment.text_sentiment;"
# A raw post loaded twice: the raw suite's unique(post_id) fails, a blocking check.
DUPLICATE_POST = (
    "insert into raw_meta.facebook_posts select * from raw_meta.facebook_posts limit 1;"
)


def _scheduled_run(tmp_path: Path, extra_sql: str):
    """Evaluate the ``daily_refresh`` schedule and execute the run it requests, in process,
    with the code location's definitions pointed at a fixture warehouse."""
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", FRESH_ENRICHMENT + extra_sql)
    resources = {
        **(defs.resources or {}),
        "warehouse": Warehouse(path=str(warehouse), published=str(tmp_path / "published.duckdb")),
    }
    fixture = Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        schedules=defs.schedules,
        sensors=defs.sensors,
        resources=resources,
    )
    schedule = fixture.resolve_schedule_def("daily_refresh")
    instance = DagsterInstance.ephemeral()
    (request,) = schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests
    job = fixture.resolve_job_def(schedule.job_name)
    result = job.execute_in_process(
        run_config=request.run_config, tags=request.tags, instance=instance, raise_on_error=False
    )
    return result, tmp_path / "published.duckdb"


def _materialised(result) -> set[AssetKey]:
    return {
        e.asset_key
        for e in result.all_events
        if e.event_type == DagsterEventType.ASSET_MATERIALIZATION
    }


def _steps(result, kind: DagsterEventType) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type == kind}


def test_a_failing_blocking_raw_suite_stops_the_scheduled_build(tmp_path: Path) -> None:
    result, published = _scheduled_run(tmp_path, DUPLICATE_POST)
    evaluations = {e.asset_check_key: e for e in result.get_asset_check_evaluations()}
    assert evaluations[POSTS_CHECK].passed is False  # the data failed it, not an exception
    failed = [f["expectation"] for f in evaluations[POSTS_CHECK].metadata["failed"].value]
    assert failed == ["ExpectColumnValuesToBeUnique(post_id)"]
    # the other raw gates ran and passed: only the planted row stopped the build
    for other in ("facebook_post_insights", "instagram_media"):
        key = AssetCheckKey(AssetKey(["raw_meta", other]), f"gx_raw_meta_{other}")
        assert evaluations[key].passed is True, key
    assert not result.success
    # the one failed step is the check; the dbt step, in the job's plan, never started
    assert _steps(result, DagsterEventType.STEP_FAILURE) == {
        "raw_meta__facebook_posts_" + POSTS_CHECK.name
    }
    assert "dbt_models" in {node.name for node in result.job_def.nodes}
    assert "dbt_models" not in _steps(result, DagsterEventType.STEP_START)
    materialised = _materialised(result)
    assert not {k for k in materialised if k.path[0] in ("staging", "intermediate", "marts")}
    assert PUBLISHED not in materialised and not published.exists()
    # what the blocking check does not guard still ran: the enrichment of the raw texts
    assert AssetKey(["enrichment", "text_sentiment"]) in materialised


@pytest.mark.long
def test_the_same_scheduled_run_publishes_when_the_raw_rows_are_good(tmp_path: Path) -> None:
    """The contrast (1.5 to 4 min on 2 busy cores): without the planted row the same run
    passes the raw gates, builds the marts and publishes them."""
    result, published = _scheduled_run(tmp_path, "")
    evaluations = {e.asset_check_key: e for e in result.get_asset_check_evaluations()}
    assert evaluations[POSTS_CHECK].passed is True
    assert "dbt_models" in _steps(result, DagsterEventType.STEP_SUCCESS)
    materialised = _materialised(result)
    assert AssetKey(["marts", "fct_post_performance"]) in materialised
    assert PUBLISHED in materialised and published.exists()
