"""The GA4 source against the sandbox (ground truth: the ga4 manifest) and unit tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.ga4 import ga4_source
from ingestion.ga4 import helpers as h
from ingestion.http import Answer, SourceAuthError
from sandbox.server import run_in_thread
from sandbox.world.manifest import build_manifest
from tests.ga4.support import (
    TODAY,
    advance,
    clean_env,
    has_table,
    make_world,
    patched_json,
    query,
    run,
    set_faults,
)

TOKEN = "sandbox-ga4-token"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def sandbox(world: Path) -> Iterator[str]:
    clean_env()
    with run_in_thread(world, today=TODAY) as url:
        yield url


@pytest.fixture(autouse=True)
def _reset(sandbox: str) -> None:
    requests.post(f"{sandbox}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=5)
    set_faults(sandbox, "off")


def source(url: str, **kw: Any) -> Any:
    return ga4_source(
        access_token=kw.pop("access_token", TOKEN),
        base_url=f"{url}/ga4",
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        max_total_wait_s=10.0,
        **kw,
    )


def loaded(db: Path) -> dict[str, dict[str, Any]]:
    """traffic_daily summed per property and date x source/medium/campaign, like the manifest."""
    out: dict[str, dict[str, Any]] = {}
    for prop, key, sessions, engaged, events, revenue in query(
        db,
        "select property_id, strftime(date, '%Y%m%d') || '|' || session_source || '|' || "
        "session_medium || '|' || session_campaign_name, sum(sessions), sum(engaged_sessions), "
        "sum(key_events), round(sum(total_revenue), 2) from raw_ga4.traffic_daily group by 1, 2",
    ):
        out.setdefault(prop, {})[key] = {
            "sessions": int(sessions),
            "engagedSessions": int(engaged),
            "keyEvents": int(events),
            "totalRevenue": float(revenue),
        }
    return out


def expected(world: Path, day: Any) -> dict[str, dict[str, Any]]:
    props = build_manifest(world, day)["sources"]["ga4"]["properties"]
    return {p: v["rows"] for p, v in props.items()}


def test_full_load_then_same_day_then_next_day(world: Path, sandbox: str, tmp_path: Path) -> None:
    db = run(source(sandbox), tmp_path, "ga4_t", "raw_ga4")
    assert loaded(db) == expected(world, TODAY)
    rows = query(db, "select count(*), sum(sessions) from raw_ga4.traffic_daily")
    runs = query(db, "select property_id, snapshot_date, row_count from raw_ga4.report_runs")
    assert {r[0] for r in runs} == {"410000001", "410000002"}
    assert not has_table(db, "raw_ga4", "quarantine")

    run(source(sandbox), tmp_path, "ga4_t", "raw_ga4")  # same day: nothing new
    assert query(db, "select count(*), sum(sessions) from raw_ga4.traffic_daily") == rows

    advance(sandbox)
    run(source(sandbox), tmp_path, "ga4_t", "raw_ga4")
    assert loaded(db) == expected(world, TODAY + timedelta(days=1))
    # restated days changed, older days untouched (only the window was re-pulled)
    stale = TODAY - timedelta(days=5)
    assert query(
        db,
        f"select count(*) from raw_ga4.traffic_daily where date <= '{stale}' "
        f"and fetched_at > '{TODAY} 23:59:59+00'",
    ) == [(0,)]
    assert len(query(db, "select * from raw_ga4.report_runs")) == 4


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: str, tmp_path: Path
) -> None:
    set_faults(sandbox, "throttle=0.3,server_error=0.1,seed=3")
    db = run(source(sandbox, page_size=400), tmp_path, "ga4_th", "raw_ga4")
    set_faults(sandbox, "off")
    assert loaded(db) == expected(world, TODAY)


def test_bad_token_fails_with_the_api_error(sandbox: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        run(source(sandbox, access_token="wrong"), tmp_path, "ga4_bad", "raw_ga4")
    text = str(info.value)
    assert "ga4: account property 410000001" in text
    assert "UNAUTHENTICATED" in text and "invalid authentication credentials" in text


def test_malformed_rows_are_quarantined(world: Path, sandbox: str, tmp_path: Path) -> None:
    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        if "410000001:runReport" in url and body.get("rows"):
            body["rows"][0]["metricValues"][0]["value"] = "n/a"  # sessions: not an integer
            del body["rows"][1]["dimensionValues"][1]  # a missing dimension value
        return body

    with patched_json(mutate):
        db = run(source(sandbox), tmp_path, "ga4_q", "raw_ga4")
    bad = query(db, "select resource, record_id, reason from raw_ga4.quarantine order by 2")
    assert len(bad) == 2 and all(r[0] == "traffic_daily" for r in bad)
    assert any("'sessions' is not an integer" in r[2] for r in bad)
    assert any("expected 7 dimensionValues" in r[2] for r in bad)
    total = sum(v["sessions"] for rows in loaded(db).values() for v in rows.values())
    want = sum(v["sessions"] for rows in expected(world, TODAY).values() for v in rows.values())
    assert total < want  # the two rows are missing from the table, not silently zeroed


def test_source_builds_without_secrets() -> None:
    src = ga4_source(base_url="http://127.0.0.1:1/ga4")
    assert list(src.resources) == ["traffic_daily"]


# --- unit tests ---------------------------------------------------------------------------


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    resp.headers.update(headers or {})
    return resp


def test_classifier() -> None:
    quota = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Exhausted"}}
    v = h.classify(response(429, quota), "1")
    assert v.action == "retry" and v.wait_s is None
    quota["error"]["details"] = [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}
    ]
    assert h.classify(response(429, quota), "1").wait_s == 7.0
    assert h.classify(response(503, {"error": {"status": "UNAVAILABLE"}}), "1").action == "retry"
    assert h.classify(response(200, b'{"rows": [ '), "1").action == "retry"
    bad = h.classify(response(401, {"error": {"status": "UNAUTHENTICATED", "message": "x"}}), "9")
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert "property 9" in str(bad.error)
    denied = {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "no"}}
    assert isinstance(h.classify(response(403, denied), "9").error, SourceAuthError)
    assert h.classify(response(400, {"error": {"status": "INVALID_ARGUMENT"}}), "9").action == (
        "fail"
    )
    assert h.classify(response(200, {"rows": []}), "1").action == "ok"


class FakeClient:
    """Serves ``total`` numbered rows with offset/limit, like runReport."""

    def __init__(self, total: int) -> None:
        self.total, self.offsets = total, []

    def request(self, method: str, path: str, *, account: str, json: dict) -> Answer:
        off, lim = json["offset"], json["limit"]
        self.offsets.append(off)
        rows = [{"n": i} for i in range(off, min(off + lim, self.total))]
        resp = response(200, {"rows": rows, "rowCount": self.total})
        return Answer(resp, datetime(2025, 12, 1, tzinfo=UTC))


def test_offset_paging_reads_every_row_once() -> None:
    client = FakeClient(25)
    got = [
        r["n"]
        for _a, page in h.run_report(client, "1", "2025-11-01", "today", ["date"], ["sessions"], 10)  # type: ignore[arg-type]
        for r in page.get("rows", [])
    ]
    assert got == list(range(25)) and client.offsets == [0, 10, 20]
    empty = FakeClient(0)
    assert len(list(h.run_report(empty, "1", "a", "b", ["date"], ["sessions"], 10))) == 1  # type: ignore[arg-type]


def test_row_record_types() -> None:
    headers = [
        {"name": "sessions", "type": "TYPE_INTEGER"},
        {"name": "totalRevenue", "type": "TYPE_CURRENCY"},
    ]
    rec = h.row_record(
        {
            "dimensionValues": [{"value": "20251201"}, {"value": "google"}],
            "metricValues": [{"value": "12"}, {"value": "45.5"}],
        },
        ["date", "sessionSource"],
        headers,
    )
    assert rec == {
        "date": datetime(2025, 12, 1).date(),
        "session_source": "google",
        "sessions": 12,
        "total_revenue": 45.5,
    }
