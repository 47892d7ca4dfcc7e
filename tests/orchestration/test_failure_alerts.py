"""On-call alerts (issue 15, point 2): a failed run and a check that starts failing each post
one compact JSON message to a local Slack-compatible receiver; nothing is posted without a URL;
a check still failing is not posted again until it has passed.

Oracles: the job, step, error and check below are planted here; the expected messages are
written by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from orchestration.definitions import defs
from orchestration.defs.alerts import AlertWebhook
from orchestration.defs.failure_alerts import check_failure_alerts, run_failure_alerts
from tests.webhook_receiver import Receiver, receiving

ENV = "PULSE_TEST_FAILURE_WEBHOOK"
RAW = AssetKey(["raw_x", "posts"])


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with receiving() as state:
        monkeypatch.setenv(ENV, state.url)
        monkeypatch.setenv("PULSE_DAGSTER_URL", "http://dagster.example:3000/")
        yield state


@op
def load_x() -> None:
    raise RuntimeError("x: account 42: HTTP 401 Unauthorized\nTraceback (most recent call last)")


@job
def ingest_x_like() -> None:
    load_x()


def test_the_sensors_are_in_the_code_location() -> None:
    names = {s.name for s in defs.sensors or []}
    assert {"run_failure_alerts", "check_failure_alerts", "reputation_alerts_sensor"} <= names


def test_a_failed_run_posts_one_compact_message(receiver: Receiver) -> None:
    with DagsterInstance.ephemeral() as instance:
        result = ingest_x_like.execute_in_process(instance=instance, raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        failure = next(
            e for e in result.all_events if e.event_type == DagsterEventType.PIPELINE_FAILURE
        )
        context = build_run_status_sensor_context(
            sensor_name="run_failure_alerts",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
            resources={"alert_webhook": AlertWebhook(url_env=ENV)},
        ).for_run_failure()
        run_failure_alerts(context)
    assert receiver.messages == [
        {
            "text": "Run failed: ingest_x_like (load_x): RuntimeError: x: account 42: HTTP 401 "
            "Unauthorized",
            "kind": "run_failure",
            "run_id": result.run_id,
            "job": "ingest_x_like",
            "step": "load_x",
            "assets": [],
            "cause": "RuntimeError: x: account 42: HTTP 401 Unauthorized",
            "url": f"http://dagster.example:3000/runs/{result.run_id}",
        }
    ]


def evaluate(instance: DagsterInstance, passed: bool) -> None:
    instance.report_runless_asset_event(
        AssetCheckEvaluation(
            asset_key=RAW,
            check_name="freshness",
            passed=passed,
            severity=AssetCheckSeverity.ERROR,
            description="raw_x.posts: stale, newest record fetched 9.0 h ago\nmore detail",
        )
    )


def test_a_check_that_starts_failing_is_posted_once(receiver: Receiver) -> None:
    with DagsterInstance.ephemeral() as instance:
        cursor = None

        def tick() -> None:
            nonlocal cursor
            context = build_sensor_context(
                instance=instance,
                cursor=cursor,
                resources={"alert_webhook": AlertWebhook(url_env=ENV)},
            )
            cursor = check_failure_alerts(context).cursor

        evaluate(instance, passed=False)
        tick()
        evaluate(instance, passed=False)  # still failing an hour later: not posted again
        tick()
        tick()  # nothing new
        evaluate(instance, passed=True)
        evaluate(instance, passed=False)  # failing again after a pass: posted
        tick()
    expected = {
        "text": "Check failed (ERROR): raw_x/posts freshness: raw_x.posts: stale, newest record "
        "fetched 9.0 h ago",
        "kind": "check_failure",
        "run_id": None,
        "asset": "raw_x/posts",
        "check": "freshness",
        "severity": "ERROR",
        "cause": "raw_x.posts: stale, newest record fetched 9.0 h ago",
        "url": None,
    }
    assert receiver.messages == [expected, expected]


def test_nothing_is_posted_without_a_url(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV)
    with DagsterInstance.ephemeral() as instance:
        evaluate(instance, passed=False)
        context = build_sensor_context(
            instance=instance, resources={"alert_webhook": AlertWebhook(url_env=ENV)}
        )
        check_failure_alerts(context)
    assert receiver.messages == []
