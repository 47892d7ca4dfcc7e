"""Ground truth for the reputation marts: ``manifest["reputation"]``, from the world tables only.

Everything is as of ``today`` (``now`` = today 23:59:59 UTC) with the APIs' visibility rules,
and counted exactly like this (the dbt side must match it):

* **Inbound item**: a comment, reply, mention or review not written by the brand's own account.
  ``comment``: Facebook/Instagram comments and replies (``comments``), LinkedIn comments and
  replies, YouTube top-level comments and replies, and X replies in the conversations of the
  brand's posts (fan replies to the brand *and* fans answering fans); ``mention``: X mentions
  (see below); ``review``: Google Business Profile and Trustpilot reviews.
* **Loads** (``loads_from``, default ``today``: one complete load on ``today``): a pipeline that
  loads every day from ``loads_from`` to ``today`` sees every X reply that names the brand
  (the mentions timeline serves them, whatever their age) but a fan's reply to a fan only from
  00:00 six days before ``loads_from`` (search/recent reaches back 7 days) and keeps a
  mention deleted after the end of the day it was loaded on: a mention counts unless it was
  deleted before 23:59:59 of max(its own day, ``loads_from``). Nothing else is ever deleted.
* **Thread**: Facebook/Instagram/LinkedIn/YouTube: a top-level comment and its replies; X: an
  item and the tweets whose ``replied_to`` is that item; a review and its reply.
* **Brand reply**: a reply written by the brand's account (Page, IG owner, organization,
  channel, X account, review reply) in the thread of an inbound item, visible at ``now``.
  ``brand_replies`` counts them all (several per thread included).
* **First response** of an item: the earliest brand reply in its thread created strictly after
  the item (a brand reply before a fan's reply does not answer that reply; a fan's reply never
  answers anything). ``answered``: items with one; ``unanswered`` = ``inbound`` - ``answered``.
* **Response minutes**: (first response - item) in seconds / 60, unrounded;
  ``median_response_minutes``: the median over answered items (the mean of the two middle
  values for an even count: ``percentile_cont(0.5)``), rounded to 3 decimals; null without one.
* **Reviews**: per brand and platform, count and the current rating distribution (Trustpilot:
  the edited stars once the edit is visible; Google: ``starRating``).
* **Negative** (``negative_daily``): a review rated 1-2, or a comment/mention whose generator
  label is ``negative`` (top-level comments, X mentions and X replies to the brand: a reply
  inside a thread carries no label of its own), by the brand's local calendar day.
* **Crisis / control**: the ``care_plan`` table (sandbox/world/care.py) and the items the
  crisis planted (``crisis_items``) visible at ``now``.
* **Undisclosed partnerships**: content posts (``engagement_truth``) flagged as partnerships
  without a disclosure, as ``post_key`` = platform:post_id.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.world.engagement_truth import _content_sql
from sandbox.world.store import now_of, rows

# Per platform (when its tables exist): inbound items and brand replies, one shape each.
# items: brand_id, channel, platform, item_id, thread, received_at, is_negative, rating
# replies: platform, thread, replied_at
ITEMS = {
    "comments": """
        SELECT a.brand_id, 'comment', c.platform, c.comment_id, coalesce(c.parent_id, c.comment_id),
               c.created_time, c.parent_id IS NULL AND c.sentiment = 'negative', NULL
        FROM comments c JOIN accounts a USING (account_id)
        WHERE NOT c.is_brand AND c.created_time <= $now""",
    "linkedin_comments": """
        SELECT o.brand_id, 'comment', 'linkedin', c.comment_id, coalesce(c.parent_id, c.comment_id),
               c.created_at, c.parent_id IS NULL AND c.sentiment = 'negative', NULL
        FROM linkedin_comments c JOIN linkedin_organizations o USING (organization_id)
        JOIN linkedin_posts p ON p.post_urn = c.post_urn
        WHERE NOT c.is_brand AND c.created_at <= $now AND p.published_at <= $now""",
    "yt_comments": """
        SELECT ch.brand_id, 'comment', 'youtube', c.comment_id, c.thread_id, c.published_at,
               c.parent_id IS NULL AND c.sentiment = 'negative', NULL
        FROM yt_comments c JOIN yt_channels ch USING (channel_id)
        WHERE NOT c.is_brand AND c.published_at <= $now""",
    "x_tweets": """
        SELECT a.brand_id, CASE WHEN t.kind = 'mention' THEN 'mention' ELSE 'comment' END, 'x',
               t.tweet_id, t.tweet_id, t.created_at,
               t.sentiment = 'negative'
                   AND (t.kind = 'mention' OR t.in_reply_to_user_id = a.user_id), NULL
        FROM x_tweets t JOIN x_accounts a ON a.user_id = t.account_id
        WHERE t.kind IN ('mention', 'reply') AND t.created_at <= $now
          AND (t.deleted_at IS NULL OR t.deleted_at > CAST(greatest(CAST(t.created_at AS DATE),
               $first_load) AS TIMESTAMP) + INTERVAL 86399 SECOND)
          AND (t.kind = 'mention' OR t.mentions_brand OR t.created_at >= $x_since)""",
    "gbp_reviews": """
        SELECT brand_id, 'review', 'google_business', review_id, review_id, create_time,
               star_rating <= 2, star_rating
        FROM gbp_reviews WHERE create_time <= $now""",
    "trustpilot_reviews": """
        SELECT brand_id, 'review', 'trustpilot', review_id, review_id, created_at,
               rating <= 2, rating
        FROM (SELECT *, CASE WHEN edited_at <= $now THEN edited_stars ELSE stars END AS rating
              FROM trustpilot_reviews) WHERE created_at <= $now""",
}
REPLIES = {
    "comments": """SELECT platform, parent_id, created_time FROM comments
        WHERE is_brand AND created_time <= $now""",
    "linkedin_comments": """SELECT 'linkedin', parent_id, created_at FROM linkedin_comments
        WHERE is_brand AND created_at <= $now""",
    "yt_comments": """SELECT 'youtube', thread_id, published_at FROM yt_comments
        WHERE is_brand AND published_at <= $now""",
    "x_tweets": """SELECT 'x', replied_to_id, created_at FROM x_tweets
        WHERE kind IN ('brand_reply', 'mention_reply') AND created_at <= $now
          AND (deleted_at IS NULL OR deleted_at > $now)""",
    "gbp_reviews": """SELECT 'google_business', review_id, reply_time FROM gbp_reviews
        WHERE reply_time <= $now""",
    "trustpilot_reviews": """SELECT 'trustpilot', review_id, reply_at FROM trustpilot_reviews
        WHERE reply_at <= $now""",
}
ITEM_COLUMNS = "brand_id, channel, platform, item_id, thread, received_at, is_negative, rating"


def _tables(cur: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _items(cur: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inbound item with its first response and the number of brand replies in its
    thread (an X/review thread is the item's own; a comment thread is shared)."""
    tables = _tables(cur)
    items = " UNION ALL ".join(sql for t, sql in ITEMS.items() if t in tables)
    replies = " UNION ALL ".join(sql for t, sql in REPLIES.items() if t in tables)
    return rows(
        cur,
        f"""WITH items ({ITEM_COLUMNS}) AS ({items}),
        replies (platform, thread, replied_at) AS ({replies}),
        answered AS (
            SELECT i.platform, i.item_id, min(r.replied_at) AS first_response_at
            FROM items i JOIN replies r
              ON r.platform = i.platform AND r.thread = i.thread AND r.replied_at > i.received_at
            GROUP BY ALL)
        SELECT i.*, a.first_response_at,
               date_diff('millisecond', i.received_at, a.first_response_at) / 60000.0
                   AS response_minutes,
               CAST(timezone(b.timezone, i.received_at AT TIME ZONE 'UTC') AS DATE) AS local_day
        FROM items i JOIN brands b USING (brand_id)
        LEFT JOIN answered a USING (platform, item_id)
        ORDER BY i.platform, i.item_id""",
        params,
    )


