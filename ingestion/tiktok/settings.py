"""Constants of the TikTok source: endpoints, field lists, retry defaults, raw table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "tiktok"
REGISTRY_KEY = "tiktok"  # the open_id of the authorised account in config/brands.yaml
DEFAULT_BASE_URL = "https://open.tiktokapis.com"
DEFAULT_DATASET = "raw_tiktok"

USER_INFO_PATH = "/v2/user/info/"
VIDEO_LIST_PATH = "/v2/video/list/"
USER_FIELDS = (
    "open_id",
    "union_id",
    "display_name",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
)
VIDEO_FIELDS = (
    "id",
    "title",
    "video_description",
    "create_time",
    "cover_image_url",
    "share_url",
    "duration",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
COUNT_FIELDS = ("view_count", "like_count", "comment_count", "share_count")
MAX_COUNT = 20  # Display API maximum per video/list page (more: invalid_params)
METRICS_WINDOW_DAYS = 28  # videos younger than this are re-listed and re-snapshotted each run
ARROW_FLUSH_ROWS = 20_000

# Retry defaults: sane for production (~600 requests/min per endpoint); tests pass small ones.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

RETRY_CODES = frozenset({"rate_limit_exceeded", "internal_error"})
AUTH_CODES = frozenset({"access_token_invalid", "scope_not_authorized"})

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "tiktok_accounts": {
        "open_id": _KEY,
        "brand_id": _TEXT,
        "union_id": _TEXT,
        "display_name": _TEXT,
        "follower_count": _INT,
        "following_count": _INT,
        "likes_count": _INT,
        "video_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "tiktok_videos": {
        "video_id": _KEY,
        "open_id": _TEXT,
        "title": _TEXT,
        "video_description": _TEXT,
        "create_time": _TS,
        "cover_image_url": _TEXT,
        "share_url": _TEXT,
        "duration": _INT,
        "fetched_at": _TS,
    },
    "tiktok_video_metrics": {
        "video_id": _KEY,
        "open_id": _TEXT,
        "snapshot_date": _DATE_KEY,
        "view_count": _INT,
        "like_count": _INT,
        "comment_count": _INT,
        "share_count": _INT,
        "fetched_at": _TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "tiktok_accounts": ("open_id", "snapshot_date"),
    "tiktok_videos": ("video_id",),
    "tiktok_video_metrics": ("video_id", "snapshot_date"),
}
