"""What the X API shows at the clock's now, shared by the API and the manifest.

One module computes visibility and public metrics, so the API and the ground truth cannot
disagree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.world.metrics import age_hours, lifetime
from sandbox.world.store import followers_on, now_of, rows, world_info

from .limits import Settings

VISIBLE = "created_at <= ? AND (deleted_at IS NULL OR deleted_at > ?)"
RECENT_DAYS = 7  # search/recent reaches back seven days
OWN_KINDS = ("post", "brand_reply", "mention_reply")
METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)


def recent_floor(now: datetime) -> datetime:
    """Oldest ``start_time`` search/recent accepts: seven days before now."""
    return now - timedelta(days=RECENT_DAYS)


def reply_counts(cur: duckdb.DuckDBPyConnection, ids: list[str], now: datetime) -> dict[str, int]:
    """Visible direct replies per tweet id (X's ``reply_count``)."""
    if not ids:
        return {}
    return dict(  # one list parameter: a hundred ``?`` take DuckDB longer to bind
        cur.execute(
            "SELECT replied_to_id, count(*) FROM x_tweets WHERE replied_to_id IN "
            f"(SELECT unnest(?)) AND {VISIBLE} GROUP BY 1",
            [ids, now, now],
        ).fetchall()
    )


def public_metrics(tweet: dict[str, Any], now: datetime, replies: int) -> dict[str, int]:
    """Lifetime counts at ``now`` (Meta's growth curve), replies counted from the store."""
    age = age_hours(tweet["created_at"], now)
    return {
        "retweet_count": lifetime(tweet["final_retweets"], age),
        "reply_count": replies,
        "like_count": lifetime(tweet["final_likes"], age),
        "quote_count": lifetime(tweet["final_quotes"], age),
        "bookmark_count": lifetime(tweet["final_bookmarks"], age),
        "impression_count": lifetime(tweet["final_impressions"], age),
    }


def account_view(cur: duckdb.DuckDBPyConnection, user_id: str, today: date) -> dict | None:
    """The user object of a brand account as of ``today`` (None if unknown)."""
    found = rows(cur, "SELECT * FROM x_accounts WHERE user_id = ?", [user_id])
    if not found:
        return None
    acc, now = found[0], now_of(today)
    start = world_info(cur)["start_date"]
    tweets = cur.execute(
        f"SELECT count(*) FROM x_tweets WHERE author_id = ? AND {VISIBLE}", [user_id, now, now]
    ).fetchone()[0]
    followers = followers_on({**acc, "account_id": user_id}, start, today)
    return {**acc, "followers_count": followers, "tweet_count": tweets}


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per brand account: ids a complete load holds as of today (a first run on a long history
    holds fewer: ``first_run_unreachable``), metrics, partial errors."""
    now = now_of(today)
    floor = datetime.combine(today - timedelta(days=RECENT_DAYS - 1), datetime.min.time())
    reach = Settings.from_env()
    accounts: dict[str, Any] = {}
    totals = dict.fromkeys(("accounts", "posts", "mentions", "replies", "partial_errors"), 0)
    for (user_id,) in cur.execute("SELECT user_id FROM x_accounts ORDER BY user_id").fetchall():
        view = account_view(cur, user_id, today)
        own = rows(
            cur,
            f"SELECT * FROM x_tweets WHERE author_id = ? AND {VISIBLE} ORDER BY id_num DESC",
            [user_id, now, now],
        )
        counts = reply_counts(cur, [t["tweet_id"] for t in own], now)
        mentions = cur.execute(
            f"SELECT tweet_id FROM x_tweets WHERE account_id = ? AND author_id <> ? "
            f"AND mentions_brand AND {VISIBLE} ORDER BY id_num DESC",
            [user_id, user_id, now, now],
        ).fetchall()
        replies = cur.execute(
            f"SELECT tweet_id FROM x_tweets WHERE account_id = ? AND kind IN "
            f"('reply', 'brand_reply') AND created_at >= ? AND {VISIBLE} ORDER BY id_num DESC",
            [user_id, floor, now, now],
        ).fetchall()
        missing = cur.execute(
            "SELECT DISTINCT p.tweet_id FROM x_tweets t JOIN x_tweets p "
            "ON p.tweet_id = t.replied_to_id WHERE t.author_id = ? AND t.created_at <= ? "
            "AND (t.deleted_at IS NULL OR t.deleted_at > ?) AND p.deleted_at <= ? ORDER BY 1",
            [user_id, now, now, now],
        ).fetchall()
        accounts[user_id] = {
            "brand_id": view["brand_id"] if view else None,
            "followers_count": view["followers_count"] if view else None,
            "tweet_count": view["tweet_count"] if view else None,
            "post_ids": [t["tweet_id"] for t in own],
            "mention_ids": [m[0] for m in mentions],
            "reply_ids": [r[0] for r in replies],
            "missing_referenced_ids": [m[0] for m in missing],
            # what a first run cannot list: beyond the timelines' reach (3,200 / 800 newest)
            "first_run_unreachable": {
                "posts": max(0, len(own) - reach.reach("tweets")),
                "mentions": max(0, len(mentions) - reach.reach("mentions")),
            },
            "metrics": {
                t["tweet_id"]: public_metrics(t, now, counts.get(t["tweet_id"], 0)) for t in own
            },
        }
        totals["accounts"] += 1
        totals["posts"] += len(own)
        totals["mentions"] += len(mentions)
        totals["replies"] += len(replies)
        totals["partial_errors"] += len(missing)
    return {
        "today": today.isoformat(),
        "replies_since": floor.isoformat() + "Z",
        "accounts": accounts,
        "totals": totals,
    }
