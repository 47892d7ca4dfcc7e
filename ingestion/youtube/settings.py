"""Constants of the YouTube source: hosts, paging limits, windows, retry defaults, table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "youtube"
DEFAULT_DATASET = "raw_youtube"
DEFAULT_BASE_URL = "https://www.googleapis.com"  # Data API under /youtube/v3
DEFAULT_ANALYTICS_BASE_URL = "https://youtubeanalytics.googleapis.com"  # Analytics under /v2
DATA_PREFIX = "youtube/v3"
ANALYTICS_PREFIX = "v2"

PLAYLIST_PAGE_SIZE = 50  # playlistItems.list maximum
VIDEOS_BATCH = 50  # videos.list ids per call (51 -> 400)
THREADS_PAGE_SIZE = 100  # commentThreads.list / comments.list maximum
ANALYTICS_PAGE_SIZE = 1000  # rows per reports page (startIndex paging)
STATS_WINDOW_DAYS = 28  # videos younger than this get fresh stats and comments every run
ANALYTICS_BACKFILL_DAYS = 365  # first run: how far back the daily per-video report goes
ANALYTICS_REFETCH_DAYS = 3  # later runs: re-pull the trailing days (YouTube revises them)
SHORTS_MAX_SECONDS = 180  # YouTube Shorts are vertical videos of at most 3 minutes
ARROW_FLUSH_ROWS = 20_000

# Retry defaults (production); tests pass small ones. quotaExceeded is retried at most
# QUOTA_RETRIES times for the same request: the daily quota resets at midnight Pacific, so
# waiting longer inside one run is pointless.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0
QUOTA_RETRIES = 2

RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "rateLimited"})
TRANSIENT_REASONS = frozenset({"backendError", "internalError", "serviceUnavailable"})
AUTH_REASONS = frozenset({"authError", "required", "unauthorized", "expired"})
PERMISSION_REASONS = frozenset(
    {"forbidden", "insufficientPermissions", "accessNotConfigured", "channelNotFound"}
)

ANALYTICS_METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "likes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
)
ANALYTICS_COLUMNS = {  # API metric -> raw column
    "views": "views",
    "estimatedMinutesWatched": "estimated_minutes_watched",
    "averageViewDuration": "average_view_duration_s",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "subscribersGained": "subscribers_gained",
    "subscribersLost": "subscribers_lost",
}

_T = {"data_type": "text"}
_ID = {"data_type": "text", "nullable": False}
_INT = {"data_type": "bigint"}
_TS = {"data_type": "timestamp"}
_DATE_KEY = {"data_type": "date", "nullable": False}
_BOOL = {"data_type": "bool"}
_FETCHED = {"data_type": "timestamp", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "channels": {
        "channel_id": _ID,
        "brand_id": _T,
        "title": _T,
        "custom_url": _T,
        "country": _T,
        "published_at": _TS,
        "uploads_playlist_id": _T,
        "subscriber_count": _INT,
        "hidden_subscriber_count": _BOOL,
        "view_count": _INT,
        "video_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _FETCHED,
    },
    "playlist_items": {
        "playlist_item_id": _ID,
        "playlist_id": _T,
        "channel_id": _T,
        "video_id": _T,
        "published_at": _TS,
        "video_published_at": _TS,
        "fetched_at": _FETCHED,
    },
    "videos": {
        "video_id": _ID,
        "channel_id": _T,
        "published_at": _TS,
        "title": _T,
        "description": _T,
        "tags": _T,
        "category_id": _T,
        "default_language": _T,
        "default_audio_language": _T,
        "duration": _T,
        "duration_seconds": _INT,
        "is_short": _BOOL,
        "definition": _T,
        "caption": _T,
        "live_broadcast_content": _T,
        "fetched_at": _FETCHED,
    },
    "video_stats": {
        "video_id": _ID,
        "channel_id": _T,
        "snapshot_date": _DATE_KEY,
        "view_count": _INT,
        "like_count": _INT,
        "favorite_count": _INT,
        "comment_count": _INT,
        "fetched_at": _FETCHED,
    },
    "comments": {
        "comment_id": _ID,
        "thread_id": _T,
        "video_id": _T,
        "channel_id": _T,
        "parent_id": _T,
        "text": _T,
        "like_count": _INT,
        "total_reply_count": _INT,
        "published_at": _TS,
        "updated_at": _TS,
        "author_channel_id_hash": _T,
        "author_display_name_hash": _T,
        "is_from_channel": _BOOL,
        "fetched_at": _FETCHED,
    },
    "comments_disabled": {
        "video_id": _ID,
        "channel_id": _T,
        "reason": _T,
        "message": _T,
        "fetched_at": _FETCHED,
    },
    "video_daily": {
        "channel_id": _T,
        "video_id": _ID,
        "day": _DATE_KEY,
        **{col: _INT for col in ANALYTICS_COLUMNS.values()},
        "fetched_at": _FETCHED,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "channels": ("channel_id", "snapshot_date"),
    "playlist_items": ("playlist_item_id",),
    "videos": ("video_id",),
    "video_stats": ("video_id", "snapshot_date"),
    "comments": ("comment_id",),
    "comments_disabled": ("video_id",),
    "video_daily": ("video_id", "day"),
}
