"""Constants of the Google Business Profile source: endpoint, paging, windows, table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "google_business"
REGISTRY_KEY = "google_business"
DEFAULT_BASE_URL = "https://mybusiness.googleapis.com"
DEFAULT_API_VERSION = "v4"
DEFAULT_DATASET = "raw_google_business"

PAGE_SIZE = 50  # API maximum; more is a 400 INVALID_ARGUMENT
ORDER_BY = "updateTime desc"
# Reviews are re-listed back to (cursor - lookback): a reply or an edit moves a review's
# updateTime to the top of the list, the lookback absorbs clock skew and equal timestamps.
LOOKBACK_HOURS = 48

# Retry defaults for production (per-minute quota: a minute's wait is normal); tests pass small.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 600.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 120.0
REQUEST_TIMEOUT_S = 60.0

STAR_RATINGS = {
    "STAR_RATING_UNSPECIFIED": None,
    "ONE": 1,
    "TWO": 2,
    "THREE": 3,
    "FOUR": 4,
    "FIVE": 5,
}
RETRY_STATUSES = frozenset({"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"})

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_BOOL = {"data_type": "bool"}
_INT = {"data_type": "bigint"}
_KEY = {"data_type": "text", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "reviews": {
        "review_name": _KEY,
        "review_id": _TEXT,
        "location_name": {"data_type": "text", "nullable": False},
        "brand_id": _TEXT,
        "reviewer_name_hash": _TEXT,
        "reviewer_is_anonymous": _BOOL,
        "reviewer_has_photo": _BOOL,
        "star_rating": _TEXT,
        "rating": _INT,
        "comment": _TEXT,
        "create_time": _TS,
        "update_time": _TS,
        "reply_comment": _TEXT,
        "reply_update_time": _TS,
        "fetched_at": _TS,
    },
    "location_review_stats": {
        "location_name": _KEY,
        "snapshot_date": {"data_type": "date", "nullable": False},
        "brand_id": _TEXT,
        "average_rating": {"data_type": "double"},
        "total_review_count": _INT,
        "fetched_at": _TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "reviews": ("review_name",),
    "location_review_stats": ("location_name", "snapshot_date"),
}
