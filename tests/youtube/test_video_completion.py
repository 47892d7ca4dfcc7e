"""Video completion on YouTube: Analytics ``averageViewPercentage`` (the average share of a
video watched per playback) as the real Reports API serves it, checked against the world's own
columns (``yt_videos.avg_view_s`` / ``duration_s``), and loaded by the source.

Reference: developers.google.com/youtube/analytics/metrics ("averageViewPercentage: The
average percentage of a video watched during a video playback"; a FLOAT in columnHeaders).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.sources.support import START, TODAY, Sandbox, query, world_rows
from tests.youtube.truth import CHANNELS, load, report

SERVED = TODAY - timedelta(days=3)  # Analytics lag 3 days at TODAY


def _world_percent(world: Path) -> dict[str, float]:
    """Each video's average percentage watched, from the generator's table (the oracle)."""
    rows = world_rows(world, "select video_id, avg_view_s, duration_s from yt_videos")
    return {video: round(100.0 * watched / length, 2) for video, watched, length in rows}


def _rows(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    names = [h["name"] for h in body["columnHeaders"]]
    return [dict(zip(names, row, strict=True)) for row in body.get("rows", [])]


def _day_report(url: str, channel: str, **params: Any) -> Any:
    return report(
        url,
        ids=f"channel=={channel}",
        startDate=START.isoformat(),
        endDate=TODAY.isoformat(),
        dimensions="day",
        **params,
    )


def _active_videos(world: Path, channel: str) -> list[str]:
    """Videos of ``channel`` published early enough to have several served days."""
    rows = world_rows(
        world,
        "select video_id from yt_videos where channel_id = ? and published_at < ? "
        "order by published_at, video_id",
        [channel, START + timedelta(days=20)],
    )
    return [r[0] for r in rows]


def test_a_videos_day_report_serves_its_average_percentage_as_a_float(
    world: Path, sandbox: Sandbox
) -> None:
    want = _world_percent(world)
    video = _active_videos(world, CHANNELS[0])[0]
    answer = _day_report(
        sandbox.url, CHANNELS[0], metrics="views,averageViewPercentage", filters=f"video=={video}"
    )
    headers = {h["name"]: h["dataType"] for h in answer.json()["columnHeaders"]}
    assert headers == {"day": "STRING", "views": "INTEGER", "averageViewPercentage": "FLOAT"}
    rows = _rows(answer)
    watched = [r for r in rows if r["views"] > 0]
    assert watched, rows
    assert all(r["averageViewPercentage"] == want[video] for r in watched), (want[video], rows)
    assert all(r["averageViewPercentage"] == 0 for r in rows if r["views"] == 0)


def test_several_videos_weight_each_percentage_by_its_views(world: Path, sandbox: Sandbox) -> None:
    """``filters=video==a,b`` sums the videos per day: the day's percentage is the mean over
    playbacks, each video's percentage weighted by its views that day (hand-computed)."""
    want = _world_percent(world)
    first, second = _active_videos(world, CHANNELS[0])[:2]
    views: dict[str, dict[str, int]] = {}
    for video in (first, second):
        rows = _rows(
            _day_report(sandbox.url, CHANNELS[0], metrics="views", filters=f"video=={video}")
        )
        views[video] = {r["day"]: r["views"] for r in rows}
    both = _rows(
        _day_report(
            sandbox.url,
            CHANNELS[0],
            metrics="views,averageViewPercentage",
            filters=f"video=={first},{second}",
        )
    )
    checked = 0
    for row in both:
        a, b = views[first].get(row["day"], 0), views[second].get(row["day"], 0)
        if a and b:
            mean = (a * want[first] + b * want[second]) / (a + b)
            assert abs(row["averageViewPercentage"] - mean) < 0.006, (row, a, b)
            checked += 1
    assert checked >= 3


def test_top_videos_serve_each_videos_percentage_and_refuse_sorting_on_it(
    world: Path, sandbox: Sandbox
) -> None:
    want = _world_percent(world)
    top = dict(
        dimensions="video",
        ids=f"channel=={CHANNELS[1]}",
        startDate=SERVED.isoformat(),
        endDate=SERVED.isoformat(),
        metrics="views,averageViewPercentage",
        maxResults=200,
    )
    rows = _rows(report(sandbox.url, sort="-views", **top))
    assert rows
    assert all(r["averageViewPercentage"] == want[r["video"]] for r in rows)
    # The real API sorts top videos on a short list of metrics (the analytix library's
    # TopVideos sort options); averageViewPercentage is not one of them.
    refused = report(sandbox.url, sort="-averageViewPercentage", **top)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("The query is not supported.")


def test_an_unknown_metric_name_is_refused(sandbox: Sandbox) -> None:
    answer = _day_report(sandbox.url, CHANNELS[0], metrics="views,averageViewPercent")
    assert answer.status_code == 400
    assert "averageViewPercent" in answer.json()["error"]["message"]


def test_the_source_loads_each_days_percentage(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    want = _world_percent(world)
    db = load(sandbox.url, tmp_path, resources=("video_daily",))
    rows = query(db, "select video_id, views, average_view_percentage from raw_youtube.video_daily")
    watched = [r for r in rows if r[1] > 0]
    assert len(watched) > 50
    assert all(isinstance(r[2], float) for r in rows)
    assert {(v, pct) for v, _, pct in watched} == {(v, want[v]) for v, _, _ in watched}
    assert all(pct == 0 for _, views, pct in rows if views == 0)
