"""Video completion on Meta, against the generator's own tables (``posts``):

- Facebook Page video posts: ``post_video_avg_time_watched`` and ``post_video_length`` (ms) and
  ``post_video_complete_views_organic`` (developers.facebook.com/docs/graph-api/reference/
  insights, "Page Video Posts");
- Instagram reels: ``ig_reels_avg_watch_time`` and ``ig_reels_video_view_total_time`` (ms,
  developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights), refused
  with code 100 on a FEED video, as are the metric names Meta retired in 2025.

Lifetime counts follow the contract's curve, written here from docs/sources/meta.md rather than
imported: floor(final x (1 - exp(-age_hours / 30))) at the clock's now (today 23:59:59 UTC).
"""

from __future__ import annotations

import math
from datetime import datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.sandbox.sandbox_support import TODAY, Graph
from tests.sources.support import load_source, query

FB_VIDEO = "post_video_avg_time_watched,post_video_length,post_video_complete_views_organic"
NOW = datetime.combine(TODAY, time(23, 59, 59))


def _posts(world: Path, platform: str, where: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(world), read_only=True) as con:
        result = con.execute(
            f"select * from posts where platform = ? and created_time <= ? and {where} "
            "order by created_time",
            [platform, NOW],
        )
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _lifetime(final: int, created: datetime) -> int:
    age = (NOW - created).total_seconds() / 3600
    return math.floor(final * (1 - math.exp(-age / 30))) if age > 0 else 0


def _insights(graph: Graph, post_id: str, metrics: str) -> dict[str, Any]:
    body = graph.ok(f"/{post_id}/insights", metric=metrics, period="lifetime")
    return {e["name"]: e["values"][0]["value"] for e in body["data"]}


def test_facebook_video_posts_serve_watch_time_length_and_complete_views(
    graph: Graph, world: Path
) -> None:
    videos = _posts(world, "facebook", "format in ('video', 'reel')")
    assert len(videos) >= 5
    for post in videos:
        got = _insights(graph, post["post_id"], f"post_video_views,{FB_VIDEO}")
        assert got["post_video_avg_time_watched"] == post["final_avg_watch_ms"]
        assert got["post_video_length"] == post["video_length_ms"]
        want = _lifetime(post["final_video_complete_views"], post["created_time"])
        assert got["post_video_complete_views_organic"] == want
        assert got["post_video_complete_views_organic"] <= got["post_video_views"]
        # The world draws the share watched in 15-85 %: the served ratio says the same.
        share = got["post_video_avg_time_watched"] / got["post_video_length"]
        assert 0.15 <= share <= 0.85, post["post_id"]


def test_facebook_posts_without_a_video_answer_zero(graph: Graph, world: Path) -> None:
    photo = _posts(world, "facebook", "format = 'image'")[0]
    assert set(_insights(graph, photo["post_id"], FB_VIDEO).values()) == {0}


def test_instagram_reels_serve_average_and_total_watch_time(graph: Graph, world: Path) -> None:
    reels = _posts(world, "instagram", "media_product_type = 'REELS'")
    assert len(reels) >= 5
    for reel in reels[:8]:
        got = _insights(
            graph, reel["post_id"], "views,ig_reels_avg_watch_time,ig_reels_video_view_total_time"
        )
        assert got["ig_reels_avg_watch_time"] == reel["final_avg_watch_ms"]
        # Total time played = average time per play x plays (a reel's views are its plays).
        assert got["ig_reels_video_view_total_time"] == reel["final_avg_watch_ms"] * got["views"]


@pytest.mark.parametrize("metric", ["ig_reels_avg_watch_time", "ig_reels_video_view_total_time"])
def test_reels_metrics_on_a_feed_video_get_metas_error(
    graph: Graph, world: Path, metric: str
) -> None:
    video = _posts(world, "instagram", "media_product_type = 'FEED' and media_type = 'VIDEO'")[0]
    answer = graph.get(f"/{video['post_id']}/insights", metric=f"reach,{metric}")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == 100
    assert metric in error["message"] and "media product type" in error["message"]


@pytest.mark.parametrize(
    "retired",
    ["plays", "video_views", "clips_replays_count", "ig_reels_aggregated_all_plays_count"],
)
def test_retired_instagram_play_metrics_get_code_100(
    graph: Graph, world: Path, retired: str
) -> None:
    """Retired for all versions on 2025-04-21 (instagram-media/insights: "plays,
    clips_replays_count, ig_reels_aggregated_all_plays_count, impressions"; video_views)."""
    reel = _posts(world, "instagram", "media_product_type = 'REELS'")[0]
    answer = graph.get(f"/{reel['post_id']}/insights", metric=f"views,{retired}")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


def test_the_source_loads_the_video_metrics(base_url: str, world: Path, tmp_path: Path) -> None:
    db = load_source("meta", base_url, tmp_path, "meta_video")
    fb = {
        (post, metric): value
        for post, metric, value in query(
            db,
            "select post_id, metric, value from raw_meta.facebook_post_insights "
            "where metric like 'post_video_%'",
        )
    }
    for post in _posts(world, "facebook", "format in ('video', 'reel')"):
        assert fb[(post["post_id"], "post_video_length")] == post["video_length_ms"]
        assert fb[(post["post_id"], "post_video_avg_time_watched")] == post["final_avg_watch_ms"]
    ig = dict(
        query(
            db,
            "select media_id, value from raw_meta.instagram_media_insights "
            "where metric = 'ig_reels_video_view_total_time'",
        )
    )
    reels = _posts(world, "instagram", "media_product_type = 'REELS'")
    assert set(ig) == {r["post_id"] for r in reels}
