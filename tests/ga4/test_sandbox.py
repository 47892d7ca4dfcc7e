"""The emulated runReport against the Data API's published contract.

Oracles: the brand registry (config/brands.yaml) for the property's time zone, the world's own
``web_visits`` table (queried here, with the vendor's rules written out by hand) for the
numbers, and the reference pages cited on each test for the shapes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from pulse_config.registry import load_registry
from tests.sources.support import TODAY, Sandbox, world_rows

PROPERTY = "410000001"
TOKEN = {"Authorization": "Bearer sandbox-ga4-token"}


def run_report(sandbox: Sandbox, body: dict[str, Any], prop: str = PROPERTY) -> requests.Response:
    url = f"{sandbox.vendor('ga4')}/v1beta/properties/{prop}:runReport"
    return requests.post(url, json=body, headers=TOKEN, timeout=60)


def report(sandbox: Sandbox, body: dict[str, Any], prop: str = PROPERTY) -> dict[str, Any]:
    resp = run_report(sandbox, {"limit": 250000, **body}, prop)
    assert resp.status_code == 200, resp.text
    return resp.json()


def cells(data: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    return [
        ([c["value"] for c in r["dimensionValues"]], [c["value"] for c in r["metricValues"]])
        for r in data.get("rows", [])
    ]


def brand_of(world: Path, prop: str) -> str:
    return world_rows(world, "select brand_id from web_sites where ga4_property_id = ?", [prop])[0][
        0
    ]


def sessions_by_day(
    world: Path, prop: str, first: Any, last: Any, clock: date = TODAY
) -> dict[str, int]:
    """Visible sessions per day when the sandbox clock is on ``clock`` (now: 23:59:59 UTC),
    from the world: started by now, lag passed in Paris's calendar (UTC+1 in Nov / Dec, so
    Paris is already on the next day)."""
    now, local_today = f"{clock} 23:59:59", clock + timedelta(days=1)
    rows = world_rows(
        world,
        "select strftime(visit_date, '%Y%m%d'), count(*) from web_visits where brand_id = ? "
        "and started_at <= ? and visit_date + ga4_lag <= ? and visit_date between ? and ? "
        "group by 1",
        [brand_of(world, prop), now, local_today, first, last],
    )
    return {day: int(n) for day, n in rows}


def test_metadata_names_the_property_time_zone_and_currency(world: Path, sandbox: Sandbox) -> None:
    # ResponseMetaData.timeZone: "The property's current timezone"; currencyCode likewise.
    registry = load_registry(None)
    for prop in ("410000001", "410000002"):
        brand = registry.brand_of("ga4", prop)
        tz = next(b.timezone for b in registry.brands if b.brand_id == brand)
        data = report(
            sandbox,
            {
                "dateRanges": [{"startDate": "yesterday", "endDate": "today"}],
                "metrics": [{"name": "sessions"}],
            },
            prop,
        )
        assert data["metadata"]["timeZone"] == tz == "Europe/Paris"
        assert data["metadata"]["currencyCode"] == "EUR"
        assert "dataLossFromOtherRow" not in data["metadata"]
        assert "subjectToThresholding" not in data["metadata"]


def test_today_is_the_property_s_today(world: Path, sandbox: Sandbox) -> None:
    """DateRange: "today" / "NdaysAgo" are "inferred based on the property's reporting time
    zone": at 23:59:59 UTC a Paris property is an hour into the next day."""
    clock = date(2025, 11, 29)  # the small world has sessions in the first Paris hour of 30 Nov
    sandbox.set_today(clock)
    data = report(
        sandbox,
        {
            "dateRanges": [{"startDate": "1daysAgo", "endDate": "today"}],
            "dimensions": [{"name": "date"}],
            "metrics": [{"name": "sessions"}],
        },
    )
    got = {d[0]: int(m[0]) for d, m in cells(data)}
    local_today = clock + timedelta(days=1)
    assert got == sessions_by_day(world, PROPERTY, clock, local_today, clock)
    assert got[local_today.strftime("%Y%m%d")] > 0  # the first hour of the Paris day is there


def test_device_category_values(world: Path, sandbox: Sandbox) -> None:
    # deviceCategory: desktop, mobile, tablet (Data API schema, "The type of device")
    data = report(
        sandbox,
        {
            "dateRanges": [{"startDate": "2025-11-01", "endDate": "2025-11-30"}],
            "dimensions": [{"name": "deviceCategory"}],
            "metrics": [{"name": "sessions"}],
        },
    )
    got = {d[0]: int(m[0]) for d, m in cells(data)}
    rows = world_rows(
        world,
        "select device_type, count(*) from web_visits where brand_id = ? "
        "and visit_date between '2025-11-01' and '2025-11-30' group by 1",
        [brand_of(world, PROPERTY)],
    )
    by_hand = {"Desktop": "desktop", "Smartphone": "mobile", "Tablet": "tablet"}
    assert got == {by_hand[device]: int(n) for device, n in rows}


