"""Reputation alerts: each new row of ``marts.mart_reputation_alerts`` becomes a visible alert
in Dagster and one webhook message, once.

After each publication of the marts (the ``published/marts`` asset, which follows every mart
of the run), ``reputation_alerts_sensor`` reads the alerts from the published copy (readers
never open the warehouse: a reader there blocks the writer) and compares their ``alert_key``
(stable across rebuilds) with the keys its cursor holds. New alerts:

* fail the warning check ``new_reputation_alerts`` of the mart (a runless check evaluation
  listing them), so they show on the asset in the UI;
* are posted as ONE compact Slack-compatible message (``{"text": ..., "alerts": [...]}``) to
  the URL held by the environment variable ``PULSE_ALERT_WEBHOOK_URL`` (the resource
  ``alert_webhook`` names the variable, never the URL, so no config or log shows the secret).
  Without the variable nothing is posted.

Their keys then join the cursor, so an alert is never reported or sent twice. A failed post
raises: the tick fails in the UI, the cursor is unchanged and the next tick tries again.
"""

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Self
from urllib.parse import urlsplit

import duckdb
from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    ConfigurableResource,
    DefaultSensorStatus,
    MetadataValue,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset_check,
    sensor,
)

from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL
from pulse_config.duckdb_resources import connect

ALERTS_ASSET = AssetKey(["marts", "mart_reputation_alerts"])
PUBLISHED_ASSET = AssetKey(["published", "marts"])
CHECK_NAME = "new_reputation_alerts"
WEBHOOK_ENV = "PULSE_ALERT_WEBHOOK_URL"
LISTED = 10
"""At most this many alerts are spelled out in one message (the rest are counted)."""

COLUMNS = (
    "alert_key, brand_id, alert_type, alert_date, channel, metric, value, baseline, threshold, "
    "details"
)


def redact(url: str) -> str:
    """The URL without its secret: a webhook URL's path and query are its credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


class AlertWebhook(ConfigurableResource):
    """Where alert messages go. ``url_env`` names the environment variable holding the URL,
    read at send time: Dagster's config and UI show the variable's name, never the URL."""

    url_env: str = WEBHOOK_ENV
    timeout_s: float = 10.0

    def url(self) -> str | None:
        """The webhook URL, or None when the variable is unset or empty (nothing is posted)."""
        return os.environ.get(self.url_env) or None

    def post(self, payload: dict[str, Any]) -> None:
        """POST ``payload`` as JSON; raise without the URL's secret on any failure."""
        url = self.url()
        if url is None:
            raise RuntimeError(f"{self.url_env} is not set")
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            reason = type(getattr(error, "reason", error)).__name__
            raise RuntimeError(f"webhook {redact(url)} unreachable ({reason})") from None
        if not 200 <= status < 300:
            raise RuntimeError(f"webhook {redact(url)} answered HTTP {status}")


@dataclass(frozen=True)
class Alert:
    """One row of mart_reputation_alerts."""

    alert_key: str
    brand_id: str
    alert_type: str
    alert_date: date
    channel: str | None
    metric: str
    value: float
    baseline: float | None
    threshold: float
    details: str = ""

    def line(self) -> str:
        """One line of the message: what, who, when, and the figure against its threshold."""
        where = f" ({self.channel})" if self.channel else ""
        return (
            f"{self.alert_type} {self.brand_id}{where} on {self.alert_date:%Y-%m-%d}: "
            f"{self.metric} {self.value:g} > {self.threshold:.3g}"
        )

    def fields(self) -> dict[str, Any]:
        """The alert as JSON-ready fields."""
        out = asdict(self)
        out["alert_date"] = self.alert_date.isoformat()
        return out


def read_alerts(connect: Callable[[], duckdb.DuckDBPyConnection]) -> list[Alert]:
    """Every alert of the mart, oldest first (an empty list before the mart exists)."""
    con = connect()
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'mart_reputation_alerts'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        rows = con.execute(
            f"select {COLUMNS} from marts.mart_reputation_alerts order by alert_date, alert_key"
        ).fetchall()
    finally:
        con.close()
    return [Alert(*row) for row in rows]


