"""Progress survives a late failure: a backfill loads in windows, each committing its cursor.

Each case backfills one source through ``ingestion.run.run_source`` (the loop every run goes
through) in windows of ``WINDOW_DAYS`` days over the 40-day test world, with a fault planted
only on the requests of the last window: the sandbox's ``X-Sandbox-Fault: server_error``
header (a 5xx on every attempt, so the retries give up) on the requests for the days only that
window reads. Then:

1. the run fails naming the source and the window (``window n/n``);
2. the earlier windows are loaded: the raw rows equal the world's truth for their days;
3. the committed cursor sits at the last committed window's end (hand-computed below);
4. a rerun without the fault completes the load: equal to the truth, no key twice.

The windows (hand-computed from each source's rules, window of 10 days from the world's first
day 2025-11-01, today 2025-12-10): Matomo re-reads its last loaded day, so its windows start at
11-01, 11-10, 11-19, 11-28, 12-07 (5 windows, cursor 12-07 before the last); GA4, the Meta
Page follower series and YouTube's channel report re-read 3 days, so theirs start at 11-01,
11-07, 11-13, 11-19, 11-25, 12-01 (6 windows, cursor 12-04).

Oracles: the world's manifests (``vendor_truth``) and its follower history, never the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import pytest

from ingestion.http import SourceError
from ingestion.run import run_source
from ingestion.windows import RunLimits, WindowFailed
from pulse_config.paths import dlt_state_beside
from sandbox.world.store import followers_on
from tests.sources.support import (
    START,
    TODAY,
    Sandbox,
    factory_kwargs,
    fault_when,
    query,
    vendor_truth,
    world_rows,
)

WINDOW_DAYS = 10
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def param(kwargs: dict[str, Any], name: str) -> str:
    return str((kwargs.get("params") or {}).get(name) or "")


# --- the sources: what the last window alone asks, the truth, the cursor ----------------------


def matomo_last(url: str, kwargs: dict[str, Any]) -> bool:
    day = param(kwargs, "date")  # one request per day; the server-clock ping asks "today"
    return "/matomo" in url and bool(ISO_DAY.fullmatch(day)) and day >= "2025-12-08"


def upto(through: date | None, fmt: str = "%Y-%m-%d") -> str:
    """The last day a check covers, as the truth's keys spell it (None: every day)."""
    return "9999" if through is None else through.strftime(fmt)


def matomo_truth(db: Path, world: Path, through: date | None) -> None:
    for site, want in vendor_truth(world, "matomo", TODAY)["sites"].items():
        rows = {k: v for k, v in want["rows"].items() if k[:10] <= upto(through)}
        visits = query(db, "select visit_id from raw_matomo.visits where site_id = ?", [site])
        assert sorted(v for (v,) in visits) == sorted(
            i for r in rows.values() for i in r["visit_ids"]
        )
        convs = query(
            db, "select conversion_id from raw_matomo.conversions where site_id = ?", [site]
        )
        want_convs = sorted(i for r in rows.values() for i in r["conversion_ids"])
        assert sorted(c for (c,) in convs) == want_convs, site


def matomo_cursor(state: dict[str, Any]) -> set[str]:
    return set(state["resources"]["visits"]["last_day"].values())


def ga4_last(url: str, kwargs: dict[str, Any]) -> bool:
    ranges = (kwargs.get("json") or {}).get("dateRanges") or [{}]
    end = str(ranges[0].get("endDate") or "")
    return ":runReport" in url and bool(ISO_DAY.fullmatch(end)) and end >= "2025-12-05"


def ga4_truth(db: Path, world: Path, through: date | None) -> None:
    cut = upto(through, "%Y%m%d")
    for prop, want in vendor_truth(world, "ga4", TODAY)["properties"].items():
        keys = query(
            db,
            "select strftime(date, '%Y%m%d') || '|' || session_source || '|' || session_medium || "
            "'|' || session_campaign_name, sum(sessions) from raw_ga4.traffic_daily "
            "where property_id = ? group by 1",
            [prop],
        )
        expected = {k: v["sessions"] for k, v in want["rows"].items() if k[:8] <= cut}
        assert {k: int(n) for k, n in keys} == expected, prop


