"""Constants of the Trustpilot source: endpoints, paging, windows, raw table columns and keys."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, DOUBLE, INT, KEY, TEXT, TS

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


COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "business_units": {
        "business_unit_id": KEY,
        "brand_id": TEXT,
        "display_name": TEXT,
        "website_url": TEXT,
        "country": TEXT,
        "status": TEXT,
        "trust_score": DOUBLE,
        "stars": DOUBLE,
        "number_of_reviews": INT,
        "used_for_trust_score": INT,
        "one_star": INT,
        "two_stars": INT,
        "three_stars": INT,
        "four_stars": INT,
        "five_stars": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "reviews": {
        "review_id": KEY,
        "business_unit_id": TEXT,
        "brand_id": TEXT,
        "stars": INT,
        "title": TEXT,
        "text": TEXT,
        "language": TEXT,
        "created_at": TS,
        "updated_at": TS,
        "experienced_at": TS,
        "consumer_id_hash": TEXT,
        "consumer_name_hash": TEXT,
        "consumer_number_of_reviews": INT,
        "is_verified": BOOL,
        "number_of_likes": INT,
        "status": TEXT,
        "has_reply": BOOL,
        "reply_text": TEXT,
        "reply_author_hash": TEXT,
        "reply_created_at": TS,
        "fetched_at": TS,
    },
    "review_snapshots": {
        "review_id": KEY,
        "snapshot_date": DATE_KEY,
        "business_unit_id": TEXT,
        "stars": INT,
        "number_of_likes": INT,
        "has_reply": BOOL,
        "is_edited": BOOL,
        "fetched_at": TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "business_units": ("business_unit_id", "snapshot_date"),
    "reviews": ("review_id",),
    "review_snapshots": ("review_id", "snapshot_date"),
}


@configspec
class TrustpilotHttp(HttpConfig):
    """Trustpilot's retry policy and page size (``sources.trustpilot.max_attempts`` etc.);
    ``page_size`` is ``perPage`` (1-100)."""

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = KNOWN_REVIEW_FIELDS | frozenset(
    {"reviews", "displayName", "numberOfReviews", "countryCode", "message", "createdAt",
     "updatedAt", "authorBusinessUserName", "rel", "href", "method"}
)  # fmt: skip
