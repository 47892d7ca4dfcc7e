"""Constants of the Brevo source: endpoint, paging, windows, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import DATE_KEY, INT, KEY, TEXT, TS

SOURCE_NAME = "brevo"
DEFAULT_BASE_URL = "https://api.brevo.com"
API_VERSION = "v3"
DEFAULT_DATASET = "raw_brevo"

CAMPAIGNS_TABLE = "campaigns"
LINKS_TABLE = "campaign_links"
STATS_TABLE = "campaign_stats"  # cumulative globalStats, one row per campaign and day
LINK_STATS_TABLE = "link_stats"  # cumulative clicks per link, one row per link and day

PAGE_SIZE = 100  # limit: Brevo's maximum (default 50)
MAX_PAGE_SIZE = 100
LOOKBACK_DAYS = 30  # campaigns sent in the last 30 days are snapshotted every run
LIST_STATS_DAYS = 170  # the list counts 6 months of events: older sends are read one by one
FUTURE_DAYS = 400  # endDate of the sent-date window: far enough to include today
STAT_FIELDS = {  # Brevo globalStats field -> column
    "sent": "sent",
    "delivered": "delivered",
    "hardBounces": "hard_bounces",
    "softBounces": "soft_bounces",
    "uniqueViews": "unique_views",
    "viewed": "views",
    "trackableViews": "trackable_views",
    "uniqueClicks": "unique_clicks",
    "clickers": "clicks",  # Brevo: "clickers: Number of total clicks for the campaign"
    "unsubscriptions": "unsubscriptions",
    "complaints": "complaints",
}
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")

_CAMPAIGN_KEY = {"brand_id": KEY, "campaign_id": {"data_type": "bigint", "nullable": False}}
COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    CAMPAIGNS_TABLE: {
        **_CAMPAIGN_KEY,
        "name": TEXT,
        "subject": TEXT,
        "tag": TEXT,
        "status": TEXT,
        "created_at": TS,
        "sent_at": TS,
        "utm_campaign": TEXT,
        "fetched_at": TS,
    },
    LINKS_TABLE: {
        **_CAMPAIGN_KEY,
        "url": KEY,
        "link_path": TEXT,
        **{f: TEXT for f in UTM_FIELDS},
        "fetched_at": TS,
    },
    STATS_TABLE: {
        **_CAMPAIGN_KEY,
        "snapshot_date": DATE_KEY,
        **{col: INT for col in STAT_FIELDS.values()},
        "fetched_at": TS,
    },
    LINK_STATS_TABLE: {
        **_CAMPAIGN_KEY,
        "url": KEY,
        "snapshot_date": DATE_KEY,
        "clicks": INT,
        "fetched_at": TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    CAMPAIGNS_TABLE: ("brand_id", "campaign_id"),
    LINKS_TABLE: ("brand_id", "campaign_id", "url"),
    STATS_TABLE: ("brand_id", "campaign_id", "snapshot_date"),
    LINK_STATS_TABLE: ("brand_id", "campaign_id", "url", "snapshot_date"),
}


@configspec
class BrevoHttp(HttpConfig):
    """Retry policy and ``limit`` (``sources.brevo.page_size``, at most 100)."""

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads: a quarantine payload keeps only these in
# clear (``ingestion.quarantine.reviewed_only``); ``sender`` (a mailbox that may be a person's)
# and the recipients' lists are never read.
REVIEWED_FIELDS = frozenset(
    {"count", "campaigns", "id", "name", "subject", "type", "status", "tag", "createdAt",
     "modifiedAt", "scheduledAt", "sentDate", "htmlContent", "statistics", "globalStats",
     "linksStats", *STAT_FIELDS}
)  # fmt: skip
