"""Constants of the X source: endpoints, field lists, windows, retry defaults, table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "x"
DEFAULT_BASE_URL = "https://api.x.com"
DEFAULT_DATASET = "raw_x"
REGISTRY_KEY = "x"

PAGE_SIZE = 100  # max_results maximum of timelines, mentions and recent search
METRICS_WINDOW_DAYS = 7  # posts younger than this get a fresh public_metrics snapshot each run
CONVERSATION_WINDOW_DAYS = 9  # conversations of posts younger than this are searched for replies
RECENT_SEARCH_DAYS = 7  # search/recent reaches seven days back (start_time older is a 400)
QUERY_MAX_CHARS = 512  # search query length limit (self-serve tiers)
ARROW_FLUSH_ROWS = 20_000

# Retry defaults: X windows are 15 minutes, so waiting for x-rate-limit-reset may take long.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 960.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 120.0
REQUEST_TIMEOUT_S = 60.0
RESET_SLACK_S = 1.0  # added to the x-rate-limit-reset wait (clock skew)

TWEET_FIELDS = (
    "created_at,public_metrics,conversation_id,lang,entities,author_id,in_reply_to_user_id,"
    "referenced_tweets"
)
USER_FIELDS = "created_at,public_metrics,username,name"

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_BOOL = {"data_type": "bool"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}
_TWEET_BASE: dict[str, dict[str, Any]] = {
    "tweet_id": _KEY,
    "user_id": _TEXT,
    "text": _TEXT,
    "created_at": _TS,
    "lang": _TEXT,
    "conversation_id": _TEXT,
    "author_id": _TEXT,
    "is_from_brand": _BOOL,
    "in_reply_to_user_id": _TEXT,
    "replied_to_id": _TEXT,
    "quoted_id": _TEXT,
    "referenced_tweets": _TEXT,
}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "accounts": {
        "user_id": _KEY,
        "brand_id": _TEXT,
        "username": _TEXT,
        "name": _TEXT,
        "created_at": _TS,
        "followers_count": _INT,
        "following_count": _INT,
        "tweet_count": _INT,
        "listed_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "posts": {
        **_TWEET_BASE,
        "brand_id": _TEXT,
        "hashtags": _TEXT,
        "urls": _TEXT,
        "fetched_at": _TS,
    },
    "post_metrics": {
        "tweet_id": _KEY,
        "user_id": _TEXT,
        "snapshot_date": _DATE_KEY,
        "retweet_count": _INT,
        "reply_count": _INT,
        "like_count": _INT,
        "quote_count": _INT,
        "bookmark_count": _INT,
        "impression_count": _INT,
        "fetched_at": _TS,
    },
    "mentions": {**_TWEET_BASE, "fetched_at": _TS},
    "replies": {**_TWEET_BASE, "fetched_at": _TS},
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("user_id", "snapshot_date"),
    "posts": ("tweet_id",),
    "post_metrics": ("tweet_id", "snapshot_date"),
    "mentions": ("tweet_id",),
    "replies": ("tweet_id",),
}
PUBLIC_METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)
