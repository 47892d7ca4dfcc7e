"""Constants of the Matomo source: API method, windows, table columns."""

from __future__ import annotations

from typing import Any

SOURCE_NAME = "matomo"
DEFAULT_DATASET = "raw_matomo"
REGISTRY_KEY = "matomo"
METHOD = "Live.getLastVisitsDetails"

VISITS_TABLE = "visits"
CONVERSIONS_TABLE = "conversions"

BACKFILL_DAYS = 30  # first run without start_date (Live keeps raw logs as long as the instance)
REPULL_DAYS = 1  # the last day loaded (possibly incomplete) is read again on the next run
PAGE_SIZE = 100  # filter_limit
ARROW_FLUSH_ROWS = 20_000  # visits buffered before one Arrow table is yielded

MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0

# Matomo says "try again" in a 200 answer for database hiccups; these are worth a retry.
TRANSIENT_PATTERNS = (
    r"SQLSTATE\[(40001|HY000|08S01)\]",
    r"Deadlock",
    r"server has gone away",
    r"Lock wait timeout",
    r"too many (connections|requests)",
    r"try again|retry later|temporarily",
)
AUTH_PATTERNS = (
    r"requires '(view|admin|write)' access",
    r"token",
    r"authenticate",
    r"must be logged in",
)

_TS = {"data_type": "timestamp"}
_TEXT = {"data_type": "text"}
_INT = {"data_type": "bigint"}
_DOUBLE = {"data_type": "double"}
_BOOL = {"data_type": "bool"}
_KEY = {"data_type": "text", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    VISITS_TABLE: {
        "site_id": _KEY,
        "visit_id": {"data_type": "bigint", "nullable": False},
        "brand_id": _TEXT,
        "visit_date": {"data_type": "date"},
        "first_action_at": _TS,
        "last_action_at": _TS,
        "visit_duration_s": _INT,
        "actions": _INT,
        "visit_count": _INT,
        "visitor_type": _TEXT,
        "visitor_id_hash": _TEXT,
        "user_id_hash": _TEXT,
        "has_consent": _BOOL,
        "referrer_type": _TEXT,
        "referrer_name": _TEXT,
        "referrer_keyword": _TEXT,
        "referrer_url": _TEXT,
        "campaign_name": _TEXT,
        "campaign_source": _TEXT,
        "campaign_medium": _TEXT,
        "campaign_content": _TEXT,
        "campaign_keyword": _TEXT,
        "entry_url": _TEXT,
        "device_type": _TEXT,
        "goal_conversions": _INT,
        "visit_converted": _BOOL,
        "revenue": _DOUBLE,
        "currency": _TEXT,
        "fetched_at": _TS,
    },
    CONVERSIONS_TABLE: {
        "site_id": _KEY,
        "conversion_id": _KEY,
        "visit_id": _INT,
        "conversion_type": _TEXT,
        "goal_id": _INT,
        "goal_name": _TEXT,
        "order_id": _TEXT,
        "revenue": _DOUBLE,
        "items": _INT,
        "converted_at": _TS,
        "visitor_id_hash": _TEXT,
        "fetched_at": _TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    VISITS_TABLE: ("site_id", "visit_id"),
    CONVERSIONS_TABLE: ("site_id", "conversion_id"),
}
