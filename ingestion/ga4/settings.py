"""Constants of the GA4 source: endpoint, report shape, windows, table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "ga4"
DEFAULT_BASE_URL = "https://analyticsdata.googleapis.com"
API_VERSION = "v1beta"
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

MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_DOUBLE = {"data_type": "double"}
_KEY = {"data_type": "text", "nullable": False}
_DATE_KEY = {"data_type": "date", "nullable": False}
_BOOL = {"data_type": "bool"}

INTEGER_METRIC_TYPES = frozenset({"TYPE_INTEGER"})

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    TRAFFIC_TABLE: {
        "property_id": _KEY,
        "brand_id": _TEXT,
        "date": _DATE_KEY,
        "session_source": _KEY,
        "session_medium": _KEY,
        "session_campaign_name": _KEY,
        "session_default_channel_group": _KEY,
        "landing_page": _KEY,
        "session_manual_ad_content": _KEY,
        "sessions": _INT,
        "engaged_sessions": _INT,
        "key_events": _DOUBLE,
        "total_revenue": _DOUBLE,
        "currency_code": _TEXT,
        "fetched_at": _TS,
    },
    RUNS_TABLE: {
        "property_id": _KEY,
        "snapshot_date": _DATE_KEY,
        "brand_id": _TEXT,
        "start_date": {"data_type": "date"},
        "end_date": {"data_type": "date"},
        "row_count": _INT,
        "currency_code": _TEXT,
        "time_zone": _TEXT,
        "tokens_per_day_consumed": _INT,
        "tokens_per_day_remaining": _INT,
        "tokens_per_hour_consumed": _INT,
        "tokens_per_hour_remaining": _INT,
        "data_loss_from_other_row": _BOOL,
        "subject_to_thresholding": _BOOL,
        "sampled": _BOOL,
        "fetched_at": _TS,
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
