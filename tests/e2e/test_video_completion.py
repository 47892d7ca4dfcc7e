"""End to end: the video completion measures of the engagement marts, from ``make demo``'s
replay (tests/e2e/conftest.py), against values computed here from the generator's tables and
manifests, never through dbt:

- avg_view_share (average share of a video watched, 0-1): YouTube = the world's
  avg_view_s / duration_s (Analytics averageViewPercentage, 2 decimals, / 100; one video's
  percentage is the same every day, so any weighting of its days gives it back); Facebook video
  posts = the world's final_avg_watch_ms / video_length_ms;
- video_completion_rate (percent): Facebook complete views / video views of the manifest of
  the post's latest snapshot day;
- NULL with its reason elsewhere: TikTok (no watch time in the Display API), Instagram (watch
  time but no duration), X and LinkedIn (not ingested), posts that are no video.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

import pytest

from sandbox.world.manifest import build_manifest
from sandbox.world.store import open_readonly
from tests.e2e.conftest import read_warehouse
from tests.e2e.post_truth import same

pytestmark = pytest.mark.e2e

VIDEO_FORMATS = ("video", "reel", "live")


def _world(replay: dict[str, Any], sql: str) -> list[tuple]:
    cur = open_readonly(replay["world"])
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def _mart(replay: dict[str, Any]) -> dict[str, dict[str, Any]]:
    columns = (
        "post_id, platform, brand_id, format, published_date, latest_snapshot_date, "
        "video_views, video_completions, video_completion_rate, avg_view_share, "
        "avg_view_share_null_reason, avg_watch_time_s"
    )
    rows = read_warehouse(replay, f"select {columns} from marts.fct_post_performance")
    names = [c.strip() for c in columns.split(",")]
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows}


@pytest.fixture(scope="module")
def manifest_on(replay: dict[str, Any]) -> Callable[[date], dict[str, Any]]:
    return cache(lambda day: build_manifest(replay["world"], day))


def _meta_metrics(manifest: dict[str, Any], post_id: str) -> dict[str, int]:
    for account in manifest["accounts"].values():
        if post_id in account["posts"]:
            return account["posts"][post_id]
    raise KeyError(post_id)


def test_youtube_share_is_the_worlds_average_percentage(replay: dict[str, Any]) -> None:
    mart = _mart(replay)
    world = _world(replay, "select video_id, avg_view_s, duration_s from yt_videos")
    checked = 0
    for video_id, watched, length in world:
        row = mart.get(video_id)
        if row is None or row["avg_view_share"] is None:
            assert row is None or row["avg_view_share_null_reason"] == "not_reported_yet"
            continue
        assert same(row["avg_view_share"], round(100.0 * watched / length, 2) / 100), row
        assert row["avg_view_share_null_reason"] is None
        assert abs(row["avg_watch_time_s"] - watched) < 1e-9, row  # averageViewDuration
        checked += 1
    assert checked >= 0.8 * sum(1 for v, *_ in world if v in mart)


def test_facebook_share_and_completion_rate_are_the_worlds(
    replay: dict[str, Any], manifest_on: Callable[[date], dict[str, Any]]
) -> None:
    mart = _mart(replay)
    videos = _world(
        replay,
        "select post_id, final_avg_watch_ms, video_length_ms from posts "
        "where platform = 'facebook' and format in ('video', 'reel')",
    )
    checked = 0
    for post_id, watch_ms, length_ms in videos:
        row = mart.get(post_id)
        if row is None or row["latest_snapshot_date"] is None:
            continue
        assert same(row["avg_view_share"], watch_ms / length_ms), row
        assert same(row["avg_watch_time_s"], watch_ms / 1000), row
        served = _meta_metrics(manifest_on(row["latest_snapshot_date"]), post_id)
        views = served["post_video_views"]
        complete = served["post_video_complete_views_organic"]
        assert row["video_completions"] == complete
        assert same(row["video_completion_rate"], complete * 100.0 / views if views else None)
        checked += 1
    assert checked >= 3
    photos = [r for r in mart.values() if r["platform"] == "facebook" and r["format"] == "image"]
    assert photos and all(r["video_completions"] is None for r in photos)
    assert {r["avg_view_share_null_reason"] for r in photos} == {"not_a_video"}


def test_tiktok_and_instagram_say_why_they_have_no_share(replay: dict[str, Any]) -> None:
    mart = _mart(replay)
    tiktok = [r for r in mart.values() if r["platform"] == "tiktok"]
    assert tiktok
    assert all(r["avg_view_share"] is None and r["video_completion_rate"] is None for r in tiktok)
    assert {r["avg_view_share_null_reason"] for r in tiktok} == {"api_gives_no_watch_time"}
    instagram = [r for r in mart.values() if r["platform"] == "instagram"]
    assert all(r["avg_view_share"] is None for r in instagram)
    reasons = {
        r["format"]: r["avg_view_share_null_reason"]
        for r in instagram
        if r["format"] in VIDEO_FORMATS
    }
    assert set(reasons.values()) == {"api_gives_no_video_duration"}
    watch = dict(
        _world(
            replay,
            "select post_id, final_avg_watch_ms from posts "
            "where platform = 'instagram' and media_product_type = 'REELS'",
        )
    )
    reels = [r for r in instagram if r["post_id"] in watch and r["latest_snapshot_date"]]
    assert reels
    for row in reels:  # ig_reels_avg_watch_time (ms) in seconds
        assert same(row["avg_watch_time_s"], watch[row["post_id"]] / 1000), row
    for platform in ("x", "linkedin"):
        rows = [r for r in mart.values() if r["platform"] == platform]
        assert all(r["avg_view_share"] is None for r in rows)


def test_scorecard_share_weights_each_post_by_its_views(
    replay: dict[str, Any], manifest_on: Callable[[date], dict[str, Any]]
) -> None:
    """A Facebook month of mart_kpi_scorecard: avg_view_share = the world's shares weighted by
    the served video views, video_completion_rate = served complete views / views x 100."""
    mart = _mart(replay)
    share = {
        p: w / n
        for p, w, n in _world(
            replay,
            "select post_id, final_avg_watch_ms, video_length_ms from posts "
            "where platform = 'facebook' and video_length_ms > 0",
        )
    }
    periods: dict[tuple[str, date], list[float]] = {}
    for row in mart.values():
        if row["post_id"] not in share or row["latest_snapshot_date"] is None:
            continue
        served = _meta_metrics(manifest_on(row["latest_snapshot_date"]), row["post_id"])
        views, complete = served["post_video_views"], served["post_video_complete_views_organic"]
        key = (row["brand_id"], row["published_date"].replace(day=1))
        acc = periods.setdefault(key, [0.0, 0.0, 0.0])
        acc[0] += share[row["post_id"]] * views
        acc[1] += views
        acc[2] += complete
    got = {
        (brand, start): (avg_share, rate)
        for brand, start, avg_share, rate in read_warehouse(
            replay,
            "select brand_id, period_start, avg_view_share, video_completion_rate "
            "from marts.mart_kpi_scorecard where platform = 'facebook' and period_type = 'month'",
        )
    }
    assert periods
    for key, (weighted, views, complete) in periods.items():
        if views:
            assert same(got[key][0], weighted / views), key
            assert same(got[key][1], complete * 100.0 / views), key
