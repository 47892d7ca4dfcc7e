"""Constants of the LinkedIn source: endpoints, windows, limits, raw table columns and keys.

LinkedIn versions its API monthly (``LinkedIn-Version: YYYYMM``) and serves each version for at
least a year (https://learn.microsoft.com/en-us/linkedin/marketing/versioning); a version not
released yet or sunset is answered 426 ``NONEXISTENT_VERSION``. ``DEFAULT_API_VERSION`` is only
a default: set ``sources.linkedin.api_version`` in ``.dlt/config.toml`` (or
``SOURCES__LINKEDIN__API_VERSION``) to a current one.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, DOUBLE, INT, KEY, TEXT, TS

SOURCE_NAME = "linkedin"
DEFAULT_BASE_URL = "https://api.linkedin.com"
DEFAULT_API_VERSION = "202610"
DEFAULT_DATASET = "raw_linkedin"
RESTLI_PROTOCOL_VERSION = "2.0.0"
VERSION_CONFIG_HINT = (
    "set sources.linkedin.api_version in .dlt/config.toml (or the SOURCES__LINKEDIN__API_VERSION "
    "environment variable) to a YYYYMM version LinkedIn serves today: released (not after the "
    "current month) and not sunset (about 12 months), see "
    "https://learn.microsoft.com/en-us/linkedin/marketing/versioning"
)

# Posts younger than this get fresh statistics and comments each run: 29 days keeps a snapshot
# at D+28 (a post of any hour of day D is still inside on day D+28), the marts' last age.
INSIGHTS_WINDOW_DAYS = 29
PAGE_SIZE = 100  # `count` of the posts and comments finders (LinkedIn's maximum is 100)
STATS_BATCH = 20  # post URNs per share statistics request
DAILY_BACKFILL_DAYS = 360  # first run: days of the daily series (LinkedIn keeps 12 months)
DAILY_REFETCH_DAYS = 3  # later runs: re-read the last days (recent days are revised)
DAILY_MAX_AGE_DAYS = 364  # a time-bound start must be within the past 12 months
# A precaution, not a documented rule: Airbyte's source-linkedin-pages says a start must be at
# least 2 days ago, LinkedIn's reference does not. Starting 2 days back costs nothing (the days
# are merged again), so the source never starts later (docs/sources/linkedin.md, "Limits").
DAILY_MIN_AGE_DAYS = 2
# A post's own daily series is asked from its publication day to D+28 (the marts' last age).
POST_SERIES_DAYS = 28
NETWORK_EDGE_TYPE = "COMPANY_FOLLOWED_BY_MEMBER"
MAX_PAGES = 10_000  # paging guard: a feed that never ends is a bug, not data

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

# The counts of a post's day kept by linkedin_post_statistics_daily (mentions and LinkedIn's
# engagement ratio are left to the lifetime snapshots).
POST_DAILY_STATISTICS = {
    key: SHARE_STATISTICS[key]
    for key in (
        "impressionCount",
        "uniqueImpressionsCount",
        "clickCount",
        "likeCount",
        "commentCount",
        "shareCount",
    )
}

_STAT_COLUMNS: dict[str, dict[str, Any]] = {
    **{column: INT for column in SHARE_STATISTICS.values()},
    "engagement": DOUBLE,
}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "linkedin_organizations": {
        "organization_id": KEY,
        "brand_id": TEXT,
        "organization_urn": TEXT,
        "name": TEXT,
        "vanity_name": TEXT,
        "website": TEXT,
        "followers_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "linkedin_posts": {
        "post_urn": KEY,
        "organization_id": TEXT,
        "post_type": TEXT,
        "author_urn": TEXT,
        "commentary": TEXT,
        "commentary_text": TEXT,
        "content_type": TEXT,
        "media_urn": TEXT,
        "media_count": INT,
        "article_url": TEXT,
        "article_title": TEXT,
        "link_url": TEXT,
        "visibility": TEXT,
        "lifecycle_state": TEXT,
        "feed_distribution": TEXT,
        "is_edited": BOOL,
        "is_reshare_disabled": BOOL,
        "reshare_parent_urn": TEXT,
        "created_at": TS,
        "published_at": TS,
        "last_modified_at": TS,
        "fetched_at": TS,
    },
    "linkedin_post_statistics": {
        "post_urn": KEY,
        "organization_id": TEXT,
        "snapshot_date": DATE_KEY,
        **_STAT_COLUMNS,
        "fetched_at": TS,
    },
    "linkedin_post_statistics_daily": {
        "post_urn": KEY,
        "organization_id": TEXT,
        "date": DATE_KEY,
        **{column: INT for column in POST_DAILY_STATISTICS.values()},
        "fetched_at": TS,
    },
    "linkedin_share_statistics_daily": {
        "organization_id": KEY,
        "date": DATE_KEY,
        **_STAT_COLUMNS,
        "fetched_at": TS,
    },
    "linkedin_follower_gains": {
        "organization_id": KEY,
        "date": DATE_KEY,
        "organic_follower_gain": INT,
        "paid_follower_gain": INT,
        "fetched_at": TS,
    },
    "linkedin_follower_facets": {
        "organization_id": KEY,
        "snapshot_date": DATE_KEY,
        "facet": KEY,
        "facet_value": KEY,
        "organic_follower_count": INT,
        "paid_follower_count": INT,
        "fetched_at": TS,
    },
    "linkedin_comments": {
        "comment_urn": KEY,
        "comment_id": TEXT,
        "post_urn": TEXT,
        "organization_id": TEXT,
        "parent_comment_urn": TEXT,
        "message": TEXT,
        "created_at": TS,
        "last_modified_at": TS,
        "like_count": INT,
        "reply_count": INT,
        "author_type": TEXT,
        "author_urn_hash": TEXT,
        "agent_urn_hash": TEXT,
        "is_from_organization": BOOL,
        "fetched_at": TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "linkedin_organizations": ("organization_id", "snapshot_date"),
    "linkedin_posts": ("post_urn",),
    "linkedin_post_statistics": ("post_urn", "snapshot_date"),
    "linkedin_post_statistics_daily": ("post_urn", "date"),
    "linkedin_share_statistics_daily": ("organization_id", "date"),
    "linkedin_follower_gains": ("organization_id", "date"),
    "linkedin_follower_facets": ("organization_id", "snapshot_date", "facet", "facet_value"),
    "linkedin_comments": ("comment_urn",),
}


# Post fields this source maps (or knowingly leaves out); any other top-level field LinkedIn
# adds is loaded as a text column of its own. Posts are the organization's own content, so
# nothing personal rides along; a new comment field could name a member, so its value is
# loaded as a keyed hash (see KNOWN_COMMENT_FIELDS).
KNOWN_POST_FIELDS = frozenset(
    {"id", "author", "commentary", "visibility", "distribution", "lifecycleState",
     "lifecycleStateInfo", "isReshareDisabledByAuthor", "createdAt", "publishedAt",
     "lastModifiedAt", "content", "reshareContext", "contentLandingPage",
     "contentCallToActionLabel", "adContext", "container"}
)  # fmt: skip

KNOWN_COMMENT_FIELDS = frozenset(
    {"id", "commentUrn", "$URN", "actor", "agent", "object", "message", "created",
     "lastModified", "likesSummary", "commentsSummary", "parentComment", "content"}
)  # fmt: skip


@configspec
class LinkedInHttp(HttpConfig):
    """LinkedIn's retry policy and page size (``sources.linkedin.max_attempts`` etc.).

    The shared retry defaults hold: LinkedIn throttles per application and day (429 until
    midnight UTC), so a run insists a while with backoff but gives up within the budget and
    says why. ``page_size`` is the ``count`` of the posts and comments finders.
    """

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = KNOWN_POST_FIELDS | KNOWN_COMMENT_FIELDS | frozenset(
    {"elements", "paging", "start", "count", "total", "links", "rel", "href", "time",
     "text", "attributes", "totalShareStatistics", "likeCount", "commentCount", "shareCount",
     "clickCount", "impressionCount", "uniqueImpressionsCount", "engagement",
     "organizationalEntity", "share", "ugcPost", "timeRange", "end", "followerCounts",
     "followerGains", "organicFollowerGain", "paidFollowerGain", "firstDegreeSize",
     "localizedName", "vanityName", "localizedWebsite", "media", "title", "article",
     "source", "multiImage", "images", "feedDistribution", "aggregateCount",
     "totalFirstLevelComments", "parentComment"}
)  # fmt: skip
