"""YouTube's per-video daily series load in date windows like the channel report (issue 13,
point 3): a late failure keeps the windows committed and the rerun continues after them.

The backfill runs through ``ingestion.run.run_source`` in windows of 10 days over the 40-day
test world (first day 2025-11-01, today 2025-12-10). Hand-computed
windows: 11-01..11-10, 11-11..11-20, 11-21..11-30, 12-01..12-10 (no overlap: each window starts
the day after the last one loaded); YouTube Analytics serves days up to today - 3 (12-07). The
fault (``X-Sandbox-Fault: server_error`` on every attempt) hits every report request reaching
into the last window (an end date on or after 12-01). Then:

1. the run fails naming the source and window 4;
2. windows 1-3 are loaded: (video, day, views) equal the world's for 11-01..11-30;
3. the committed state says the backfill is through 11-30;
4. the rerun without the fault completes the load: equal to the world's through 12-07, no
   (video, day) twice.

Oracle: the sandbox's own day rows of the world (``sandbox.vendors.youtube.queries``), never the
source's code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import dlt
import pytest

from ingestion.run import run_source
from ingestion.windows import RunLimits, WindowFailed
from pulse_config.paths import dlt_state_beside
from sandbox.vendors.youtube import queries as q
from sandbox.world.store import open_readonly
from tests.reliability.test_windowed_backfill import param
from tests.sources.support import START, TODAY, Sandbox, factory_kwargs, fault_when, query
from tests.youtube.truth import CHANNELS

LAST_WINDOW = date(2025, 12, 1)
COMMITTED = date(2025, 11, 30)
SERVED = date(2025, 12, 7)  # today - 3: the Analytics API's lag


def last_window(url: str, kwargs: dict[str, Any]) -> bool:
    """A video report (per video or top videos of a day) reaching into the last window."""
    per_video = param(kwargs, "filters").startswith("video==")
    top_day = param(kwargs, "dimensions") == "video"
    return (
        url.endswith("/reports")
        and (per_video or top_day)
        and (param(kwargs, "endDate") >= LAST_WINDOW.isoformat())
    )


def truth(world: Path, last: date) -> set[tuple[str, date, int]]:
    """(video, day, views) of every channel's videos from the world's first day to ``last``."""
    con = open_readonly(world)
    try:
        out = set()
        for channel in CHANNELS:
            names, found = q.video_days(con.cursor(), channel, START, last)
            for row in found:
                rec = dict(zip(names, row, strict=True))
                out.add((rec["video"], date.fromisoformat(str(rec["day"])[:10]), rec["views"]))
        return out
    finally:
        con.close()


def loaded(db: Path) -> list[tuple[str, date, int]]:
    return query(db, "select video_id, day, views from raw_youtube.video_daily")


def committed(db: Path) -> dict[str, Any]:
    """The source's state as the warehouse holds it (what the next run restores)."""
    pipeline = dlt.pipeline(
        "yt_windows",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="raw_youtube",
        pipelines_dir=str(dlt_state_beside(db) / "probe"),
    )
    pipeline.sync_destination()
    return pipeline.state["sources"]["youtube"]["analytics_videos"]


def test_a_late_failure_keeps_the_committed_video_windows(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    kwargs = factory_kwargs(
        "youtube", sandbox.url, analytics_backfill_days=(TODAY - START).days, max_attempts=2
    )

    def run() -> Any:
        limits = RunLimits(window_days=10)
        return run_source("youtube", db, pipeline_name="yt_windows", limits=limits, **kwargs)

    with fault_when(last_window) as planted, pytest.raises(WindowFailed) as failed:
        run()
    assert planted
    assert "window 4/" in str(failed.value) and "youtube" in str(failed.value)
    got = loaded(db)
    assert set(got) == truth(world, COMMITTED) and len(got) == len(set(got))
    states = committed(db)
    assert {states[c]["backfill_through"] for c in CHANNELS} == {COMMITTED.isoformat()}

    run()
    got = loaded(db)
    assert set(got) == truth(world, SERVED)
    assert len(got) == len({(v, d) for v, d, _ in got})
    assert all("backfill_through" not in committed(db)[c] for c in CHANNELS)
