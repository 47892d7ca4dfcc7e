"""Constants of the Meta source: endpoints, field lists, metric catalogues, table columns.

Metric catalogues change every few months at Meta (impressions were removed in 2025), so the
metric lists are only defaults: override them with source arguments / ``.dlt/config.toml``.
"""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "meta"
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
DEFAULT_DATASET = "raw_meta"

INSIGHTS_WINDOW_DAYS = 28
PAGE_SIZE = 100  # Graph maximum for list edges
LOOKUP_BATCH = 50  # Graph maximum ids per multi-id lookup
FOLLOWERS_BACKFILL_DAYS = 365  # first run: how much of the Page follower series to fetch
FOLLOWERS_REFETCH_DAYS = 3  # later runs: re-read the last days (Meta revises recent values)
PAGE_INSIGHTS_MAX_DAYS = 90  # Graph limit per since/until call on Page insights
IG_FOLLOWER_DAYS = 28  # IG follower_count is only served for the last 30 days
ARROW_FLUSH_ROWS = 20_000  # insights rows buffered before yielding one Arrow table

# Retry defaults: sane for production (Meta may ask to wait minutes); tests pass small ones.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80005, 80006, 80008, 80014})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error" / "service temporarily unavailable"
AUTH_CODES = frozenset({190})
PERMISSION_CODES = frozenset({10}) | frozenset(range(200, 300))
SUBCODE_NOT_BUSINESS_MEDIA = 2108006  # IG media posted before the business conversion

PAGE_FIELDS = "id,name,username,category,link,followers_count,fan_count"
IG_ACCOUNT_FIELDS = "id,username,name,followers_count,follows_count,media_count"
FB_POST_FIELDS = (
    "id,message,created_time,permalink_url,status_type,full_picture,shares,attachments,"
    "reactions.limit(0).summary(true),comments.limit(0).summary(true)"
)
IG_MEDIA_FIELDS = (
    "id,caption,comments_count,like_count,media_type,media_product_type,permalink,shortcode,"
    "timestamp,username,owner{id},is_comment_enabled"
)
FB_COMMENT_FIELDS = "id,message,created_time,like_count,comment_count,parent{id},from{id,name}"
_IG_COMMENT_BASE = "id,text,timestamp,username,like_count,from{id,username}"
IG_COMMENT_FIELDS = f"{_IG_COMMENT_BASE},replies{{{_IG_COMMENT_BASE},parent_id}}"

FB_POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_clicks_by_type",
    "post_reactions_by_type_total",
    "post_video_views",
)
IG_MEDIA_METRICS = ("reach", "likes", "comments", "saved", "shares", "views", "total_interactions")
IG_REELS_EXTRA_METRICS = ("ig_reels_avg_watch_time",)
IG_FEED_EXTRA_METRICS = ("follows", "profile_visits")  # FEED images and carousels only
IG_FEED_EXTRA_MEDIA_TYPES = frozenset({"IMAGE", "CAROUSEL_ALBUM"})
FB_FOLLOWS_METRIC = "page_follows"
IG_FOLLOWER_METRIC = "follower_count"

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}
_BOOL = {"data_type": "bool"}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "facebook_pages": {
        "page_id": _KEY,
        "brand_id": _TEXT,
        "name": _TEXT,
        "username": _TEXT,
        "category": _TEXT,
        "link": _TEXT,
        "followers_count": _INT,
        "fan_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "instagram_accounts": {
        "ig_user_id": _KEY,
        "brand_id": _TEXT,
        "username": _TEXT,
        "name": _TEXT,
        "followers_count": _INT,
        "follows_count": _INT,
        "media_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "facebook_posts": {
        "post_id": _KEY,
        "page_id": _TEXT,
        "message": _TEXT,
        "created_time": _TS,
        "permalink_url": _TEXT,
        "status_type": _TEXT,
        "full_picture": _TEXT,
        "attachment_type": _TEXT,
        "attachment_media_type": _TEXT,
        "link_url": _TEXT,
        "fetched_at": _TS,
    },
    "instagram_media": {
        "media_id": _KEY,
        "ig_user_id": _TEXT,
        "caption": _TEXT,
        "media_type": _TEXT,
        "media_product_type": _TEXT,
        "permalink": _TEXT,
        "shortcode": _TEXT,
        "timestamp": _TS,
        "username": _TEXT,
        "is_comment_enabled": _BOOL,
        "fetched_at": _TS,
    },
    "facebook_post_insights": {
        "post_id": _KEY,
        "page_id": _TEXT,
        "snapshot_date": _DATE_KEY,
        "metric": _KEY,
        "value": _INT,
        "fetched_at": _TS,
    },
    "instagram_media_insights": {
        "media_id": _KEY,
        "ig_user_id": _TEXT,
        "snapshot_date": _DATE_KEY,
        "metric": _KEY,
        "value": _INT,
        "fetched_at": _TS,
    },
    "facebook_comments": {
        "comment_id": _KEY,
        "post_id": _TEXT,
        "page_id": _TEXT,
        "parent_id": _TEXT,
        "message": _TEXT,
        "created_time": _TS,
        "like_count": _INT,
        "comment_count": _INT,
        "author_id_hash": _TEXT,
        "author_name_hash": _TEXT,
        "is_from_page": _BOOL,
        "fetched_at": _TS,
    },
    "instagram_comments": {
        "comment_id": _KEY,
        "media_id": _TEXT,
        "ig_user_id": _TEXT,
        "parent_id": _TEXT,
        "text": _TEXT,
        "timestamp": _TS,
        "like_count": _INT,
        "author_id_hash": _TEXT,
        "author_username_hash": _TEXT,
        "is_from_owner": _BOOL,
        "fetched_at": _TS,
    },
    "facebook_page_follows": {
        "page_id": _KEY,
        "date": _DATE_KEY,
        "followers": _INT,
        "fetched_at": _TS,
    },
    "instagram_follower_gains": {
        "ig_user_id": _KEY,
        "date": _DATE_KEY,
        "follower_gain": _INT,
        "fetched_at": _TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "facebook_pages": ("page_id", "snapshot_date"),
    "instagram_accounts": ("ig_user_id", "snapshot_date"),
    "facebook_posts": ("post_id",),
    "instagram_media": ("media_id",),
    "facebook_post_insights": ("post_id", "snapshot_date", "metric"),
    "instagram_media_insights": ("media_id", "snapshot_date", "metric"),
    "facebook_comments": ("comment_id",),
    "instagram_comments": ("comment_id",),
    "facebook_page_follows": ("page_id", "date"),
    "instagram_follower_gains": ("ig_user_id", "date"),
}