def ga4_cursor(state: dict[str, Any]) -> set[str]:
    return set(state["resources"]["traffic_daily"]["last_run_date"].values())


def meta_last(url: str, kwargs: dict[str, Any]) -> bool:
    until = param(kwargs, "until")
    return param(kwargs, "metric") == "page_follows" and until >= "2025-12-06"


def meta_truth(db: Path, world: Path, through: date | None) -> None:
    start = world_rows(world, "select start_date from world")[0][0]  # the history's origin
    columns = [
        c
        for (c,) in world_rows(
            world,
            "select column_name from information_schema.columns where table_name = 'accounts'",
        )
    ]
    pages = [
        dict(zip(columns, r, strict=True))
        for r in world_rows(world, "select * from accounts where platform = 'facebook'")
    ]
    assert pages
    for page in pages:
        got = dict(
            query(
                db,
                "select date, followers from raw_meta.facebook_page_follows where page_id = ?",
                [page["account_id"]],
            )
        )
        days = [START + timedelta(days=i) for i in range(((through or TODAY) - START).days + 1)]
        assert got == {d: followers_on(page, start, d) for d in days}, page["account_id"]


def meta_cursor(state: dict[str, Any]) -> set[str]:
    return set(state["facebook_page_follows_last_date"].values())


def youtube_last(url: str, kwargs: dict[str, Any]) -> bool:
    end = param(kwargs, "endDate")
    channel_report = param(kwargs, "dimensions") == "day" and not param(kwargs, "filters")
    return url.endswith("/reports") and channel_report and end >= "2025-12-05"


def youtube_truth(db: Path, world: Path, through: date | None) -> None:
    for channel, want in vendor_truth(world, "youtube", TODAY)["channel_daily"].items():
        got = query(
            db,
            "select day, subscribers_gained - subscribers_lost from "
            "raw_youtube.channel_daily where channel_id = ?",
            [channel],
        )
        expected = {d: n for d, n in want["net_subscribers"].items() if d <= upto(through)}
        assert {d.isoformat(): n for d, n in got} == expected, channel


def youtube_cursor(state: dict[str, Any]) -> set[str]:
    return set(state["analytics_channel_last_day"].values())


@dataclass(frozen=True)
class Case:
    name: str
    last_window: Callable[[str, dict[str, Any]], bool]
    truth: Callable[[Path, Path, date | None], None]
    cursor: Callable[[dict[str, Any]], set[str]]
    windows: int
    committed_through: date
    overrides: dict[str, Any]
    keys: tuple[str, str]
    """(table, natural key) that must hold no key twice."""


CASES = [
    Case("matomo", matomo_last, matomo_truth, matomo_cursor, 5, date(2025, 12, 7),
         {"start_date": START.isoformat()}, ("raw_matomo.visits", "site_id, visit_id")),
    Case("ga4", ga4_last, ga4_truth, ga4_cursor, 6, date(2025, 12, 4),
         {"start_date": START.isoformat()},
         ("raw_ga4.traffic_daily", "property_id, date, session_source, session_medium, "
          "session_campaign_name, session_default_channel_group, landing_page, "
          "session_manual_ad_content")),
    Case("meta", meta_last, meta_truth, meta_cursor, 6, date(2025, 12, 4),
         {"followers_backfill_days": (TODAY - START).days},
         ("raw_meta.facebook_page_follows", "page_id, date")),
    Case("youtube", youtube_last, youtube_truth, youtube_cursor, 6, date(2025, 12, 4),
         {"analytics_backfill_days": (TODAY - START).days},
         ("raw_youtube.channel_daily", "channel_id, day")),
]  # fmt: skip


def committed_state(db: Path, source: str) -> dict[str, Any]:
    """The source's state as the warehouse holds it (what the next run restores)."""
    pipeline = dlt.pipeline(
        f"win_{source}",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name=f"raw_{source}",
        pipelines_dir=str(dlt_state_beside(db) / "probe"),
    )
    pipeline.sync_destination()
    return pipeline.state["sources"][source]


