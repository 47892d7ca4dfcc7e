"""Metric snapshots follow the schedule of post ages (issue 14, point 3).

A post's metrics are read on its first run (the backfill) and then only when its age (days
since its UTC publication date) is on the schedule: every day of its first week, then D+14,
D+21 and D+28; a scheduled age that fell on a day no run saw is read by the next run. The
schedule below is written by hand from the issue, not imported from the code under test.
Oracle: the world's own publication dates and the dates of the runs.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from ingestion.snapshot_ages import Schedule, schedule_of
from tests.sources.support import TODAY, Sandbox, load_source, query, world_rows

# The sparse schedule these tests check, set explicitly (it is also the default: checked below).
pytestmark = pytest.mark.usefixtures("sparse_snapshot_ages")

SCHEDULE = (0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
D = date.fromisoformat


# --- the rule, on dates worked out by hand -----------------------------------------------------


def test_a_post_run_every_day_is_read_exactly_at_the_scheduled_ages() -> None:
    schedule = Schedule(SCHEDULE)
    published = D("2025-11-01")
    days = [published + timedelta(days=i) for i in range(40)]
    read = [d for d in days if schedule.due(published, d, d - timedelta(days=1))]
    assert read == [
        *(D(f"2025-11-0{i}") for i in range(1, 9)),  # D+0 .. D+7
        D("2025-11-15"),  # D+14
        D("2025-11-22"),  # D+21
        D("2025-11-29"),  # D+28
    ]


def test_a_scheduled_age_missed_by_a_run_is_read_by_the_next_run() -> None:
    schedule = Schedule(SCHEDULE)
    published = D("2025-11-01")
    # last run on 11-13 (D+12); no run on 11-15 (D+14): the run of 11-16 reads it late
    assert schedule.due(published, D("2025-11-16"), last_run=D("2025-11-13"))
    # ... but the run after that (11-17, D+16) does not read it again
    assert not schedule.due(published, D("2025-11-17"), last_run=D("2025-11-16"))


def test_the_sparse_schedule_is_the_default_of_the_four_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without configuration (.dlt/config.toml states none) Meta, LinkedIn, YouTube and TikTok
    read on the schedule of issue 14: the marts carry a post's latest read forward."""
    for source in ("meta", "linkedin", "youtube", "tiktok"):
        monkeypatch.delenv(f"SOURCES__{source.upper()}__SNAPSHOT_AGES")
        assert schedule_of(source).ages == SCHEDULE, source


def test_the_schedule_is_configuration_and_keeps_the_marts_ages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__TIKTOK__SNAPSHOT_AGES", "[0, 1, 7, 28]")
    assert schedule_of("tiktok").ages == (0, 1, 7, 28)
    with pytest.raises(ValueError, match=r"lacks \[28\]"):
        Schedule((0, 1, 7, 14))  # the marts read D+28


# --- one source over consecutive days: TikTok (the cheapest) ----------------------------------

FIRST = D("2025-12-01")
MISSED = D("2025-12-05")
RUNS = [FIRST + timedelta(days=i) for i in range((TODAY - FIRST).days + 1) if i != 4]
"""12-01 (the first run: every video), then every day to 12-10 but 12-05 (a missed run)."""

BY_HAND = {
    # publication date: the run dates that snapshot its videos, worked out by hand
    D("2025-11-03"): {FIRST},  # D+28 on the first run; older than the window afterwards
    D("2025-11-08"): {FIRST, D("2025-12-06")},  # D+28 on 12-06
    D("2025-11-17"): {FIRST, D("2025-12-08")},  # D+21 on 12-08
    D("2025-11-21"): {FIRST, D("2025-12-06")},  # D+14 fell on the missed 12-05: read 12-06
    D("2025-11-24"): {FIRST, D("2025-12-08")},  # D+7 on the first run, D+14 on 12-08
    # D+0, D+1, (D+2 missed), D+3 .. D+7
    D("2025-12-03"): {D(f"2025-12-{d:02}") for d in (3, 4, 6, 7, 8, 9, 10)},
}


def expected_dates(published: date) -> set[date]:
    """The run dates that snapshot a video published on ``published`` (the rule, in words:
    the first run reads every video; a later run reads one not older than 28 days whose age
    is on the schedule or passed a scheduled age since the previous run)."""
    out: set[date] = set()
    for previous, run in zip([None, *RUNS], RUNS, strict=False):
        age = (run - published).days
        if age < 0:
            continue
        if previous is None:
            out.add(run)
            continue
        since = (previous - published).days
        if age <= 28 and (age in SCHEDULE or any(since < a < age for a in SCHEDULE)):
            out.add(run)
    return out


def test_by_hand_dates_agree_with_the_rule() -> None:
    for published, dates in BY_HAND.items():
        assert expected_dates(published) == dates, published


def test_tiktok_snapshots_follow_the_schedule_day_after_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    for run in RUNS:
        sandbox.set_today(run)
        db = load_source(
            "tiktok", sandbox.url, tmp_path, resources=("tiktok_videos", "tiktok_video_metrics")
        )
    got: dict[str, set[date]] = {}
    for video_id, day in query(
        db, "select video_id, snapshot_date from raw_tiktok.tiktok_video_metrics"
    ):
        got.setdefault(video_id, set()).add(day)
    videos = world_rows(
        world,
        "select video_id, cast(create_time as date) from tiktok_videos where create_time < ?",
        [TODAY + timedelta(days=1)],
    )
    assert videos
    for video_id, published in videos:
        assert got.get(video_id, set()) == expected_dates(published), (video_id, published)
    examples = {published for _, published in videos} & set(BY_HAND)
    assert len(examples) >= 3, "the world has too few videos on the hand-worked dates"
