"""On-call alerts: a failed run or a failed check posts one compact message to the webhook.

The same channel as the reputation alerts (``orchestration.defs.alerts.AlertWebhook``: the URL
comes from ``PULSE_ALERT_WEBHOOK_URL``, nothing is posted without it, and no log shows it).

* ``run_failure_alerts`` (Dagster's run-failure sensor, once per failed run): the job, the
  assets it was building, the step that failed and the first line of its error, a link to the
  run in the UI (``PULSE_DAGSTER_URL``, default ``http://localhost:3000``).
* ``check_failure_alerts`` reads the asset-check evaluations recorded since its cursor and
  posts the checks that *start* failing: a check already failing at the previous evaluation
  (a stale source checked every hour) is not posted again until it has passed once. The
  reputation alerts check is left to its own sensor.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Self

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    EventRecordsFilter,
    RunFailureSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from orchestration.defs.alerts import CHECK_NAME as REPUTATION_CHECK
from orchestration.defs.alerts import AlertWebhook, redact

UI_ENV = "PULSE_DAGSTER_URL"
CAUSE_CHARS = 200
BATCH = 500


def run_url(run_id: str) -> str:
    """The run's page in the Dagster UI."""
    return f"{os.environ.get(UI_ENV, 'http://localhost:3000').rstrip('/')}/runs/{run_id}"


def one_line(text: str | None) -> str:
    """The first non-empty line of an error, cut short (the rest is in the run's logs)."""
    line = next((x.strip() for x in (text or "").splitlines() if x.strip()), "no message")
    return line if len(line) <= CAUSE_CHARS else line[: CAUSE_CHARS - 1] + "…"


def _send(webhook: AlertWebhook, payload: dict[str, Any], log: Any) -> None:
    url = webhook.url()
    if url is None:
        log.info(f"{payload['text']} ({webhook.url_env} unset: not posted)")
        return
    webhook.post(payload)
    log.info(f"posted to {redact(url)}: {payload['text']}")


def run_failure_message(context: RunFailureSensorContext) -> dict[str, Any]:
    """The compact message of one failed run."""
    run = context.dagster_run
    steps = context.get_step_failure_events()
    step = steps[0].step_key if steps else None
    error = steps[0].step_failure_data.error if steps else None
    while error is not None and error.cause is not None:  # Dagster wraps the op's own error
        error = error.cause
    cause = one_line(error.message if error else context.failure_event.message)
    assets = sorted("/".join(k.path) for k in run.asset_selection or ())
    return {
        "text": f"Run failed: {run.job_name} ({step or 'run'}): {cause}",
        "kind": "run_failure",
        "run_id": run.run_id,
        "job": run.job_name,
        "step": step,
        "assets": assets,
        "cause": cause,
        "url": run_url(run.run_id),
    }


@run_failure_sensor(
    name="run_failure_alerts",
    default_status=DefaultSensorStatus.RUNNING,
    description="A failed run posts one message (job, step, cause, link) to the alert webhook.",
)
def run_failure_alerts(context: RunFailureSensorContext, alert_webhook: AlertWebhook) -> None:
    _send(alert_webhook, run_failure_message(context), context.log)


@dataclass
class CheckCursor:
    """The last evaluation read and the checks failing at their latest evaluation."""

    after: int = 0
    failing: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, raw: str | None) -> Self:
        data = json.loads(raw) if raw else {}
        return cls(data.get("after", 0), set(data.get("failing", [])))

    def dump(self) -> str:
        return json.dumps({"after": self.after, "failing": sorted(self.failing)})


def check_message(evaluation: Any, run_id: str) -> dict[str, Any]:
    """The compact message of one check that started failing."""
    asset = "/".join(evaluation.asset_key.path)
    severity = evaluation.severity.value if evaluation.severity else "ERROR"
    cause = one_line(evaluation.description)
    return {
        "text": f"Check failed ({severity}): {asset} {evaluation.check_name}: {cause}",
        "kind": "check_failure",
        "run_id": run_id or None,
        "asset": asset,
        "check": evaluation.check_name,
        "severity": severity,
        "cause": cause,
        "url": run_url(run_id) if run_id else None,
    }


def new_failures(context: SensorEvaluationContext, cursor: CheckCursor) -> list[dict[str, Any]]:
    """Messages for the checks that started failing since the cursor; the cursor moves on."""
    records = context.instance.get_event_records(
        EventRecordsFilter(
            DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=cursor.after or None
        ),
        ascending=True,
        limit=BATCH,
    )
    messages = []
    for record in records:
        cursor.after = record.storage_id
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.check_name == REPUTATION_CHECK:
            continue
        key = f"{'/'.join(evaluation.asset_key.path)}:{evaluation.check_name}"
        if evaluation.passed:
            cursor.failing.discard(key)
        elif key not in cursor.failing:
            cursor.failing.add(key)
            messages.append(check_message(evaluation, record.event_log_entry.run_id))
    return messages


@sensor(
    name="check_failure_alerts",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="A check that starts failing posts one message to the alert webhook, once.",
)
def check_failure_alerts(
    context: SensorEvaluationContext, alert_webhook: AlertWebhook
) -> SensorResult | SkipReason:
    cursor = CheckCursor.load(context.cursor)
    messages = new_failures(context, cursor)
    for payload in messages:
        _send(alert_webhook, payload, context.log)
    if not messages:
        return SensorResult(skip_reason="no check started failing", cursor=cursor.dump())
    return SensorResult(cursor=cursor.dump())


FAILURE_SENSORS = [run_failure_alerts, check_failure_alerts]
