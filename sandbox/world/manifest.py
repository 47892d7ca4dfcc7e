"""The ground-truth manifest: what a complete load must contain, as of a given day.

Computed from the world store with the same metric code the API uses, so a test can compare
what the pipeline loaded with what the server could have returned.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import duckdb

from sandbox.vendors import discover
from sandbox.world import metrics
from sandbox.world.engagement_truth import engagement_manifest
from sandbox.world.reputation_truth import reputation_manifest
from sandbox.world.store import followers_on, now_of, open_readonly, rows, world_info


def post_snapshot(
    cat: metrics.Catalogue, post: dict[str, Any], now: Any, comment_count: int
) -> dict[str, int]:
    """Every lifetime metric the API returns for a post at ``now``, flattened.

    Facebook: the live insights plus ``reactions``, ``comments``, ``shares`` (from the post's
    fields); Instagram: the media's insights plus ``like_count`` and ``comments_count``.
    """
    base = metrics.base_values(post, now, comment_count)
    if post["platform"] == "facebook":
        snap = metrics.flatten(metrics.fb_post_metrics(cat, base))
        snap.update(reactions=base["likes"], comments=comment_count, shares=base["shares"])
    else:
        snap = metrics.flatten(metrics.ig_media_metrics(cat, post, base))
        snap.update(like_count=base["likes"], comments_count=comment_count)
    return snap


def build_manifest(
    store: str | os.PathLike[str] | duckdb.DuckDBPyConnection, today: date
) -> dict[str, Any]:
    """Per account: post ids, comment ids, per-post lifetime metrics and followers; plus totals,
    each vendor's part under ``sources``, the engagement marts' truth under ``engagement`` and the
    reputation marts' truth under ``reputation`` (sandbox/world/reputation_truth.py)."""
    own = not isinstance(store, duckdb.DuckDBPyConnection)
    con = open_readonly(store) if own else store
    try:
        cur = con.cursor()
        cat = metrics.load_catalogue()
        info = world_info(cur)
        now = now_of(today)
        counts = dict(
            cur.execute(
                "SELECT post_id, count(*) FROM comments WHERE created_time <= ? GROUP BY post_id",
                [now],
            ).fetchall()
        )
        accounts: dict[str, Any] = {}
        totals = {"accounts": 0, "posts": 0, "comments": 0, "brand_replies": 0}
        for acc in rows(cur, "SELECT * FROM accounts ORDER BY account_id"):
            posts = rows(
                cur,
                "SELECT * FROM posts WHERE account_id = ? AND created_time <= ? "
                "ORDER BY created_time DESC, post_id DESC",
                [acc["account_id"], now],
            )
            comments = cur.execute(
                "SELECT comment_id, is_brand FROM comments WHERE account_id = ? "
                "AND created_time <= ? ORDER BY created_time, comment_id",
                [acc["account_id"], now],
            ).fetchall()
            accounts[acc["account_id"]] = {
                "brand_id": acc["brand_id"],
                "platform": acc["platform"],
                "followers_count": followers_on(acc, info["start_date"], today),
                "post_ids": [p["post_id"] for p in posts],
                "comment_ids": [c[0] for c in comments],
                "posts": {
                    p["post_id"]: post_snapshot(cat, p, now, counts.get(p["post_id"], 0))
                    for p in posts
                },
            }
            totals["accounts"] += 1
            totals["posts"] += len(posts)
            totals["comments"] += len(comments)
            totals["brand_replies"] += sum(1 for c in comments if c[1])
        return {
            "today": today.isoformat(),
            "now": now.isoformat() + "Z",
            "accounts": accounts,
            "totals": totals,
            "sources": {v.name: v.manifest(cur, today) for v in discover()},
            "engagement": engagement_manifest(cur, today),
            "reputation": reputation_manifest(cur, today),
        }
    finally:
        if own:
            con.close()
