"""Constants of the LinkedIn source: endpoints, windows, limits, raw table columns and keys.

LinkedIn versions its API monthly (``LinkedIn-Version: YYYYMM``) and sunsets each version about a
year after its release, answering 426 ``NONEXISTENT_VERSION``: ``DEFAULT_API_VERSION`` is only a
default, set ``sources.linkedin.api_version`` in ``.dlt/config.toml`` (or
``SOURCES__LINKEDIN__API_VERSION``) to a current one.
"""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "linkedin"
DEFAULT_BASE_URL = "https://api.linkedin.com"
DEFAULT_API_VERSION = "202610"
DEFAULT_DATASET = "raw_linkedin"
RESTLI_PROTOCOL_VERSION = "2.0.0"
VERSION_CONFIG_HINT = (
    "set sources.linkedin.api_version in .dlt/config.toml (or the SOURCES__LINKEDIN__API_VERSION "
    "environment variable) to a current YYYYMM version"
)

INSIGHTS_WINDOW_DAYS = 28  # posts younger than this get fresh statistics and comments each run
PAGE_SIZE = 100  # `count` of the posts and comments finders (LinkedIn's maximum is 100)
STATS_BATCH = 20  # post URNs per share statistics request
DAILY_BACKFILL_DAYS = 360  # first run: days of the daily series (LinkedIn keeps 12 months)
DAILY_REFETCH_DAYS = 3  # later runs: re-read the last days (recent days are revised)
DAILY_MAX_AGE_DAYS = 364  # a time-bound start must be within the past 12 months
DAILY_MIN_AGE_DAYS = 2  # ... and at least 2 days ago (else 400 Invalid timeIntervals parameter)
NETWORK_EDGE_TYPE = "COMPANY_FOLLOWED_BY_MEMBER"
MAX_PAGES = 10_000  # paging guard: a feed that never ends is a bug, not data

# Retry defaults: LinkedIn throttles per application and day (429 until midnight UTC), so a
# run insists a while with backoff but gives up within the budget and says why.
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

# Lifetime follower facets: API list name -> (facet name in the raw table, element key).
FACETS = {
    "followerCountsByAssociationType": ("association_type", "associationType"),
    "followerCountsBySeniority": ("seniority", "seniority"),
    "followerCountsByFunction": ("function", "function"),
    "followerCountsByIndustry": ("industry", "industry"),
    "followerCountsByIndustryV2": ("industry_v2", "industryV2"),
    "followerCountsByGeoCountry": ("geo_country", "geo"),
    "followerCountsByGeo": ("geo", "geo"),
    "followerCountsByStaffCountRange": ("staff_count_range", "staffCountRange"),
}
# totalShareStatistics key -> raw column.
SHARE_STATISTICS = {
    "impressionCount": "impression_count",
    "uniqueImpressionsCount": "unique_impressions_count",
    "clickCount": "click_count",
    "likeCount": "like_count",
    "commentCount": "comment_count",
    "shareCount": "share_count",
    "commentMentionsCount": "comment_mentions_count",
    "shareMentionsCount": "share_mentions_count",
}

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_DOUBLE = {"data_type": "double"}
_BOOL = {"data_type": "bool"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}

_STAT_COLUMNS: dict[str, dict[str, Any]] = {
    **{column: _INT for column in SHARE_STATISTICS.values()},
    "engagement": _DOUBLE,
}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "linkedin_organizations": {
        "organization_id": _KEY,
        "brand_id": _TEXT,
        "organization_urn": _TEXT,
        "name": _TEXT,
        "vanity_name": _TEXT,
        "website": _TEXT,
        "followers_count": _INT,
        "snapshot_date": _DATE_KEY,
        "fetched_at": _TS,
    },
    "linkedin_posts": {
        "post_urn": _KEY,
        "organization_id": _TEXT,
        "post_type": _TEXT,
        "author_urn": _TEXT,
        "commentary": _TEXT,
        "commentary_text": _TEXT,
        "content_type": _TEXT,
        "media_urn": _TEXT,
        "media_count": _INT,
        "article_url": _TEXT,
        "article_title": _TEXT,
        "link_url": _TEXT,
        "visibility": _TEXT,
        "lifecycle_state": _TEXT,
        "feed_distribution": _TEXT,
        "is_edited": _BOOL,
        "is_reshare_disabled": _BOOL,
        "reshare_parent_urn": _TEXT,
        "created_at": _TS,
        "published_at": _TS,
        "last_modified_at": _TS,
        "fetched_at": _TS,
    },
    "linkedin_post_statistics": {
        "post_urn": _KEY,
        "organization_id": _TEXT,
        "snapshot_date": _DATE_KEY,
        **_STAT_COLUMNS,
        "fetched_at": _TS,
    },
    "linkedin_share_statistics_daily": {
        "organization_id": _KEY,
        "date": _DATE_KEY,
        **_STAT_COLUMNS,
        "fetched_at": _TS,
    },
    "linkedin_follower_gains": {
        "organization_id": _KEY,
        "date": _DATE_KEY,
        "organic_follower_gain": _INT,
        "paid_follower_gain": _INT,
        "fetched_at": _TS,
    },
    "linkedin_follower_facets": {
        "organization_id": _KEY,
        "snapshot_date": _DATE_KEY,
        "facet": _KEY,
        "facet_value": _KEY,
        "organic_follower_count": _INT,
        "paid_follower_count": _INT,
        "fetched_at": _TS,
    },
    "linkedin_comments": {
        "comment_urn": _KEY,
        "comment_id": _TEXT,
        "post_urn": _TEXT,
        "organization_id": _TEXT,
        "parent_comment_urn": _TEXT,
        "message": _TEXT,
        "created_at": _TS,
        "last_modified_at": _TS,
        "like_count": _INT,
        "reply_count": _INT,
        "author_type": _TEXT,
        "author_urn_hash": _TEXT,
        "agent_urn_hash": _TEXT,
        "is_from_organization": _BOOL,
        "fetched_at": _TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "linkedin_organizations": ("organization_id", "snapshot_date"),
    "linkedin_posts": ("post_urn",),
    "linkedin_post_statistics": ("post_urn", "snapshot_date"),
    "linkedin_share_statistics_daily": ("organization_id", "date"),
    "linkedin_follower_gains": ("organization_id", "date"),
    "linkedin_follower_facets": ("organization_id", "snapshot_date", "facet", "facet_value"),
    "linkedin_comments": ("comment_urn",),
}
