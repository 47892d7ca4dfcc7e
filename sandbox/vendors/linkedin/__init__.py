"""LinkedIn Community Management API: the sandbox vendor plug-in (see ``sandbox.vendors``).

World tables ``linkedin_organizations``, ``linkedin_posts``, ``linkedin_comments`` (``world.py``);
routes under ``/linkedin/rest/...`` (``api.py``); numbers shared by both in ``stats.py``.
The contract with the dlt source is docs/sources/linkedin.md.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.vendors.linkedin import stats, world
from sandbox.vendors.plugin import Plugin
from sandbox.world.store import now_of, rows, world_info

POST_SERIES_DAYS = 28  # a post's own daily statistics are loaded up to D+28


def post_days(
    post: dict[str, Any], times: dict[str, list[datetime]], today: date, now: datetime
) -> dict[str, dict[str, Any]]:
    """A post's own DAY statistics from its publication day to min(D+28, today), by day."""
    published = post["published_at"].date()
    last = min(published + timedelta(days=POST_SERIES_DAYS), today)
    buckets = stats.bucket_edges(published, last, "DAY")
    values = stats.bucket_stats([post], times, buckets, now)
    return {a.isoformat(): v for (a, _), v in zip(buckets, values, strict=True)}


def build_manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """What a complete LinkedIn load holds as of ``today``, per organization.

    ``post_urns`` newest published first; ``comment_urns`` oldest first; ``posts`` the lifetime
    share statistics per post; ``follower_gains`` ([organic, paid]) and ``share_statistics_daily``
    per day from the later of the world's start and today minus 12 months, to today;
    ``post_statistics_daily`` per post published since that day, its own days up to D+28.
    """
    info = world_info(cur)
    start: date = info["start_date"]
    now = now_of(today)
    first = max(start, stats.window_start(today))
    buckets = stats.bucket_edges(first, today, "DAY")
    out: dict[str, Any] = {}
    totals = {"organizations": 0, "posts": 0, "comments": 0, "brand_replies": 0}
    for org in rows(cur, "SELECT * FROM linkedin_organizations ORDER BY organization_id"):
        org_id = org["organization_id"]
        posts = stats.visible_posts(cur, org_id, now)
        counts = stats.comment_counts(cur, org_id, now)
        comments = cur.execute(
            "SELECT comment_urn, is_brand FROM linkedin_comments WHERE organization_id = ? "
            "AND created_at <= ? ORDER BY created_at, comment_id",
            [org_id, now],
        ).fetchall()
        times = stats.comment_times(cur, org_id, stats.midnight(first), now)
        daily = stats.bucket_stats(posts, times, buckets, now)
        out[org_id] = {
            "brand_id": org["brand_id"],
            "name": org["name"],
            "followers_count": stats.followers(org, start, today),
            "post_urns": [p["post_urn"] for p in posts],
            "edited_post_urns": [
                p["post_urn"] for p in posts if p["edited_at"] is not None and p["edited_at"] <= now
            ],
            "comment_urns": [c[0] for c in comments],
            "brand_replies": sum(1 for c in comments if c[1]),
            "posts": {
                p["post_urn"]: stats.lifetime_stats(p, now, counts.get(p["post_urn"], 0))
                for p in posts
            },
            "follower_gains": {
                a.isoformat(): list(stats.follower_gain(org, start, a)) for a, _ in buckets
            },
            "share_statistics_daily": {
                a.isoformat(): values for (a, _), values in zip(buckets, daily, strict=True)
            },
            "post_statistics_daily": {
                p["post_urn"]: post_days(p, times, today, now)
                for p in posts
                if p["published_at"].date() >= first
            },
        }
        totals["organizations"] += 1
        totals["posts"] += len(posts)
        totals["comments"] += len(comments)
        totals["brand_replies"] += out[org_id]["brand_replies"]
    return {"organizations": out, "totals": totals}


def _api(con: duckdb.DuckDBPyConnection, clock: Any) -> Any:
    from sandbox.vendors.linkedin.api import LinkedInApi

    return LinkedInApi(con, clock)


VENDOR = Plugin(
    name="linkedin",
    order=10,
    generate=world.generate,
    manifest=build_manifest,
    api=_api,
    ddl=world.DDL,
    table_keys=world.TABLE_KEYS,
)

__all__ = ["VENDOR", "build_manifest"]