def _thread_replies(cur: duckdb.DuckDBPyConnection, params: dict[str, Any], items: list) -> dict:
    """Brand replies per (brand, channel, platform), in threads that hold a counted item."""
    tables = _tables(cur)
    replies = " UNION ALL ".join(sql for t, sql in REPLIES.items() if t in tables)
    found = cur.execute(
        f"SELECT platform, thread, count(*) FROM ({replies}) AS r (platform, thread, replied_at) "
        "GROUP BY ALL",
        params,
    ).fetchall()
    per_thread = {(p, t): n for p, t, n in found}
    threads = {(i["brand_id"], i["channel"], i["platform"], i["thread"]) for i in items}
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for brand_id, channel, platform, thread in threads:
        out[(brand_id, channel, platform)] += per_thread.get((platform, thread), 0)
    return out


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    minutes = [i["response_minutes"] for i in items if i["first_response_at"] is not None]
    return {
        "inbound": len(items),
        "answered": len(minutes),
        "unanswered": len(items) - len(minutes),
        "median_response_minutes": _median(minutes),
    }


def _reviews(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in items:
        if i["channel"] != "review":
            continue
        entry = out.setdefault(
            i["platform"], {"reviews": 0, "ratings": {str(s): 0 for s in range(1, 6)}}
        )
        entry["reviews"] += 1
        entry["ratings"][str(i["rating"])] += 1
    return out


def _per_brand(items: list[dict[str, Any]], replies: dict) -> dict[str, Any]:
    """Per brand: totals, per channel/platform breakdown, reviews, negatives by local day."""
    grouped: dict[str, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
    for i in items:
        grouped[i["brand_id"]][(i["channel"], i["platform"])].append(i)
    brands: dict[str, Any] = {}
    for brand_id, parts in sorted(grouped.items()):
        every = [i for part in parts.values() for i in part]
        by = {}
        for (channel, platform), part in sorted(parts.items()):
            key = f"{channel}/{platform}"
            by[key] = {**_summary(part), "brand_replies": replies[(brand_id, channel, platform)]}
        negatives: dict[str, int] = defaultdict(int)
        for i in every:
            if i["is_negative"]:
                negatives[i["local_day"].isoformat()] += 1
        brands[brand_id] = {
            **_summary(every),
            "brand_replies": sum(v["brand_replies"] for v in by.values()),
            "by_channel_platform": by,
            "reviews": _reviews(every),
            "negative_daily": dict(sorted(negatives.items())),
        }
    return brands


def _plan(cur: duckdb.DuckDBPyConnection, now: datetime) -> dict[str, Any]:
    plan = rows(cur, "SELECT * FROM care_plan ORDER BY brand_id")
    crises = []
    for p in plan:
        if p["role"] != "crisis" or p["day"] is None or p["day"] > now.date():
            continue
        crises.append({"brand_id": p["brand_id"], "day": p["day"].isoformat()})
    control = next((p["brand_id"] for p in plan if p["role"] == "control"), None)
    speeds = {p["brand_id"]: p["response_speed"] for p in plan}
    return {"crises": crises, "control_brand": control, "response_speed": speeds}


def _crisis_items(cur: duckdb.DuckDBPyConnection, items: list[dict[str, Any]]) -> dict:
    """Planted crisis items visible at now: (brand, channel/platform) -> count."""
    visible = {(i["platform"], i["item_id"]) for i in items}
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for brand_id, platform, channel, item_id in cur.execute(
        "SELECT brand_id, platform, channel, item_id FROM crisis_items"
    ).fetchall():
        if (platform, item_id) in visible:
            out[brand_id][f"{channel}/{platform}"] += 1
    return {b: dict(sorted(v.items())) for b, v in out.items()}


def _undisclosed(cur: duckdb.DuckDBPyConnection, now: datetime) -> dict[str, list[str]]:
    found = cur.execute(
        f"""{_content_sql()}
        SELECT brand_id, platform || ':' || post_id FROM content
        WHERE is_partnership AND NOT is_disclosed ORDER BY 1, 2""",
        {"now": now},
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for brand_id, post_key in found:
        out[brand_id].append(post_key)
    return dict(out)


def reputation_manifest(
    cur: duckdb.DuckDBPyConnection, today: date, loads_from: date | None = None
) -> dict[str, Any]:
    """The reputation truth as of ``today`` for daily loads from ``loads_from`` (default: one
    load on ``today``); see the module docstring for every rule."""
    now, first = now_of(today), loads_from or today
    since = datetime.combine(first - timedelta(days=6), datetime.min.time())
    params = {"now": now, "x_since": since, "first_load": first}
    items = _items(cur, params)
    replies = _thread_replies(cur, {"now": now}, items)
    plan = _plan(cur, now)
    crisis_items = _crisis_items(cur, items)
    for crisis in plan["crises"]:
        crisis["items"] = crisis_items.get(crisis["brand_id"], {})
    return {
        "today": today.isoformat(),
        "loads_from": first.isoformat(),
        "x_replies_since": since.isoformat() + "Z",
        "brands": _per_brand(items, replies),
        **plan,
        "undisclosed_partnerships": _undisclosed(cur, now),
    }
