"""`make demo` lives the world's last days: a backfill at (today - N), every source's ingestion
run on each following day with the sandbox clock advanced, ``transform_and_publish`` on today.

The demo's ``main`` runs once on a small world (tests/e2e/conftest.py): the clock must move as
planned and every source's raw tables must hold a snapshot taken on each simulated day, which is
what gives the marts their daily series and D+1 / D+7 values.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pytest

from tests.e2e.conftest import DAILY_DAYS, LAST, SIMULATED

TODAY = LAST

# One dated snapshot table per source (accounts, pages, business units, report runs...):
# each run writes that run's sandbox day into it.
SNAPSHOTS = {
    "raw_meta.facebook_pages": "snapshot_date",
    "raw_meta.instagram_accounts": "snapshot_date",
    "raw_meta.facebook_post_insights": "snapshot_date",
    "raw_linkedin.linkedin_organizations": "snapshot_date",
    "raw_x.accounts": "snapshot_date",
    "raw_tiktok.tiktok_accounts": "snapshot_date",
    "raw_youtube.channels": "snapshot_date",
    "raw_google_business.location_review_stats": "snapshot_date",
    "raw_trustpilot.business_units": "snapshot_date",
    "raw_ga4.report_runs": "snapshot_date",
    "raw_matomo.visits": "cast(timezone('UTC', fetched_at) as date)",
}


def _warehouse(run: dict[str, Any], sql: str) -> list[tuple]:
    con = duckdb.connect(str(run["tmp"] / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_the_demo_succeeds_and_says_what_it_replayed(demo_replay: dict[str, Any]) -> None:
    out = demo_replay["out"]
    assert demo_replay["code"] == 0, out[-3000:]
    assert f"backfill:       {SIMULATED[0]} (today {TODAY} - {DAILY_DAYS} days)" in out
    n = DAILY_DAYS
    assert f"daily runs:     {n} of {n} days in" in out
    assert f"build:          transform_and_publish on {TODAY}" in out
    assert "failed checks:  0" in out
    for i, day in enumerate(SIMULATED[1:], start=1):
        assert f"day {i}/{DAILY_DAYS}" in out and str(day) in out


@pytest.mark.e2e
def test_the_sandbox_clock_moved_one_day_per_run(demo_replay: dict[str, Any]) -> None:
    """Read today, set it N days back, then advance one day before each daily run."""
    moves = [
        (action, date.fromisoformat(answer["today"])) for action, answer in demo_replay["clock"]
    ]
    assert moves == [
        ("read", TODAY),
        ("set", SIMULATED[0]),
        *[("advance", day) for day in SIMULATED[1:]],
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("table", sorted(SNAPSHOTS))
def test_raw_tables_hold_a_snapshot_of_each_simulated_day(
    demo_replay: dict[str, Any], table: str
) -> None:
    days = _warehouse(demo_replay, f"select distinct {SNAPSHOTS[table]} from {table} order by 1")
    assert [d for (d,) in days] == SIMULATED


@pytest.mark.e2e
def test_the_marts_have_daily_series_and_d1_d7(demo_replay: dict[str, Any]) -> None:
    """Each simulated day is a snapshot day of every platform's posts; every post published
    the day before a simulated day has its D+1 value, seven days before, its D+7 value."""
    con = duckdb.connect(str(demo_replay["tmp"] / "published.duckdb"), read_only=True)
    try:
        series = con.execute(
            "select platform, list(distinct snapshot_date order by snapshot_date) "
            "from marts.fct_post_metrics_daily where snapshot_date >= ? group by 1",
            [SIMULATED[0]],
        ).fetchall()
        assert {p for p, _ in series} == {
            "facebook",
            "instagram",
            "linkedin",
            "x",
            "youtube",
            "tiktok",
        }
        assert all(days == SIMULATED for _, days in series), series
        d1_days = [d - timedelta(days=1) for d in SIMULATED]
        d7_days = [d - timedelta(days=7) for d in SIMULATED]
        missing = con.execute(
            "select platform, post_id, published_date, interactions_d1, interactions_d7 "
            "from marts.fct_post_performance "
            "where (list_contains(?, published_date) and interactions_d1 is null) "
            "or (list_contains(?, published_date) and interactions_d7 is null)",
            [d1_days, d7_days],
        ).fetchall()
        assert missing == []
        counts = con.execute(
            "select count_if(list_contains(?, published_date)), "
            "count_if(list_contains(?, published_date)) from marts.fct_post_performance",
            [d1_days, d7_days],
        ).fetchone()
        assert counts[0] > 0 and counts[1] > 0, counts
    finally:
        con.close()


def test_ingest_everything_loads_every_source_without_the_raw_checks() -> None:
    """One run is a whole day's ingestion; the raw GX gates run with the build instead."""
    from ingestion.catalogue import SOURCES
    from orchestration.definitions import defs

    job = defs.resolve_job_def("ingest_everything")
    assert {n.name for n in job.graph.nodes} == {f"{s.name}_source" for s in SOURCES}
    datasets = {k.path[0] for k in job.asset_layer.executable_asset_keys}
    assert datasets == {s.dataset for s in SOURCES}