SMOKE = "ga4"
"""The case the default run keeps (about 10 s); the others (10-25 s each) are marked long."""


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=() if c.name == SMOKE else pytest.mark.long) for c in CASES],
    ids=[c.name for c in CASES],
)
def test_a_late_failure_keeps_the_committed_windows(
    case: Case, world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    kwargs = factory_kwargs(case.name, sandbox.url, **case.overrides)
    limits = RunLimits(window_days=WINDOW_DAYS)
    with fault_when(case.last_window) as planted, pytest.raises(WindowFailed) as failed:
        run_source(case.name, db, pipeline_name=f"win_{case.name}", limits=limits, **kwargs)
    assert planted, "the fault was never planted"
    message = str(failed.value)
    assert f"{case.name}: window {case.windows}/{case.windows} failed" in message
    assert f"windows 1-{case.windows - 1} are loaded" in message
    assert isinstance(failed.value.cause, SourceError)  # the API's error, naming the account
    assert f"{case.name}: account " in message

    case.truth(db, world, case.committed_through)  # the earlier windows are loaded, exactly
    assert case.cursor(committed_state(db, case.name)) == {case.committed_through.isoformat()}

    run_source(case.name, db, pipeline_name=f"win_{case.name}", limits=limits, **kwargs)
    case.truth(db, world, None)
    table, key = case.keys
    total, distinct = query(db, f"select count(*), count(distinct ({key})) from {table}")[0]
    assert total == distinct > 0


# --- the loop itself, on a fake source (no sandbox): the window arithmetic by hand -------------


def fake_source(cursor: dict[str, date], today: date) -> Callable[[set[str] | None], str]:
    """A source walking days from its cursor (read again, as Matomo does) to the window's end."""
    from ingestion.windows import window_end

    def run_window(resources: set[str] | None) -> str:
        end = window_end("days", "acc", cursor["acc"], today)
        cursor["acc"] = end  # committed with the load
        return f"loaded through {end}"

    return run_window


def test_the_loop_runs_window_after_window_and_names_them() -> None:
    from ingestion.windows import run_in_windows

    cursor, lines = {"acc": date(2025, 1, 1)}, []
    infos = run_in_windows(
        "fake", fake_source(cursor, date(2025, 1, 25)), RunLimits(10), lines.append
    )
    # 01-01..01-10, 01-10..01-19, 01-19..01-25 (each window re-reads the previous end)
    assert infos == [f"loaded through 2025-01-{d}" for d in (10, 19, 25)]
    assert lines[0] == "fake: window 1/3 loaded (through 2025-01-10; 15 days left: days)"
    assert lines[-1] == "fake: window 3/3 loaded: backfill complete"


def test_a_cursor_that_does_not_move_fails_instead_of_looping() -> None:
    from ingestion.windows import run_in_windows

    def stuck(resources: set[str] | None) -> None:
        from ingestion.windows import window_end

        window_end("days", "acc", date(2025, 1, 1), date(2025, 3, 1))  # never committed

    with pytest.raises(WindowFailed, match=r"fake: window 2/\d+ failed .* cursors stayed"):
        run_in_windows("fake", stuck, RunLimits(10))


def test_the_deadline_stops_the_loop_between_windows() -> None:
    import time as clock

    from ingestion.windows import run_in_windows

    cursor = {"acc": date(2025, 1, 1)}
    walk = fake_source(cursor, date(2025, 12, 31))

    def slow(resources: set[str] | None) -> str:
        clock.sleep(0.3)
        return walk(resources)

    with pytest.raises(WindowFailed) as failed:
        run_in_windows("fake", slow, RunLimits(window_days=10, deadline_s=0.5))
    assert failed.value.deadline and failed.value.number == 3  # 0.6 s after two windows
    assert "fake: account -: run deadline of 0.5 s reached" in str(failed.value)
    assert cursor["acc"] == date(2025, 1, 19)  # the two windows loaded stay
