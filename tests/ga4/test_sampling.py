"""Sampled reports and metrics hidden by the caller's role: the sandbox against the Data API's
reference, and the source's handling of both.

References (read by hand, their shapes written out below):
- ResponseMetaData / SamplingMetadata: ``samplingMetadatas``, one per date range in request
  order, ``samplesReadCount`` / ``samplingSpaceSize`` int64 strings, absent when unsampled
  (developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/ResponseMetaData).
- [GA4] About data sampling (support.google.com/analytics/answer/13331292) and [GA4]
  Understand how Analytics stores and displays data (.../answer/13888627): beyond the
  property's events quota per query (10 M standard, 100 M on 360, Data API included),
  Analytics reads a part of the events and scales the results up: sampled values are
  estimates.
- MetricMetadata.blockedReasons: a blocked metric's request "will succeed; however, the report
  will contain only zeros for this metric"; ResponseMetaData.schemaRestrictionResponse names it
  ``{metricName, restrictedMetricTypes: ["REVENUE_DATA"]}``.

Oracles: the world's ``web_visits`` (queried here), with the sandbox's documented counting
rule written out by hand: a session holds ``1 + pageviews + key_events`` events, and a sampled
query reads the sessions with ``visit_id * 7919 % 1000 < 1000 * limit // events``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.ga4 import helpers
from tests.sources.support import TODAY, Sandbox, load_source, query, world_rows

PROPERTY, OTHER_PROPERTY = "410000001", "410000002"
TOKEN = {"Authorization": "Bearer sandbox-ga4-token"}
NOW, PARIS_TODAY = f"{TODAY} 23:59:59", TODAY + timedelta(days=1)  # Paris is UTC+1 in December
RANGES = [("2025-11-01", "2025-11-10"), ("2025-11-08", "2025-11-12")]


def report(sandbox: Sandbox, body: dict[str, Any], prop: str = PROPERTY) -> dict[str, Any]:
    url = f"{sandbox.vendor('ga4')}/v1beta/properties/{prop}:runReport"
    resp = requests.post(url, json={"limit": 250000, **body}, headers=TOKEN, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


def sessions_sql(first: str = "1900-01-01", last: str = "2100-01-01") -> str:
    """The property's processed sessions between two days (params: property, and the bounds)."""
    return (
        "select * from web_visits v join web_sites s using (brand_id) "
        f"where s.ga4_property_id = ? and v.started_at <= '{NOW}' "
        f"and v.visit_date + v.ga4_lag <= '{PARIS_TODAY}' "
        f"and v.visit_date between '{first}' and '{last}'"
    )


def by_hand(world: Path, prop: str, first: str, last: str, per_mille: int = 1000) -> dict:
    """Events present / read and, per day, (sessions read, revenue read) of one date range."""
    events = "1 + coalesce(pageviews, 0) + coalesce(key_events, 0)"
    total = world_rows(
        world,
        f"select coalesce(sum({events}), 0), "
        f"coalesce(sum(case when visit_id * 7919 % 1000 < ? then {events} end), 0) "
        f"from ({sessions_sql(first, last)})",
        [per_mille, prop],
    )[0]
    days = world_rows(
        world,
        "select strftime(visit_date, '%Y%m%d'), count(*), sum(revenue) "
        f"from ({sessions_sql(first, last)}) where visit_id * 7919 % 1000 < ? group by 1",
        [prop, per_mille],
    )
    return {
        "space": int(total[0]),
        "read": int(total[1]),
        "days": {d: (int(n), float(r or 0)) for d, n, r in days},
    }