def test_several_date_ranges_add_a_date_range_dimension(world: Path, sandbox: Sandbox) -> None:
    """runReport: "If multiple date ranges are requested, each response row will contain a
    zero based date range index. If two date ranges overlap, the event data for the
    overlapping days is included in the response rows for both date ranges." Up to 4."""
    ranges = [
        {"startDate": "2025-11-01", "endDate": "2025-11-10"},
        {"startDate": "2025-11-08", "endDate": "2025-11-12"},
        {"startDate": "2025-11-20", "endDate": "2025-11-20", "name": "launch"},
    ]
    data = report(
        sandbox,
        {"dateRanges": ranges, "dimensions": [{"name": "date"}], "metrics": [{"name": "sessions"}]},
    )
    assert [h["name"] for h in data["dimensionHeaders"]] == ["date", "dateRange"]
    got = Counter()
    for (_day, name), (sessions,) in cells(data):
        got[name] += int(sessions)
    truth = sessions_by_day(world, PROPERTY, "2025-11-01", "2025-11-20")
    assert got == {
        "date_range_0": sum(n for d, n in truth.items() if "20251101" <= d <= "20251110"),
        "date_range_1": sum(n for d, n in truth.items() if "20251108" <= d <= "20251112"),
        "launch": truth["20251120"],
    }
    assert data["rowCount"] == 10 + 5 + 1  # the overlap (8-10 Nov) is counted in both ranges
    five = [{"startDate": "2025-11-01", "endDate": "2025-11-02"}] * 5
    resp = run_report(sandbox, {"dateRanges": five, "metrics": [{"name": "sessions"}]})
    assert resp.status_code == 400 and resp.json()["error"]["status"] == "INVALID_ARGUMENT"
    reserved = [{"startDate": "2025-11-01", "endDate": "2025-11-02", "name": "date_range_7"}]
    resp = run_report(sandbox, {"dateRanges": reserved, "metrics": [{"name": "sessions"}]})
    assert resp.status_code == 400


HIGH_CARDINALITY = {
    "dateRanges": [{"startDate": "2025-11-01", "endDate": "2025-11-07"}],
    "dimensions": [{"name": n} for n in ("date", "sessionSource", "landingPage")],
    "metrics": [{"name": "sessions"}, {"name": "totalUsers"}],
}


def test_other_row_folds_the_long_tail_of_a_day(
    world: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the table's row limit GA4 keeps the most common combinations and folds the rest
    into "(other)" (https://support.google.com/analytics/answer/13331292), with
    metadata.dataLossFromOtherRow; no session is lost, only its attribution."""
    monkeypatch.setenv("SANDBOX_GA4_ROW_LIMIT", "5")
    data = report(sandbox, HIGH_CARDINALITY)
    assert data["metadata"]["dataLossFromOtherRow"] is True
    per_day, others = Counter(), Counter()
    for (day, source, page), (sessions, _users) in cells(data):
        per_day[day] += int(sessions)
        if source == "(other)":
            assert page == "(other)"
            others[day] += 1
    assert per_day == sessions_by_day(world, PROPERTY, "2025-11-01", "2025-11-07")
    assert set(others.values()) == {1} and len(others) == 7  # one (other) row per day
    assert Counter(d for (d, _s, _p), _m in cells(data)) == {d: 6 for d in per_day}
    monkeypatch.delenv("SANDBOX_GA4_ROW_LIMIT")
    plain = report(sandbox, HIGH_CARDINALITY)
    assert "dataLossFromOtherRow" not in plain["metadata"]
    assert not any("(other)" in d for d, _m in cells(plain))


def test_thresholding_withholds_rows_with_few_users(
    world: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """subjectToThresholding: "this report is subject to thresholding and only returns data
    that meets the minimum aggregation thresholds" (ResponseMetaData)."""
    monkeypatch.setenv("SANDBOX_GA4_SIGNALS_PROPERTIES", PROPERTY)
    monkeypatch.setenv("SANDBOX_GA4_USER_THRESHOLD", "3")
    data = report(sandbox, HIGH_CARDINALITY)
    assert data["metadata"]["subjectToThresholding"] is True
    users = [int(m[1]) for _d, m in cells(data)]
    assert users and min(users) >= 3
    shown = sum(int(m[0]) for _d, m in cells(data))
    assert shown < sum(sessions_by_day(world, PROPERTY, "2025-11-01", "2025-11-07").values())
    other = report(sandbox, HIGH_CARDINALITY, "410000002")  # Google signals off there
    assert "subjectToThresholding" not in other["metadata"]