def message(alerts: list[Alert]) -> dict[str, Any]:
    """One Slack-compatible message for ``alerts``: ``text`` (mrkdwn) plus the fields."""
    noun = "alert" if len(alerts) == 1 else "alerts"
    lines = [f":rotating_light: Community Pulse: {len(alerts)} new reputation {noun}"]
    lines += [f"• {a.line()}" for a in alerts[:LISTED]]
    if len(alerts) > LISTED:
        lines.append(f"… and {len(alerts) - LISTED} more (mart_reputation_alerts)")
    return {"text": "\n".join(lines), "alerts": [a.fields() for a in alerts[:LISTED]]}


@dataclass
class Cursor:
    """The sensor's memory: the last publication seen and every alert key already reported."""

    event: int = 0
    sent: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, raw: str | None) -> Self:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(event=int(data["event"]), sent=set(data["sent"]))

    def dump(self) -> str:
        return json.dumps({"event": self.event, "sent": sorted(self.sent)})


def _evaluation(alerts: Iterable[Alert]) -> AssetCheckEvaluation:
    """The failed warning check listing the new alerts, shown on the mart in the UI."""
    listed = [a.line() for a in alerts]
    return AssetCheckEvaluation(
        asset_key=ALERTS_ASSET,
        check_name=CHECK_NAME,
        passed=False,
        severity=AssetCheckSeverity.WARN,
        description=f"{len(listed)} new reputation alert(s)",
        metadata={"new_alerts": len(listed), "alerts": MetadataValue.json(listed)},
    )


@asset_check(
    asset=ALERTS_ASSET,
    name=CHECK_NAME,
    blocking=False,
    pool=DUCKDB_POOL,
    description=(
        "Reputation alerts: passes in the run that rebuilds the mart (with the alert count); "
        "reputation_alerts_sensor marks it failed (warning) when a new alert appears."
    ),
)
def new_reputation_alerts(
    context: AssetCheckExecutionContext, warehouse: Warehouse
) -> AssetCheckResult:
    """Reset to green on each rebuild; the sensor reports what is new after publication."""
    with warehouse.slot(f"check {CHECK_NAME}", context.log.info):
        alerts = read_alerts(warehouse.connect)
    context.log.info(f"{len(alerts)} alerts in the mart")
    latest = alerts[-1].alert_date.isoformat() if alerts else "none"
    return AssetCheckResult(
        passed=True,
        severity=AssetCheckSeverity.WARN,
        metadata={"alerts": len(alerts), "latest_alert_date": latest},
    )


@sensor(
    name="reputation_alerts_sensor",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "After each publication of the marts: new rows of mart_reputation_alerts fail the "
        f"warning check {CHECK_NAME} and are posted once to ${WEBHOOK_ENV} (if set)."
    ),
)
def reputation_alerts_sensor(
    context: SensorEvaluationContext, warehouse: Warehouse, alert_webhook: AlertWebhook
) -> SensorResult | SkipReason:
    """Report the alerts of the latest publication whose keys the cursor does not hold."""
    cursor = Cursor.load(context.cursor)
    records = context.instance.fetch_materializations(PUBLISHED_ASSET, limit=1).records
    if not records or records[0].storage_id <= cursor.event:
        return SkipReason("no new publication of the marts")
    try:
        alerts = read_alerts(lambda: connect(warehouse.published_file, read_only=True))
    except duckdb.Error as error:  # being replaced, or not there yet: next tick
        return SkipReason(f"published marts unreadable: {type(error).__name__}")
    new = [a for a in alerts if a.alert_key not in cursor.sent]
    cursor.event = records[0].storage_id
    if not new:
        return SensorResult(skip_reason="no new reputation alert", cursor=cursor.dump())
    url = alert_webhook.url()
    if url is None:
        context.log.info(f"{len(new)} new alerts; {alert_webhook.url_env} unset: not posted")
    else:
        alert_webhook.post(message(new))
        context.log.info(f"posted {len(new)} new alerts to {redact(url)}")
    cursor.sent.update(a.alert_key for a in new)
    return SensorResult(asset_events=[_evaluation(new)], cursor=cursor.dump())


ALERT_CHECKS = [new_reputation_alerts]
ALERT_SENSORS = [reputation_alerts_sensor]
ALERT_RESOURCES = {"alert_webhook": AlertWebhook()}
