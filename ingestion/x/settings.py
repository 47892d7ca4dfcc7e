"""Constants of the X source: endpoints, field lists, windows, HTTP settings, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, INT, KEY, TEXT, TS

SOURCE_NAME = "x"
DEFAULT_BASE_URL = "https://api.x.com"
DEFAULT_DATASET = "raw_x"
REGISTRY_KEY = "x"

PAGE_SIZE = 100  # max_results maximum of timelines, mentions and recent search
# Posts younger than this get a fresh public_metrics snapshot each run. 8 days keeps a snapshot
# at D+7; X's read quotas (posts read per month) make a 29-day window costly, so X posts have
# no D+28 value in the marts.
METRICS_WINDOW_DAYS = 8
CONVERSATION_WINDOW_DAYS = 9  # conversations of posts younger than this are searched for replies
RECENT_SEARCH_DAYS = 7  # search/recent reaches seven days back (start_time older is a 400)
QUERY_MAX_CHARS = 512  # search query length limit (self-serve tiers)
ARROW_FLUSH_ROWS = 20_000

RESET_SLACK_S = 1.0  # added to the x-rate-limit-reset wait (clock skew)
RUN_WAIT_BUDGET_S = 1800.0  # all rate-window waits of one run: two 15-minute windows

TWEET_FIELDS = (
    "created_at,public_metrics,conversation_id,lang,entities,author_id,in_reply_to_user_id,"
    "referenced_tweets,note_tweet"
)
USER_FIELDS = "created_at,public_metrics,username,name"

_TWEET_BASE: dict[str, dict[str, Any]] = {
    "tweet_id": KEY,
    "user_id": TEXT,
    "text": TEXT,
    "created_at": TS,
    "lang": TEXT,
    "conversation_id": TEXT,
    "author_id": TEXT,
    "is_from_brand": BOOL,
    "in_reply_to_user_id": TEXT,
    "replied_to_id": TEXT,
    "quoted_id": TEXT,
    "retweeted_id": TEXT,
    "referenced_tweets": TEXT,
}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "accounts": {
        "user_id": KEY,
        "brand_id": TEXT,
        "username": TEXT,
        "name": TEXT,
        "created_at": TS,
        "followers_count": INT,
        "following_count": INT,
        "tweet_count": INT,
        "listed_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "posts": {
        **_TWEET_BASE,
        "brand_id": TEXT,
        "hashtags": TEXT,
        "urls": TEXT,
        "fetched_at": TS,
    },
    "post_metrics": {
        "tweet_id": KEY,
        "user_id": TEXT,
        "snapshot_date": DATE_KEY,
        "retweet_count": INT,
        "reply_count": INT,
        "like_count": INT,
        "quote_count": INT,
        "bookmark_count": INT,
        "impression_count": INT,
        "fetched_at": TS,
    },
    "mentions": {**_TWEET_BASE, "fetched_at": TS},
    "replies": {**_TWEET_BASE, "fetched_at": TS},
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


@configspec
class XHttp(HttpConfig):
    """X's retry policy and page size (``sources.x.max_attempts`` etc.).

    X rate windows are 15 minutes, so waiting for ``x-rate-limit-reset`` may take long: a
    larger sleep budget per request, a budget for the whole run (``run_wait_budget_s``) and a
    shorter backoff ceiling than the shared defaults. ``page_size``
    is ``max_results`` of timelines and mentions (5-100; recent search takes at least 10).
    """

    max_total_wait_s: float = 960.0
    backoff_max_s: float = 120.0
    page_size: int | None = PAGE_SIZE
    run_wait_budget_s: float = RUN_WAIT_BUDGET_S
    """All the waits of one run (each request also keeps ``max_total_wait_s``)."""


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = frozenset(
    {"data", "meta", "errors", "includes", "id", "text", "created_at", "public_metrics",
     "retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count",
     "impression_count", "conversation_id", "lang", "entities", "author_id",
     "in_reply_to_user_id", "referenced_tweets", "type", "note_tweet", "username", "name",
     "followers_count", "following_count", "tweet_count", "listed_count", "result_count",
     "newest_id", "oldest_id", "next_token", "title", "detail", "value", "resource_type",
     "parameter", "resource_id", "section"}
)  # fmt: skip
