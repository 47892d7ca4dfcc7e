"""Sandbox vendor ``youtube``: YouTube Data API v3 + YouTube Analytics API v2.

Served under ``/youtube`` (``/youtube/youtube/v3/...`` for the Data API, ``/youtube/v2/reports``
for Analytics); contract in docs/sources/youtube.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from sandbox.vendors.plugin import Plugin
from sandbox.world.store import days_between, followers_on, now_of

from . import queries as q
from .api import YouTubeApi
from .world import DDL, TABLE_KEYS, generate


def _video_daily_truth(
    cur: duckdb.DuckDBPyConnection, ids: list[str], start: date, last: date
) -> tuple[dict[str, dict[str, Any]], int]:
    """Per video: its channel, the number of served days with activity and the metric sums."""
    daily: dict[str, dict[str, Any]] = {}
    rows = 0
    for channel_id in ids:
        names, found = q.video_days(cur, channel_id, start, last)
        for row in found:
            rec = dict(zip(names, row, strict=True))
            agg = daily.setdefault(rec["video"], dict.fromkeys(("rows", *q.DAILY_METRICS), 0))
            agg["channel_id"] = channel_id
            agg["rows"] += 1
            for metric in q.DAILY_METRICS:
                if metric in q.FLOAT_METRICS:  # averageViewPercentage: sum of views x percent
                    agg[metric] += int(rec["views"]) * float(rec[metric])
                elif metric != "averageViewDuration":
                    agg[metric] += int(rec[metric])
            rows += 1
    return daily, rows


def _channel_daily_truth(
    cur: duckdb.DuckDBPyConnection, channel_id: str, start: date, last: date
) -> dict[str, Any]:
    """The channel-level day report a complete load holds: one row per day the channel existed
    from the world's start, net subscribers straight from the world's follower history
    (``followers_on``), not through the API's code; ``views`` is filled from the video truth."""
    sql = (
        "SELECT subscribers_start, daily_gain, CAST(published_at AS DATE) FROM yt_channels "
        "WHERE channel_id = ?"
    )
    subscribers_start, daily_gain, created = cur.execute(sql, [channel_id]).fetchone()
    account = {
        "account_id": channel_id,
        "followers_start": subscribers_start,
        "daily_gain": daily_gain,
    }
    first = max(start, created)
    days = days_between(first, last) if first <= last else []
    net = {
        d.isoformat(): followers_on(account, start, d)
        - followers_on(account, start, d - timedelta(days=1))
        for d in days
    }
    return {
        "rows": len(days),
        "first_day": days[0].isoformat() if days else None,
        "last_day": days[-1].isoformat() if days else None,
        "net_subscribers": net,
        "views": 0,
    }


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """What a complete load holds as of ``today``: ids, today's statistics, analytics sums."""
    now = now_of(today)
    start = q.world_start(cur)
    ids = [r[0] for r in cur.execute("SELECT channel_id FROM yt_channels ORDER BY 1").fetchall()]
    channels = {
        c["channel_id"]: {
            "brand_id": c["brand_id"],
            "uploads_playlist_id": c["uploads_playlist_id"],
            "subscriber_count": c["subscriber_count"],
            "view_count": int(c["view_count"]),
            "video_count": int(c["video_count"]),
        }
        for c in q.channels(cur, ids, today)
    }
    videos = q.rows(
        cur, q.video_stats_sql("true") + " ORDER BY published_at DESC, video_id DESC", {"now": now}
    )
    comments = cur.execute(
        "SELECT comment_id, is_brand, parent_id FROM yt_comments WHERE published_at <= ? "
        "ORDER BY published_at, comment_id",
        [now],
    ).fetchall()
    last = q.served_end(today, today)
    daily, rows = _video_daily_truth(cur, ids, start, last)
    channel_daily = {c: _channel_daily_truth(cur, c, start, last) for c in ids}
    for agg in daily.values():
        channel_daily[agg.pop("channel_id")]["views"] += agg["views"]
    return {
        "channels": channels,
        "video_ids": [v["video_id"] for v in videos],
        "videos": {
            v["video_id"]: {
                "channel_id": v["channel_id"],
                "is_short": bool(v["is_short"]),
                "published_at": q.as_rfc3339(v["published_at"]),
                "view_count": int(v["view_count"]),
                "like_count": int(v["like_count"]),
                "favorite_count": 0,
                "comment_count": None if v["comment_count"] is None else int(v["comment_count"]),
            }
            for v in videos
        },
        "comments_disabled": sorted(v["video_id"] for v in videos if v["comments_disabled"]),
        "comment_ids": [c[0] for c in comments],
        "daily": {
            "rows": rows,
            "last_day": last.isoformat(),
            "videos": daily,
        },
        "channel_daily": channel_daily,
        "totals": {
            "channels": len(channels),
            "videos": len(videos),
            "shorts": sum(1 for v in videos if v["is_short"]),
            "comments": len(comments),
            "threads": sum(1 for c in comments if c[2] is None),
            "channel_replies": sum(1 for c in comments if c[1]),
            "daily_rows": rows,
            "channel_daily_rows": sum(c["rows"] for c in channel_daily.values()),
        },
    }


VENDOR = Plugin(
    name="youtube",
    order=10,
    generate=generate,
    manifest=manifest,
    api=YouTubeApi,
    ddl=DDL,
    table_keys=TABLE_KEYS,
)
