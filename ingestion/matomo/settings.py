"""Constants of the Matomo source: API method, windows, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DOUBLE, INT, KEY, TEXT, TS

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


COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    VISITS_TABLE: {
        "site_id": KEY,
        "visit_id": {"data_type": "bigint", "nullable": False},
        "brand_id": TEXT,
        "visit_date": {"data_type": "date"},
        "first_action_at": TS,
        "last_action_at": TS,
        "visit_duration_s": INT,
        "actions": INT,
        "visit_count": INT,
        "visitor_type": TEXT,
        "visitor_id_hash": TEXT,
        "user_id_hash": TEXT,
        "consent": TEXT,
        "consent_dimension": TEXT,
        "referrer_type": TEXT,
        "referrer_name": TEXT,
        "referrer_keyword": TEXT,
        "referrer_url": TEXT,
        "campaign_name": TEXT,
        "campaign_source": TEXT,
        "campaign_medium": TEXT,
        "campaign_content": TEXT,
        "campaign_keyword": TEXT,
        "entry_url": TEXT,
        "device_type": TEXT,
        "goal_conversions": INT,
        "visit_converted": BOOL,
        "revenue": DOUBLE,
        "currency": TEXT,
        "fetched_at": TS,
    },
    CONVERSIONS_TABLE: {
        "site_id": KEY,
        "conversion_id": KEY,
        "visit_id": INT,
        "conversion_type": TEXT,
        "goal_id": INT,
        "goal_name": TEXT,
        "order_id": TEXT,
        "revenue": DOUBLE,
        "items": INT,
        "converted_at": TS,
        "visitor_id_hash": TEXT,
        "fetched_at": TS,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    VISITS_TABLE: ("site_id", "visit_id"),
    CONVERSIONS_TABLE: ("site_id", "conversion_id"),
}


# Visit fields this source maps or deliberately drops (the IP address, location, fingerprint
# and profile are personal data the warehouse must not hold). Any other field Matomo adds is
# loaded as a column of its own holding the keyed hash of its value, until someone reviews it
# and maps it here: the schema evolves, and no unreviewed value lands in clear.
KNOWN_VISIT_FIELDS = frozenset(
    {"idSite", "idVisit", "visitIp", "visitorId", "userId", "fingerprint", "visitorType",
     "visitCount", "visitConverted", "goalConversions", "serverDate", "serverTimestamp",
     "firstActionTimestamp", "lastActionTimestamp", "visitDuration", "actions",
     "referrerType", "referrerName", "referrerKeyword", "referrerUrl", "deviceType",
     "siteCurrency", "actionDetails", "campaignId", "campaignName", "campaignSource",
     "campaignMedium", "campaignContent", "campaignKeyword", "campaignGroup",
     "campaignPlacement", "latitude", "longitude", "city", "region", "country",
     "countryCode", "continent", "continentCode", "location", "visitorProfile",
     "visitLocalTime", "visitLocalHour", "visitServerHour", "resolution", "operatingSystem",
     "browser", "browserName", "browserVersion", "deviceBrand", "deviceModel", "languageCode"}
)  # fmt: skip


@configspec
class MatomoHttp(HttpConfig):
    """Matomo's retry policy and page size (``sources.matomo.max_attempts`` etc.);
    ``page_size`` is the ``filter_limit`` of one request."""

    page_size: int | None = PAGE_SIZE
