"""Constants of the Search Console source: endpoint, report shape, windows, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import DATE_KEY, DOUBLE, INT, KEY, TEXT, TS

SOURCE_NAME = "search_console"
DEFAULT_BASE_URL = "https://searchconsole.googleapis.com"
API_PATH = "webmasters/v3/sites"
OAUTH_SCOPE = "https://www.googleapis.com/auth/webmasters.readonly"
DEFAULT_DATASET = "raw_search_console"
TIME_ZONE = "America/Los_Angeles"  # the API's days are Pacific days (startDate reference)

QUERIES_TABLE = "search_analytics"  # date x page x query x country x device
PAGES_TABLE = "page_daily"  # date x page: anonymized queries counted (they are not above)

DIMENSIONS: dict[str, tuple[str, ...]] = {
    QUERIES_TABLE: ("date", "page", "query", "country", "device"),
    PAGES_TABLE: ("date", "page"),
}
DATA_STATES = ("final", "all")
DATA_STATE = "final"  # final days only: what is loaded never changes afterwards
RESTATEMENT_DAYS = 4  # final data comes 2-3 days late: each run re-pulls the last 4 days
BACKFILL_DAYS = 486  # first run: the whole 16 months Search Console keeps
PAGE_SIZE = 25_000  # rowLimit: the API's maximum (default 1,000)
MAX_PAGE_SIZE = 25_000

_METRICS = {"clicks": INT, "impressions": INT, "ctr": DOUBLE, "position": DOUBLE}
_TAIL = {"is_final": {"data_type": "bool"}, "fetched_at": TS}
COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    QUERIES_TABLE: {
        "site_url": KEY,
        "brand_id": TEXT,
        "date": DATE_KEY,
        "page": KEY,
        "query": KEY,
        "country": KEY,
        "device": KEY,
        **_METRICS,
        **_TAIL,
    },
    PAGES_TABLE: {
        "site_url": KEY,
        "brand_id": TEXT,
        "date": DATE_KEY,
        "page": KEY,
        **_METRICS,
        **_TAIL,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    QUERIES_TABLE: ("site_url", "date", "page", "query", "country", "device"),
    PAGES_TABLE: ("site_url", "date", "page"),
}


@configspec
class SearchConsoleHttp(HttpConfig):
    """Retry policy and ``rowLimit`` (``sources.search_console.page_size``, at most 25,000)."""

    page_size: int | None = PAGE_SIZE


# Every field name, at any depth, this source reads: a quarantine payload keeps only these in
# clear (``ingestion.quarantine.reviewed_only``). A search query is typed by a person but is not
# about one: Google withholds the rare ones (anonymized queries), the rest are kept as sent.
REVIEWED_FIELDS = frozenset(
    {"rows", "keys", "clicks", "impressions", "ctr", "position", "responseAggregationType",
     "metadata", "first_incomplete_date", "siteUrl", "permissionLevel"}
)  # fmt: skip
