"""Constants of the GA4 source: endpoint, report shape, windows, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, DOUBLE, INT, KEY, TEXT, TS

SOURCE_NAME = "ga4"
DEFAULT_BASE_URL = "https://analyticsdata.googleapis.com"
API_VERSION = "v1beta"
OAUTH_SCOPE = "https://www.googleapis.com/auth/analytics.readonly"  # what runReport needs
DEFAULT_DATASET = "raw_ga4"
REGISTRY_KEY = "ga4"

TRAFFIC_TABLE = "traffic_daily"
RUNS_TABLE = "report_runs"

# The report: every dimension is part of the merge key (GA4 has no row ids).
DIMENSIONS = (
    "date",
    "sessionSource",
    "sessionMedium",
    "sessionCampaignName",
    "sessionDefaultChannelGroup",
    "landingPage",
    "sessionManualAdContent",
)
METRICS = ("sessions", "engagedSessions", "keyEvents", "totalRevenue")

RESTATEMENT_DAYS = 3  # GA4 revises the last ~3 days: re-pulled on every run
BACKFILL_DAYS = 400  # first run without start_date: one report over the last 400 days
PAGE_SIZE = 10_000  # GA4 default limit (max 250 000)
MAX_PAGE_SIZE = 250_000


INTEGER_METRIC_TYPES = frozenset({"TYPE_INTEGER"})

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    TRAFFIC_TABLE: {
        "property_id": KEY,
        "brand_id": TEXT,
        "date": DATE_KEY,
        "session_source": KEY,
        "session_medium": KEY,
        "session_campaign_name": KEY,
        "session_default_channel_group": KEY,
        "landing_page": KEY,
        "session_manual_ad_content": KEY,
        "sessions": INT,
        "engaged_sessions": INT,
        "key_events": DOUBLE,
        "total_revenue": DOUBLE,
        "currency_code": TEXT,
        "time_zone": TEXT,
        "sampled": BOOL,  # the value is GA4's estimate from a sample (samplingMetadatas)
        "fetched_at": TS,
    },
    RUNS_TABLE: {
        "property_id": KEY,
        "snapshot_date": DATE_KEY,
        "brand_id": TEXT,
        "start_date": {"data_type": "date"},
        "end_date": {"data_type": "date"},
        "row_count": INT,
        "currency_code": TEXT,
        "time_zone": TEXT,
        "tokens_per_day_consumed": INT,
        "tokens_per_day_remaining": INT,
        "tokens_per_hour_consumed": INT,
        "tokens_per_hour_remaining": INT,
        "data_loss_from_other_row": BOOL,
        "subject_to_thresholding": BOOL,
        "sampled": BOOL,
        "samples_read_count": INT,  # events GA4 read, summed over the date ranges
        "sampling_space_size": INT,  # events it could have read
        "restricted_metrics": TEXT,  # "totalRevenue:REVENUE_DATA,...": stored as NULL
        "other_rows": INT,
        "restatement_days": INT,
        "fetched_at": TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    TRAFFIC_TABLE: (
        "property_id",
        "date",
        "session_source",
        "session_medium",
        "session_campaign_name",
        "session_default_channel_group",
        "landing_page",
        "session_manual_ad_content",
    ),
    RUNS_TABLE: ("property_id", "snapshot_date"),
}


@configspec
class Ga4Http(HttpConfig):
    """GA4's retry policy and page size (``sources.ga4.max_attempts`` etc.); ``page_size`` is
    the runReport ``limit`` (at most ``MAX_PAGE_SIZE``)."""

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = frozenset(
    {"dimensionHeaders", "metricHeaders", "rows", "rowCount", "metadata", "propertyQuota",
     "kind", "name", "type", "dimensionValues", "metricValues", "value", "currencyCode",
     "timeZone", "dataLossFromOtherRow", "subjectToThresholding", "samplingMetadatas",
     "samplesReadCount", "samplingSpaceSize", "schemaRestrictionResponse",
     "activeMetricRestrictions", "metricName", "restrictedMetricTypes"}
)  # fmt: skip
