"""The GA4 source against the sandbox (ground truth: the ga4 manifest) and unit tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.ga4 import ga4_source
from ingestion.http import SourceAuthError
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    has_table,
    load_source,
    patched_json,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)


def run(sandbox: Sandbox, tmp: Path, name: str, **kwargs: Any) -> Path:
    """One run of the GA4 source into ``tmp/w.duckdb`` (state kept under ``tmp``)."""
    return load_source("ga4", sandbox.url, tmp, name, **kwargs)


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
    props = vendor_truth(world, "ga4", day)["properties"]
    return {p: v["rows"] for p, v in props.items()}


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = run(sandbox, tmp_path, "ga4_t")
    assert loaded(db) == expected(world, TODAY)
    rows = query(db, "select count(*), sum(sessions) from raw_ga4.traffic_daily")
    runs = query(db, "select property_id, snapshot_date, row_count from raw_ga4.report_runs")
    assert {r[0] for r in runs} == {"410000001", "410000002"}
    assert not has_table(db, "raw_ga4", "quarantine")

    run(sandbox, tmp_path, "ga4_t")  # same day: nothing new
    assert query(db, "select count(*), sum(sessions) from raw_ga4.traffic_daily") == rows

    sandbox.advance()
    run(sandbox, tmp_path, "ga4_t")
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
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("throttle=0.3,server_error=0.1,seed=3")
    db = run(sandbox, tmp_path, "ga4_th", page_size=400)
    fired = sandbox.fired()
    assert fired["throttle"] > 0 and fired["server_error"] > 0, fired
    assert loaded(db) == expected(world, TODAY)


def test_bad_token_fails_once_with_the_api_error(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/ga4/") as seen, pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "ga4_bad", access_token="wrong", refresh_token=None)  # no renewal
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert len(seen) == 1, seen  # refused once, not retried
    text = str(error)
    assert "ga4: account property 410000001" in text
    assert "UNAUTHENTICATED" in text and "invalid authentication credentials" in text


def test_malformed_rows_are_quarantined(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        if "410000001:runReport" in url and body.get("rows"):
            body["rows"][0]["metricValues"][0]["value"] = "n/a"  # sessions: not an integer
            del body["rows"][1]["dimensionValues"][1]  # a missing dimension value
        return body

    with patched_json(mutate):
        db = run(sandbox, tmp_path, "ga4_q")
    bad = query(db, "select resource, record_id, reason from raw_ga4.quarantine order by 2")
    assert len(bad) == 2 and all(r[0] == "traffic_daily" for r in bad)
    assert any("'sessions' is not an integer" in r[2] for r in bad)
    assert any("expected 7 dimensionValues" in r[2] for r in bad)
    total = sum(v["sessions"] for rows in loaded(db).values() for v in rows.values())
    want = sum(v["sessions"] for rows in expected(world, TODAY).values() for v in rows.values())
    assert total < want  # the two rows are missing from the table, not silently zeroed


def test_property_days_other_row_and_thresholding_are_stored(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GA4 dates in the property's time zone and flags what it folded or withheld: the
    source keeps the (other) rows, the flags and the property's days (Paris is an hour into
    TODAY + 1 at the sandbox's now, TODAY 23:59:59 UTC)."""
    monkeypatch.setenv("SANDBOX_GA4_ROW_LIMIT", "5")  # a tiny aggregate table: (other) daily
    monkeypatch.setenv("SANDBOX_GA4_SIGNALS_PROPERTIES", "410000001")
    monkeypatch.setenv("SANDBOX_GA4_USER_THRESHOLD", "20")
    db = run(sandbox, tmp_path, "ga4_flags")
    paris_today = TODAY + timedelta(days=1)
    runs = query(
        db,
        "select property_id, snapshot_date, end_date, time_zone, data_loss_from_other_row, "
        "subject_to_thresholding, sampled from raw_ga4.report_runs order by 1",
    )
    assert runs == [
        ("410000001", TODAY, paris_today, "Europe/Paris", True, True, False),
        ("410000002", TODAY, paris_today, "Europe/Paris", True, False, False),
    ]
    assert query(db, "select distinct time_zone from raw_ga4.traffic_daily") == [("Europe/Paris",)]
    # Property 2 is only folded: one (other) row per day with more than 5 combinations of
    # the report's dimensions (date aside), and every session still counted.
    days = world_rows(
        world,
        "select count(*) from (select visit_date from web_visits v join web_sites s "
        "using (brand_id) where s.ga4_property_id = '410000002' and v.started_at <= ? "
        "and v.visit_date + v.ga4_lag <= ? group by visit_date having count(distinct "
        "(source, medium, campaign, channel_group, landing_page, content)) > 5)",
        [f"{TODAY} 23:59:59", paris_today],
    )[0][0]
    others = query(
        db,
        "select count(*), count(distinct date) from raw_ga4.traffic_daily "
        "where property_id = '410000002' and landing_page = '(other)'",
    )
    assert others == [(days, days)]
    assert query(
        db, "select other_rows from raw_ga4.report_runs where property_id = '410000002'"
    ) == [(days,)]
    truth = expected(world, TODAY)
    got = loaded(db)
    assert sum(v["sessions"] for v in got["410000002"].values()) == sum(
        v["sessions"] for v in truth["410000002"].values()
    )
    # Property 1 is thresholded: rows of fewer than 20 users are withheld, not zeroed.
    shown = sum(v["sessions"] for v in got["410000001"].values())
    assert 0 < shown < sum(v["sessions"] for v in truth["410000001"].values())


def test_source_builds_without_secrets(no_ambient_secrets: None) -> None:
    src = ga4_source(base_url="http://127.0.0.1:1/ga4")
    assert list(src.resources) == ["traffic_daily"]
