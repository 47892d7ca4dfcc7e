"""Fast unit tests of the GA4 source: the classifier, offset paging and row types."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests

from ingestion.ga4 import helpers as h
from ingestion.http import Answer, SourceAuthError
from ingestion.quarantine import InvalidRecord


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


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-12-01", "'date' is not YYYYMMDD: '2025-12-01'"),
        ("20250230", "'date' is not a calendar date: '20250230'"),
        (20251201, "'date' is not YYYYMMDD: 20251201"),
        (["20251201"], "'date' is not YYYYMMDD: ['20251201']"),  # unhashable: still a reason
    ],
)
def test_a_bad_date_is_refused_every_time(value: Any, reason: str) -> None:
    headers = [{"name": "sessions", "type": "TYPE_INTEGER"}]
    row = {"dimensionValues": [{"value": value}], "metricValues": [{"value": "1"}]}
    for _ in range(2):  # the days are cached: a refusal is not
        with pytest.raises(InvalidRecord) as refused:
            h.row_record(row, ["date"], headers)
        assert str(refused.value) == reason
    good = {"dimensionValues": [{"value": "20240229"}], "metricValues": [{"value": "1"}]}
    assert h.row_record(good, ["date"], headers)["date"] == date(2024, 2, 29)


def test_report_meta_keeps_any_page_s_flag_and_dates_in_the_property_zone() -> None:
    meta = h.ReportMeta()
    other = {"dimensionValues": [{"value": "20251201"}, {"value": "(other)"}]}
    plain = {"dimensionValues": [{"value": "20251201"}, {"value": "google"}]}
    meta.add(
        {
            "rowCount": 3,
            "rows": [plain, other],
            "metadata": {"timeZone": "America/Los_Angeles", "dataLossFromOtherRow": True},
        }
    )
    meta.add({"rowCount": 3, "rows": [plain], "metadata": {"timeZone": "America/Los_Angeles"}})
    assert meta.data_loss_from_other_row and meta.other_rows == 1 and meta.row_count == 3
    assert not meta.subject_to_thresholding and not meta.sampled
    # 2025-12-01 05:00 UTC is still 30 November in Los Angeles (UTC-8).
    assert meta.local_date(datetime(2025, 12, 1, 5, tzinfo=UTC)) == datetime(2025, 11, 30).date()
    meta.time_zone = "Not/AZone"
    assert meta.local_date(datetime(2025, 12, 1, 5, tzinfo=UTC)) == datetime(2025, 12, 1).date()
