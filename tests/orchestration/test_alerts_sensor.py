"""The reputation alert sensor against a local webhook receiver (127.0.0.1): one new alert is
one message and one failed warning check; nothing is posted without a URL; an alert is never
sent twice, across ticks or rebuilds; no message, log, cursor or error holds the URL's secret.

Each tick is the sensor of ``orchestration.definitions`` evaluated in process on an ephemeral
Dagster instance, after a publication of the marts recorded on that instance.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetMaterialization,
    AssetSelection,
    DagsterInstance,
    SensorResult,
    SkipReason,
    build_sensor_context,
    materialize,
)

from orchestration.definitions import defs
from orchestration.defs.alerts import (
    ALERTS_ASSET,
    CHECK_NAME,
    PUBLISHED_ASSET,
    AlertWebhook,
    new_reputation_alerts,
    redact,
    reputation_alerts_sensor,
)
from orchestration.defs.warehouse import Warehouse
from tests.webhook_receiver import SECRET, Receiver, receiving

ENV = "TEST_PULSE_ALERT_WEBHOOK_URL"
PARAMS = ", ".join("?" * 10)
# mart_reputation_alerts rows: key, brand, type, date, channel, metric, value, baseline,
# threshold, details.
CRISIS = ("crisis:maison-lumiere:2025-11-25", "maison-lumiere", "crisis", date(2025, 11, 25), None, "negative_volume", 45.0, 0.96, 4.14, "negative_volume=45")  # fmt: skip  # noqa: E501
BURST = ("sla_breach_burst:velo-vert:comment:2025-11-27", "velo-vert", "sla_breach_burst", date(2025, 11, 27), "comment", "sla_breach_share", 0.9, 0.4, 0.7, "sla_breaches=9")  # fmt: skip  # noqa: E501


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as state:
        yield state


@dataclass
class Ticks:
    """Publications and sensor ticks on one ephemeral instance, the cursor carried along."""

    tmp: Path
    instance: DagsterInstance
    cursor: str | None = None

    @property
    def published(self) -> Path:
        return self.tmp / "published.duckdb"

    def publish(self, *alerts: tuple) -> None:
        """Write the alerts as the published mart and record a publication."""
        with duckdb.connect(str(self.published)) as con:
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.mart_reputation_alerts (alert_key varchar, "
                "brand_id varchar, alert_type varchar, alert_date date, channel varchar, "
                "metric varchar, value double, baseline double, threshold double, details varchar)"
            )
            for row in alerts:
                con.execute(f"insert into marts.mart_reputation_alerts values ({PARAMS})", row)
        self.instance.report_runless_asset_event(AssetMaterialization(PUBLISHED_ASSET))

    def tick(self) -> SensorResult | SkipReason:
        warehouse = Warehouse(
            path=str(self.tmp / "warehouse.duckdb"), published=str(self.published)
        )
        context = build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            resources={"warehouse": warehouse, "alert_webhook": AlertWebhook(url_env=ENV)},
        )
        result = reputation_alerts_sensor(context)
        if isinstance(result, SensorResult) and result.cursor is not None:
            self.cursor = result.cursor
        return result


@pytest.fixture
def ticks(tmp_path: Path) -> Iterator[Ticks]:
    with DagsterInstance.ephemeral() as instance:
        yield Ticks(tmp_path, instance)


def _evaluations(result: SensorResult | SkipReason) -> list:
    return list(result.asset_events) if isinstance(result, SensorResult) else []


def test_one_new_alert_is_one_message_and_one_failed_warning(
    ticks: Ticks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, receiver.url)
    ticks.publish(CRISIS)
    result = ticks.tick()
    assert len(receiver.messages) == 1
    (sent,) = receiver.messages
    assert receiver.paths == [f"/services/{SECRET}"]
    assert "1 new reputation alert" in sent["text"]
    assert "crisis maison-lumiere on 2025-11-25: negative_volume 45 > 4.14" in sent["text"]
    assert [a["alert_key"] for a in sent["alerts"]] == [CRISIS[0]]
    assert sent["alerts"][0]["alert_date"] == "2025-11-25"
    (evaluation,) = _evaluations(result)
    assert evaluation.asset_check_key == AssetCheckKey(ALERTS_ASSET, CHECK_NAME)
    assert evaluation.passed is False
    assert evaluation.severity == AssetCheckSeverity.WARN
    assert evaluation.metadata["new_alerts"].value == 1


def test_an_alert_is_sent_once_across_ticks_and_rebuilds(
    ticks: Ticks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, receiver.url)
    ticks.publish(CRISIS)
    ticks.tick()
    assert isinstance(ticks.tick(), SkipReason)  # the same publication: nothing to read
    ticks.publish(CRISIS)  # a rebuild still holding the alert
    assert _evaluations(ticks.tick()) == []
    assert len(receiver.messages) == 1
    ticks.publish(CRISIS, BURST)  # a new alert beside the old one
    (evaluation,) = _evaluations(ticks.tick())
    assert evaluation.metadata["new_alerts"].value == 1
    assert len(receiver.messages) == 2
    assert [a["alert_key"] for a in receiver.messages[1]["alerts"]] == [BURST[0]]


def test_nothing_is_posted_without_a_url(
    ticks: Ticks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    ticks.publish(CRISIS)
    (evaluation,) = _evaluations(ticks.tick())  # still visible in Dagster
    assert evaluation.passed is False
    monkeypatch.setenv(ENV, receiver.url)
    ticks.publish(CRISIS)
    ticks.tick()
    assert receiver.messages == []  # reported once already: not sent later either


def test_no_secret_in_message_logs_cursor_or_errors(
    ticks: Ticks,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV, receiver.url)
    receiver.status = 500
    ticks.publish(CRISIS)
    with pytest.raises(RuntimeError, match="answered HTTP 500") as failed:  # fails in the UI ...
        ticks.tick()
    assert SECRET not in str(failed.value) and "127.0.0.1" in str(failed.value)
    assert ticks.cursor is None  # ... and keeps nothing, so the next tick retries
    receiver.status = 200
    result = ticks.tick()
    assert len(receiver.messages) == 2
    logs = "".join(capfd.readouterr())  # the sensor's log goes to the console
    assert "posted 1 new alerts to http://127.0.0.1/…" in logs
    seen = [logs, json.dumps(receiver.messages), ticks.cursor or ""]
    seen += [str(e.metadata) + str(e.description) for e in _evaluations(result)]
    assert not [s for s in seen if SECRET in s or receiver.url in s]
    assert redact(receiver.url) == "http://127.0.0.1/…"


def test_an_unreachable_webhook_fails_without_the_secret(
    ticks: Ticks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, f"http://127.0.0.1:9/services/{SECRET}")  # discard port: refused
    ticks.publish(CRISIS)
    with pytest.raises(RuntimeError, match="unreachable") as failed:
        ticks.tick()
    assert SECRET not in str(failed.value)


def test_the_sensor_check_and_webhook_are_in_the_code_location() -> None:
    assert defs.resolve_sensor_def("reputation_alerts_sensor").name == "reputation_alerts_sensor"
    assert AssetCheckKey(ALERTS_ASSET, CHECK_NAME) in defs.resolve_asset_graph().asset_check_keys
    webhook = defs.resources["alert_webhook"]
    assert isinstance(webhook, AlertWebhook) and webhook.url_env == "PULSE_ALERT_WEBHOOK_URL"


def test_the_check_passes_in_the_run_with_the_alert_count(tmp_path: Path) -> None:
    """In the run that rebuilds the mart the check is green; the sensor turns it amber."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_reputation_alerts as select 'k' as alert_key, "
                    "'b' as brand_id, 'crisis' as alert_type, date '2025-11-25' as alert_date, "
                    "null::varchar as channel, 'negative_volume' as metric, 9.0 as value, "
                    "1.0 as baseline, 4.0 as threshold, '' as details")  # fmt: skip
    result = materialize(
        [new_reputation_alerts],
        selection=AssetSelection.checks(new_reputation_alerts),
        resources={"warehouse": Warehouse(path=str(warehouse), published=str(tmp_path / "p"))},
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert evaluation.metadata["alerts"].value == 1
