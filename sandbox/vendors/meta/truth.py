"""Meta's ground truth: what a complete load of the Graph API holds as of a given day.

Computed from the world store with the same metric code the API uses
(``sandbox.vendors.meta.metrics``), so a test can compare what the pipeline loaded with what
the server could have returned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from sandbox.vendors.meta import metrics
from sandbox.world.store import followers_on, now_of, rows, world_info


def insights_refused(account: dict[str, Any], post: dict[str, Any]) -> bool:
    """IG media posted before the account's business conversion: Meta refuses its insights
    (code 100, subcode 2108006; ``refusals.check_business_media``)."""
    converted = account.get("business_converted_at")
    return converted is not None and post["created_time"] < converted


def post_snapshot(
    cat: metrics.Catalogue,
    post: dict[str, Any],
    now: datetime,
    comment_count: int,
    refused: bool = False,
) -> dict[str, int]:
    """Every lifetime metric the API returns for a post at ``now``, flattened.

    Facebook: the live insights plus ``reactions``, ``comments``, ``shares`` (from the post's
    fields); Instagram: the media's insights plus ``like_count`` and ``comments_count``, only
    the two counts when Meta refuses the media's insights (``refused``).
    """
    base = metrics.base_values(post, now, comment_count)
    if post["platform"] == "facebook":
        snap = metrics.flatten(metrics.fb_post_metrics(cat, base))
        snap.update(reactions=base["likes"], comments=comment_count, shares=base["shares"])
    else:
        snap = {} if refused else metrics.flatten(metrics.ig_media_metrics(cat, post, base))
        snap.update(like_count=base["likes"], comments_count=comment_count)
    return snap


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per account: post ids (newest first), comment ids, per-post lifetime metrics,
    followers and the media whose insights Meta refuses (``insights_refused``); plus totals."""
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
    totals = {"accounts": 0, "posts": 0, "comments": 0, "brand_replies": 0, "insights_refused": 0}
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
        refused = [p["post_id"] for p in posts if insights_refused(acc, p)]
        accounts[acc["account_id"]] = {
            "brand_id": acc["brand_id"],
            "platform": acc["platform"],
            "followers_count": followers_on(acc, info["start_date"], today),
            "post_ids": [p["post_id"] for p in posts],
            "comment_ids": [c[0] for c in comments],
            "posts": {
                p["post_id"]: post_snapshot(
                    cat, p, now, counts.get(p["post_id"], 0), p["post_id"] in refused
                )
                for p in posts
            },
            "insights_refused": refused,
        }
        totals["accounts"] += 1
        totals["posts"] += len(posts)
        totals["comments"] += len(comments)
        totals["brand_replies"] += sum(1 for c in comments if c[1])
        totals["insights_refused"] += len(refused)
    return {"accounts": accounts, "totals": totals}
