"""Constants of the Meta source: endpoints, field lists, metric catalogues, table columns.

Metric catalogues change every few months at Meta (impressions were removed in 2025), so the
metric lists are only defaults: override them with source arguments / ``.dlt/config.toml``.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, INT, KEY, TEXT, TS

SOURCE_NAME = "meta"
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
DEFAULT_DATASET = "raw_meta"

# Posts younger than this are re-listed with fresh insights and comments each run: 29 days keeps
# a snapshot at D+28 (a post of any hour of day D is still inside on day D+28), the marts' last age.
INSIGHTS_WINDOW_DAYS = 29
PAGE_SIZE = 100  # Graph maximum for list edges
LOOKUP_BATCH = 50  # Graph maximum ids per multi-id lookup
FOLLOWERS_BACKFILL_DAYS = 365  # first run: how much of the Page follower series to fetch
FOLLOWERS_REFETCH_DAYS = 3  # later runs: re-read the last days (Meta revises recent values)
PAGE_INSIGHTS_MAX_DAYS = 90  # Graph limit per since/until call on Page insights
IG_FOLLOWER_DAYS = 28  # IG follower_count is only served for the last 30 days

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
    # Video completion (graph-api/reference/insights, "Page Video Posts"; times in ms).
    "post_video_avg_time_watched",
    "post_video_length",
    "post_video_complete_views_organic",
)
IG_MEDIA_METRICS = ("reach", "likes", "comments", "saved", "shares", "views", "total_interactions")
# Reels only (a FEED video answers code 100); milliseconds (instagram-media/insights).
IG_REELS_EXTRA_METRICS = ("ig_reels_avg_watch_time", "ig_reels_video_view_total_time")
IG_FEED_EXTRA_METRICS = ("follows", "profile_visits")  # FEED images and carousels only
IG_FEED_EXTRA_MEDIA_TYPES = frozenset({"IMAGE", "CAROUSEL_ALBUM"})
FB_FOLLOWS_METRIC = "page_follows"
IG_FOLLOWER_METRIC = "follower_count"


COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "facebook_pages": {
        "page_id": KEY,
        "brand_id": TEXT,
        "name": TEXT,
        "username": TEXT,
        "category": TEXT,
        "link": TEXT,
        "followers_count": INT,
        "fan_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "instagram_accounts": {
        "ig_user_id": KEY,
        "brand_id": TEXT,
        "username": TEXT,
        "name": TEXT,
        "followers_count": INT,
        "follows_count": INT,
        "media_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "facebook_posts": {
        "post_id": KEY,
        "page_id": TEXT,
        "message": TEXT,
        "created_time": TS,
        "permalink_url": TEXT,
        "status_type": TEXT,
        "full_picture": TEXT,
        "attachment_type": TEXT,
        "attachment_media_type": TEXT,
        "link_url": TEXT,
        "fetched_at": TS,
    },
    "instagram_media": {
        "media_id": KEY,
        "ig_user_id": TEXT,
        "caption": TEXT,
        "media_type": TEXT,
        "media_product_type": TEXT,
        "permalink": TEXT,
        "shortcode": TEXT,
        "timestamp": TS,
        "username": TEXT,
        "is_comment_enabled": BOOL,
        "fetched_at": TS,
    },
    "facebook_post_insights": {
        "post_id": KEY,
        "page_id": TEXT,
        "snapshot_date": DATE_KEY,
        "metric": KEY,
        "value": INT,
        "fetched_at": TS,
    },
    "instagram_media_insights": {
        "media_id": KEY,
        "ig_user_id": TEXT,
        "snapshot_date": DATE_KEY,
        "metric": KEY,
        "value": INT,
        "fetched_at": TS,
    },
    "facebook_comments": {
        "comment_id": KEY,
        "post_id": TEXT,
        "page_id": TEXT,
        "parent_id": TEXT,
        "message": TEXT,
        "created_time": TS,
        "like_count": INT,
        "comment_count": INT,
        "author_id_hash": TEXT,
        "author_name_hash": TEXT,
        "is_from_page": BOOL,
        "fetched_at": TS,
    },
    "instagram_comments": {
        "comment_id": KEY,
        "media_id": TEXT,
        "ig_user_id": TEXT,
        "parent_id": TEXT,
        "text": TEXT,
        "timestamp": TS,
        "like_count": INT,
        "author_id_hash": TEXT,
        "author_username_hash": TEXT,
        "is_from_owner": BOOL,
        "fetched_at": TS,
    },
    "facebook_page_follows": {
        "page_id": KEY,
        "date": DATE_KEY,
        "followers": INT,
        "fetched_at": TS,
    },
    "instagram_follower_gains": {
        "ig_user_id": KEY,
        "date": DATE_KEY,
        "follower_gain": INT,
        "fetched_at": TS,
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


@configspec
class MetaHttp(HttpConfig):
    """Meta's retry policy and page size (``sources.meta.max_attempts`` etc.).

    The shared retry defaults hold: Meta may ask to wait minutes
    (``estimated_time_to_regain_access``), which the 900 s budget allows; its error codes are
    in errors.py. ``page_size`` is the ``limit`` of list and comment edges (at most
    ``PAGE_SIZE``).
    """

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = frozenset(
    {"id", "name", "username", "category", "link", "followers_count", "fan_count",
     "follows_count", "media_count", "message", "created_time", "permalink_url", "status_type",
     "full_picture", "shares", "count", "attachments", "data", "media", "media_type", "type",
     "url", "unshimmed_url", "reactions", "comments", "summary", "total_count", "caption",
     "comments_count", "like_count", "media_product_type", "permalink", "shortcode",
     "timestamp", "owner", "is_comment_enabled", "comment_count", "parent", "from", "text",
     "replies", "parent_id", "paging", "cursors", "before", "after", "next", "previous",
     "insights", "values", "value", "end_time", "period", "title", "total_value"}
)  # fmt: skip
