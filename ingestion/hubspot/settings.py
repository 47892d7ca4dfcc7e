"""Constants of the HubSpot CRM source: endpoints, search limits, properties, raw tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.privacy import WEB_IDENTITY_PURPOSE  # noqa: F401 (re-exported for the source)
from ingestion.tables import BOOL, DOUBLE, INT, KEY, TEXT, TS

SOURCE_NAME = "hubspot"
REGISTRY_KEY = "hubspot"  # config/brands.yaml: the portal (account) id per brand
DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_DATASET = "raw_hubspot"

# CRM search (https://developers.hubspot.com/docs/guides/api/crm/search, "Limitations"): at most
# 200 results a page, 10,000 results a query (paging further answers 400), 5 requests a
# second per account.
PAGE_SIZE = 200
RESULT_CAP = 10_000
SEARCH_INTERVAL_S = 0.21  # >= 1/5 s between two search requests of one portal
SECONDLY_WAIT_S = 1.0  # after a 429 of the secondly limit that names no wait
BATCH_SIZE = 1_000  # associations v4 batch read inputs per call
# Records modified up to this long before the newest one loaded are searched again: the
# search index lags writes by a few seconds to minutes, and a record modified during the last
# run may have been indexed after it read that instant.
LOOKBACK = timedelta(hours=1)
MAX_PAGES = RESULT_CAP + 1  # pages of one window at limit 1: beyond, the server loops
# A window narrower than this that still holds more than RESULT_CAP records cannot be split.
MIN_WINDOW = timedelta(seconds=1)

OBJECTS = ("contacts", "deals")
MODIFIED = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
CONTACT_PROPERTIES = (
    "createdate", "lastmodifieddate", "firstname", "lastname", "email", "phone",
    "lifecyclestage", "hs_analytics_source", "hs_analytics_source_data_1",
    "hs_analytics_source_data_2", "hs_analytics_first_url", "utm_source", "utm_medium",
    "utm_campaign", "utm_content", "utm_term", "web_user_id",
)  # fmt: skip
# Not ``dealname``: teams name deals after the customer (a person's name), and no mart needs it.
DEAL_PROPERTIES = (
    "createdate", "hs_lastmodifieddate", "amount", "deal_currency_code",
    "pipeline", "dealstage", "closedate", "hs_is_closed_won",
)  # fmt: skip
PROPERTIES = {"contacts": CONTACT_PROPERTIES, "deals": DEAL_PROPERTIES}
# Personal properties hashed at ingestion (ingestion/privacy.py); web_user_id is hashed under
# the shared purpose WEB_IDENTITY_PURPOSE instead, the one Matomo hashes its userId under, for
# the deal attribution's join (docs/identity.md, docs/privacy.md).
PERSONAL = ("firstname", "lastname", "email", "phone")

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "contacts": {
        "portal_id": KEY,
        "contact_id": KEY,
        "brand_id": TEXT,
        "created_at": TS,
        "updated_at": TS,
        "firstname_hash": TEXT,
        "lastname_hash": TEXT,
        "email_hash": TEXT,
        "phone_hash": TEXT,
        "lifecycle_stage": TEXT,
        "analytics_source": TEXT,
        "analytics_source_data_1": TEXT,
        "analytics_source_data_2": TEXT,
        "first_url": TEXT,
        "utm_source": TEXT,
        "utm_medium": TEXT,
        "utm_campaign": TEXT,
        "utm_content": TEXT,
        "utm_term": TEXT,
        "web_user_key": TEXT,
        "fetched_at": TS,
    },
    "deals": {
        "portal_id": KEY,
        "deal_id": KEY,
        "brand_id": TEXT,
        "created_at": TS,
        "updated_at": TS,
        "amount": DOUBLE,
        "currency": TEXT,
        "pipeline": TEXT,
        "deal_stage": TEXT,
        "close_date": TS,
        "is_closed_won": BOOL,
        "fetched_at": TS,
    },
    "deal_contacts": {
        "portal_id": KEY,
        "deal_id": KEY,
        "contact_id": KEY,
        "association_type_id": INT,
        "fetched_at": TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "contacts": ("portal_id", "contact_id"),
    "deals": ("portal_id", "deal_id"),
    "deal_contacts": ("portal_id", "deal_id", "contact_id"),
}


@configspec
class HubspotHttp(HttpConfig):
    """HubSpot's retry policy, page size (``limit``, 1-200) and search limits
    (``sources.hubspot.max_attempts`` etc.)."""

    page_size: int | None = PAGE_SIZE
    result_cap: int = RESULT_CAP
    """Results one search query can page through; a window holding more is split."""
    search_interval_s: float = SEARCH_INTERVAL_S
    """Least time between two search requests of one portal (the secondly limit)."""


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear (``ingestion.quarantine.reviewed_only``).
REVIEWED_FIELDS = frozenset(
    {"id", "properties", "createdAt", "updatedAt", "archived", *CONTACT_PROPERTIES,
     *DEAL_PROPERTIES, "hs_object_id"}
)  # fmt: skip
