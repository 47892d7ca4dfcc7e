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
        "browser": TEXT,
        "os": TEXT,
        "country_code": TEXT,
        "language_code": TEXT,
        "visit_ecommerce_status": TEXT,
        "days_since_first_visit": INT,
        "days_since_last_visit": INT,
        "searches": INT,
        "events": INT,
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


# Every field of a Live visit, reviewed (Matomo 5.x ``plugins/*/VisitorDetails.php``; the
# table and the reasons: docs/sources/matomo.md "Visit fields"). Loaded: mapped to a column by
# helpers.visit_rows. Pseudonymised: loaded as the keyed hash. Personal: dropped, never loaded,
# not even hashed, and removed from quarantined payloads. Dropped: labels, icons, pretty
# strings and values derivable from the loaded ones. Any other field (a new Matomo field, a
# plugin's, a custom dimension other than consent) is loaded as a column of its own holding
# the keyed hash of its value, until someone reviews it: the schema evolves, and no
# unreviewed value lands in clear.
LOADED_VISIT_FIELDS = frozenset(
    {"idSite", "idVisit", "actionDetails", "firstActionTimestamp", "lastActionTimestamp",
     "visitDuration", "actions", "visitCount", "visitorType", "visitConverted",
     "goalConversions", "siteCurrency", "referrerType", "referrerName", "referrerKeyword",
     "referrerUrl", "deviceType", "browserName", "operatingSystemName", "countryCode",
     "languageCode", "visitEcommerceStatus", "daysSinceFirstVisit", "daysSinceLastVisit",
     "searches", "events", "campaignName", "campaignSource", "campaignMedium",
     "campaignContent", "campaignKeyword"}
)  # fmt: skip
PSEUDONYMISED_VISIT_FIELDS = frozenset({"visitorId", "userId"})
PERSONAL_VISIT_FIELDS = frozenset(
    {"visitIp", "fingerprint", "latitude", "longitude", "city", "region", "regionCode",
     "location", "visitLocalTime", "visitLocalHour", "resolution", "plugins", "pluginsIcons",
     "deviceBrand", "deviceModel", "operatingSystem", "operatingSystemVersion", "browser",
     "browserVersion", "totalEcommerceRevenue", "totalEcommerceConversions",
     "totalEcommerceItems", "totalAbandonedCartsRevenue", "totalAbandonedCarts",
     "totalAbandonedCartsItems", "daysSinceLastEcommerceOrder",
     "secondsSinceLastEcommerceOrder", "customVariables"}
)  # fmt: skip
DROPPED_VISIT_FIELDS = frozenset(
    {"serverDate", "serverTimestamp", "lastActionDateTime", "visitServerHour",
     "serverTimePretty", "serverDatePretty", "serverDatePrettyFirstAction",
     "serverTimePrettyFirstAction", "siteName", "siteCurrencySymbol", "visitorTypeIcon",
     "visitConvertedIcon", "visitEcommerceStatusIcon", "secondsSinceFirstVisit",
     "secondsSinceLastVisit", "visitDurationPretty", "interactions", "referrerTypeName",
     "referrerKeywordPosition", "referrerSearchEngineUrl", "referrerSearchEngineIcon",
     "referrerSocialNetworkUrl", "referrerSocialNetworkIcon", "language", "deviceTypeIcon",
     "operatingSystemIcon", "operatingSystemCode", "browserFamily",
     "browserFamilyDescription", "browserIcon", "browserCode", "continent", "continentCode",
     "country", "countryFlag", "truncatedActionsCount", "campaignId", "campaignGroup",
     "campaignPlacement"}
)  # fmt: skip
KNOWN_VISIT_FIELDS = (
    LOADED_VISIT_FIELDS | PSEUDONYMISED_VISIT_FIELDS | PERSONAL_VISIT_FIELDS | DROPPED_VISIT_FIELDS
)


@configspec
class MatomoHttp(HttpConfig):
    """Matomo's retry policy and page size (``sources.matomo.max_attempts`` etc.);
    ``page_size`` is the ``filter_limit`` of one request."""

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = KNOWN_VISIT_FIELDS | frozenset(
    {"type", "url", "goalId", "goalName", "revenue", "orderId", "items", "timestamp",
     "pageTitle", "idpageview", "serverTimePretty", "result", "message"}
)  # fmt: skip
