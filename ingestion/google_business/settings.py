"""Constants of the Google Business Profile source: endpoint, paging, windows, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, INT, KEY, TEXT, TS

SOURCE_NAME = "google_business"
REGISTRY_KEY = "google_business"
DEFAULT_BASE_URL = "https://mybusiness.googleapis.com"
DEFAULT_API_VERSION = "v4"
OAUTH_SCOPE = "https://www.googleapis.com/auth/business.manage"  # what reviews.list needs
DEFAULT_DATASET = "raw_google_business"

PAGE_SIZE = 50  # API maximum; more is a 400 INVALID_ARGUMENT
ORDER_BY = "updateTime desc"
# Reviews are re-listed back to (cursor - lookback): a reply or an edit moves a review's
# updateTime to the top of the list, the lookback absorbs clock skew and equal timestamps.
LOOKBACK_HOURS = 48

STAR_RATINGS = {
    "STAR_RATING_UNSPECIFIED": None,
    "ONE": 1,
    "TWO": 2,
    "THREE": 3,
    "FOUR": 4,
    "FIVE": 5,
}
RETRY_STATUSES = frozenset({"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"})


COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "reviews": {
        "review_name": KEY,
        "review_id": TEXT,
        "location_name": {"data_type": "text", "nullable": False},
        "brand_id": TEXT,
        "reviewer_name_hash": TEXT,
        "reviewer_is_anonymous": BOOL,
        "reviewer_has_photo": BOOL,
        "star_rating": TEXT,
        "rating": INT,
        "comment": TEXT,
        "comment_translation": TEXT,
        "comment_is_translated": BOOL,
        "create_time": TS,
        "update_time": TS,
        "reply_comment": TEXT,
        "reply_update_time": TS,
        "fetched_at": TS,
    },
    "location_review_stats": {
        "location_name": KEY,
        "snapshot_date": {"data_type": "date", "nullable": False},
        "brand_id": TEXT,
        "average_rating": {"data_type": "double"},
        "total_review_count": INT,
        "fetched_at": TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "reviews": ("review_name",),
    "location_review_stats": ("location_name", "snapshot_date"),
}


# Review fields this source maps to columns; any other top-level field Google adds is loaded
# as a text column of its own (schema evolution), never dropped.
KNOWN_REVIEW_FIELDS = frozenset(
    {"name", "reviewId", "reviewer", "starRating", "comment", "createTime", "updateTime",
     "reviewReply"}
)  # fmt: skip


@configspec
class GoogleBusinessHttp(HttpConfig):
    """Google Business Profile's retry policy and page size
    (``sources.google_business.max_attempts`` etc.).

    The quota is per minute, so a minute's wait is normal: a shorter sleep budget and backoff
    ceiling than the shared defaults. ``page_size`` is ``pageSize`` (at most 50).
    """

    max_total_wait_s: float = 600.0
    backoff_max_s: float = 120.0
    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = KNOWN_REVIEW_FIELDS | frozenset(
    {"reviews", "averageRating", "totalReviewCount", "nextPageToken", "displayName",
     "profilePhotoUrl", "isAnonymous", "updateTime"}
)  # fmt: skip
