"""Constants of the Trustpilot source: endpoints, paging, windows, raw table columns and keys."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "trustpilot"
REGISTRY_KEY = "trustpilot"  # config/brands.yaml: business unit id per brand
DEFAULT_BASE_URL = "https://api.trustpilot.com"
DEFAULT_DATASET = "raw_trustpilot"
API_VERSION = "v1"

PAGE_SIZE = 100  # perPage maximum (1-100; above -> HTTP 400)
ORDER_BY = "createdat.desc"
NEXT_PAGE_REL = "next-page"
# Reviews created up to this many days before the newest one loaded are re-listed each run:
# company replies (within 21 days in the sandbox world) and consumer edits (within 28 days)
# update reviews already loaded, and their likes are snapshotted again.
LOOKBACK_DAYS = 35
MAX_PAGES = 10_000  # a guard against a server that always answers next-page

# Retry defaults (the gateway's Retry-After wins when present); tests pass small ones.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

THROTTLE_ERRORCODES = frozenset(
    {"policies.ratelimit.QuotaViolation", "policies.ratelimit.SpikeArrestViolation"}
)
AUTH_ERRORCODES = frozenset(
    {
        "oauth.v2.InvalidApiKey",
        "steps.oauth.v2.FailedToResolveAPIKey",
        "oauth.v2.InvalidApiKeyForGivenResource",
        "keymanagement.service.invalid_client-app_not_approved",
    }
)
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})

# Review fields the source maps to columns; any other top-level field is loaded as an extra
# text column (schema evolution), never dropped.
KNOWN_REVIEW_FIELDS = frozenset(
    {
        "id",
        "consumer",
        "businessUnit",
        "stars",
        "title",
        "text",
        "language",
        "createdAt",
        "updatedAt",
        "experiencedAt",
        "isVerified",
        "numberOfLikes",
        "status",
        "companyReply",
        "links",
    }
)

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_DOUBLE = {"data_type": "double"}
_BOOL = {"data_type": "bool"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "business_units": {
        "business_unit_id": _KEY,
        "brand_id": _TEXT,
        "display_name": _TEXT,
        "website_url": _TEXT,
        "country": _TEXT,
        "status": _TEXT,
        "trust_score": _DOUBLE,
        "stars": _DOUBLE,
        "number_of_reviews": _INT,
        "used_for_trust_score": _INT,
        "one_star": _INT,
        "two_stars": _INT,
        "three_stars": _INT,
        "four_stars": _INT,
        "five_stars": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "reviews": {
        "review_id": _KEY,
        "business_unit_id": _TEXT,
        "brand_id": _TEXT,
        "stars": _INT,
        "title": _TEXT,
        "text": _TEXT,
        "language": _TEXT,
        "created_at": _TS,
        "updated_at": _TS,
        "experienced_at": _TS,
        "consumer_id_hash": _TEXT,
        "consumer_name_hash": _TEXT,
        "consumer_number_of_reviews": _INT,
        "is_verified": _BOOL,
        "number_of_likes": _INT,
        "status": _TEXT,
        "has_reply": _BOOL,
        "reply_text": _TEXT,
        "reply_author_hash": _TEXT,
        "reply_created_at": _TS,
        "fetched_at": _TS,
    },
    "review_snapshots": {
        "review_id": _KEY,
        "snapshot_date": _DATE_KEY,
        "business_unit_id": _TEXT,
        "stars": _INT,
        "number_of_likes": _INT,
        "has_reply": _BOOL,
        "is_edited": _BOOL,
        "fetched_at": _TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "business_units": ("business_unit_id", "snapshot_date"),
    "reviews": ("review_id",),
    "review_snapshots": ("review_id", "snapshot_date"),
}