def test_sampling_metadata_shape_and_estimates(
    world: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {
        "dateRanges": [{"startDate": a, "endDate": b} for a, b in RANGES],
        "dimensions": [{"name": "date"}],
        "metrics": [{"name": "sessions"}, {"name": "totalRevenue"}],
    }
    plain = report(sandbox, body)
    assert "samplingMetadatas" not in plain["metadata"]  # unsampled: the field is not defined
    whole = [by_hand(world, PROPERTY, a, b) for a, b in RANGES]
    events = sum(r["space"] for r in whole)
    limit = events // 2  # the quota the world's small volume needs to trigger sampling
    monkeypatch.setenv("SANDBOX_GA4_SAMPLING_EVENTS", str(limit))
    data = report(sandbox, body)

    per_mille = 1000 * limit // events
    read = [by_hand(world, PROPERTY, a, b, per_mille) for a, b in RANGES]
    assert data["metadata"]["samplingMetadatas"] == [
        {"samplesReadCount": str(r["read"]), "samplingSpaceSize": str(w["space"])}
        for r, w in zip(read, whole, strict=True)
    ]
    # The values are the subset scaled up by the range's space / read: estimates, not counts.
    estimated = 0
    for row in data["rows"]:
        day, name = (c["value"] for c in row["dimensionValues"])
        sessions, revenue = (float(c["value"]) for c in row["metricValues"])
        i = int(name.removeprefix("date_range_"))
        scale = whole[i]["space"] / read[i]["read"]
        n, r = read[i]["days"][day]
        assert abs(sessions - n * scale) <= 0.5, (day, name)
        assert abs(revenue - r * scale) <= 0.01, (day, name)
        estimated += int(sessions)
    true = sum(n for w in whole for n, _r in w["days"].values())
    assert estimated != true and abs(estimated - true) <= 0.25 * true
    assert data["rowCount"] == plain["rowCount"]


def test_restricted_revenue_reads_zero_and_is_named(
    world: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_GA4_NO_REVENUE_PROPERTIES", PROPERTY)
    body = {
        "dateRanges": [{"startDate": "2025-11-01", "endDate": "2025-11-30"}],
        "dimensions": [{"name": "date"}],
        "metrics": [{"name": "sessions"}, {"name": "totalRevenue"}],
    }
    truth = by_hand(world, PROPERTY, "2025-11-01", "2025-11-30")["days"]
    assert sum(r for _n, r in truth.values()) > 0  # the world has revenue to hide
    data = report(sandbox, body)
    assert data["metadata"]["schemaRestrictionResponse"] == {
        "activeMetricRestrictions": [
            {"metricName": "totalRevenue", "restrictedMetricTypes": ["REVENUE_DATA"]}
        ]
    }
    got = {
        r["dimensionValues"][0]["value"]: [c["value"] for c in r["metricValues"]]
        for r in data["rows"]
    }
    assert {d: int(v[0]) for d, v in got.items()} == {d: n for d, (n, _r) in truth.items()}
    assert {v[1] for v in got.values()} == {"0"}
    sessions_only = report(sandbox, {**body, "metrics": [{"name": "sessions"}]})
    assert "schemaRestrictionResponse" not in sessions_only["metadata"]  # nothing enforced
    other = report(sandbox, body, OTHER_PROPERTY)
    assert "schemaRestrictionResponse" not in other["metadata"]
    assert any(float(r["metricValues"][1]["value"]) > 0 for r in other["rows"])


def test_response_metadata_parsing_follows_the_reference() -> None:
    """The reference's shapes, written by hand: int64 counts as strings, one per range."""
    meta = {
        "samplingMetadatas": [
            {"samplesReadCount": "4000000", "samplingSpaceSize": "16000000"},
            {"samplesReadCount": "1000000", "samplingSpaceSize": "4000000"},
        ],
        "schemaRestrictionResponse": {
            "activeMetricRestrictions": [
                {"metricName": "totalRevenue", "restrictedMetricTypes": ["REVENUE_DATA"]},
                {"metricName": "advertiserAdCost", "restrictedMetricTypes": ["COST_DATA"]},
            ]
        },
    }
    assert helpers.sampling_counts(meta) == (5_000_000, 20_000_000)
    assert helpers.sampling_counts({"timeZone": "Europe/Paris"}) is None
    assert helpers.restricted_metrics(meta) == {
        "totalRevenue": ["REVENUE_DATA"],
        "advertiserAdCost": ["COST_DATA"],
    }
    assert helpers.restricted_metrics({}) == {}


def test_source_stores_the_sampling_counts(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run reads the whole world (a 400-day backfill): over the lowered quota, both
    properties come back sampled, and the source says so per run and per row."""
    whole = {p: by_hand(world, p, "1900-01-01", "2100-01-01") for p in (PROPERTY, OTHER_PROPERTY)}
    limit = min(w["space"] for w in whole.values()) // 2
    monkeypatch.setenv("SANDBOX_GA4_SAMPLING_EVENTS", str(limit))
    db = load_source("ga4", sandbox.url, tmp_path, "ga4_sampled")
    runs = query(
        db,
        "select property_id, sampled, samples_read_count, sampling_space_size, "
        "restricted_metrics from raw_ga4.report_runs order by 1",
    )
    want = []
    for prop, w in sorted(whole.items()):
        read = by_hand(world, prop, "1900-01-01", "2100-01-01", 1000 * limit // w["space"])
        want.append((prop, True, read["read"], w["space"], None))
    assert runs == want
    assert query(db, "select distinct sampled from raw_ga4.traffic_daily") == [(True,)]
    loaded = query(db, "select sum(sessions) from raw_ga4.traffic_daily")[0][0]
    true = sum(n for w in whole.values() for n, _r in w["days"].values())
    assert loaded != true and abs(loaded - true) <= 0.25 * true  # estimates, close to the truth


def test_source_stores_restricted_revenue_as_null(
    world: Path,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SANDBOX_GA4_NO_REVENUE_PROPERTIES", PROPERTY)
    with caplog.at_level(logging.WARNING, logger="ingestion.ga4"):
        db = load_source("ga4", sandbox.url, tmp_path, "ga4_restricted")
    revenue = dict(
        query(
            db,
            "select property_id, sum(total_revenue) from raw_ga4.traffic_daily group by 1",
        )
    )
    true = {
        p: round(
            sum(r for _n, r in by_hand(world, p, "1900-01-01", "2100-01-01")["days"].values()), 2
        )
        for p in (PROPERTY, OTHER_PROPERTY)
    }
    assert true[PROPERTY] > 0
    assert revenue[PROPERTY] is None  # every row NULL: unknown, not "no revenue"
    assert abs(revenue[OTHER_PROPERTY] - true[OTHER_PROPERTY]) <= 0.01
    assert query(
        db, "select count(*) from raw_ga4.traffic_daily where sessions is null or sampled"
    ) == [(0,)]
    runs = query(
        db, "select property_id, sampled, restricted_metrics from raw_ga4.report_runs order by 1"
    )
    assert runs == [
        (PROPERTY, False, "totalRevenue:REVENUE_DATA"),
        (OTHER_PROPERTY, False, None),
    ]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(PROPERTY in m and "totalRevenue" in m and "NULL" in m for m in warned), warned
