"""Transforms follow their upstreams (docs/orchestration.md, "Automation"), and every schedule
and sensor of the code location ticks without error.

The automation test starts from a warehouse where everything was built once and every check
passed (reported on an ephemeral instance, no run), reports a new load of one raw table, and
evaluates the automation conditions as the daemon's sensor would. The expected set is computed
from the dbt manifest (the models that select from the table, and theirs), not from Dagster.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    AssetMaterialization,
    DagsterInstance,
    SensorDefinition,
    build_schedule_context,
    build_sensor_context,
    evaluate_automation_conditions,
)

from orchestration.dbt_project import dbt_project
from orchestration.definitions import defs

TRUSTPILOT_REVIEWS = AssetKey(["raw_trustpilot", "reviews"])
BLOCKING_RAW_POSTS = AssetKey(["raw_meta", "facebook_posts"])
SENTIMENT = AssetKey(["enrichment", "text_sentiment"])


def _downstream_models(source: str, table: str) -> set[AssetKey]:
    """The dbt models that read ``source.table``, directly or through other models: read from
    the manifest's child map, keyed ``[schema, name]`` as the project names its relations."""
    manifest = json.loads(Path(dbt_project().manifest_path).read_text())
    (source_id,) = [
        uid
        for uid, node in manifest["sources"].items()
        if node["source_name"] == source and node["name"] == table
    ]
    found: set[str] = set()
    todo = [source_id]
    while todo:
        for child in manifest["child_map"][todo.pop()]:
            if child.startswith("model.") and child not in found:
                found.add(child)
                todo.append(child)
    nodes = manifest["nodes"]
    return {AssetKey([nodes[uid]["schema"], nodes[uid]["name"]]) for uid in found}


def _built_once(instance: DagsterInstance) -> None:
    """Every asset materialised once and every check passed, as after a good daily run."""
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        instance.report_runless_asset_event(AssetMaterialization(key))
    for check in graph.asset_check_keys:
        instance.report_runless_asset_event(
            AssetCheckEvaluation(asset_key=check.asset_key, check_name=check.name, passed=True)
        )


def _requested_after_a_load_of(key: AssetKey, fail_check: str | None = None) -> set[AssetKey]:
    with DagsterInstance.ephemeral() as instance:
        _built_once(instance)
        first = evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0  # nothing changed since the build
        instance.report_runless_asset_event(AssetMaterialization(key))
        if fail_check:
            instance.report_runless_asset_event(
                AssetCheckEvaluation(asset_key=key, check_name=fail_check, passed=False)
            )
        second = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        keys = defs.resolve_asset_graph().get_all_asset_keys()
        return {k for k in keys if second.get_num_requested(k) > 0}


def test_a_trustpilot_load_refreshes_its_models_and_nothing_else() -> None:
    # the dbt models on the reviews, and the text enrichment, which scores the review texts
    # (docs/sentiment.md), with the models on its scores
    expected = _downstream_models("trustpilot", "reviews") | {SENTIMENT}
    expected |= _downstream_models("enrichment", "text_sentiment")
    assert AssetKey(["staging", "stg_trustpilot__reviews"]) in expected
    assert any(k.path[0] == "marts" for k in expected)
    requested = _requested_after_a_load_of(TRUSTPILOT_REVIEWS)
    assert requested == expected
    assert AssetKey(["marts", "fct_post_performance"]) not in requested  # an unrelated mart


def test_a_raw_table_whose_blocking_suite_failed_refreshes_nothing() -> None:
    requested = _requested_after_a_load_of(BLOCKING_RAW_POSTS, "gx_raw_meta_facebook_posts")
    assert requested == set()
    # the contrast: the same load with its suite passed refreshes the Facebook models
    passed = _requested_after_a_load_of(BLOCKING_RAW_POSTS)
    assert passed == _downstream_models("meta", "facebook_posts")


def test_the_automation_sensor_is_on_by_default() -> None:
    sensor = defs.resolve_sensor_def("dbt_follows_upstreams")
    assert sensor.default_status.value == "RUNNING"


# --- every schedule and sensor ticks ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(s.name for s in defs.schedules or []))
def test_each_schedule_ticks(name: str) -> None:
    schedule = defs.resolve_schedule_def(name)
    with DagsterInstance.ephemeral() as instance:
        data = schedule.evaluate_tick(build_schedule_context(instance=instance))
    (request,) = data.run_requests
    assert defs.resolve_job_def(schedule.job_name)  # the job it starts exists
    assert request.run_config is not None


@pytest.mark.parametrize(
    "name", sorted(s.name for s in defs.sensors or [] if s.name != "dbt_follows_upstreams")
)
def test_each_sensor_ticks(name: str) -> None:
    sensor = defs.resolve_sensor_def(name)
    assert isinstance(sensor, SensorDefinition)
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, definitions=defs, resources=defs.resources
        )
        data = sensor.evaluate_tick(context)
    # an empty instance: nothing failed, no alert to send, nothing to run
    assert list(data.run_requests or []) == []
