"""dlt source for Google Search Console's Search Analytics: clicks, impressions, CTR and
average position per day x page x query x country x device, and per day x page.

Loads ``raw_search_console`` for every brand with a ``site`` in the brand registry, read as
the URL-prefix property ``https://<site>/`` (or the ``site_urls`` given). Targets
https://searchconsole.googleapis.com (``sources.search_console.base_url``; the sandbox is
``http://127.0.0.1:PORT/search_console``) with a Google OAuth token (webmasters.readonly).

Two tables, because Search Console hides rare ("anonymized") queries from any result grouped by
query but counts them otherwise: ``search_analytics`` (by query) sums to less than
``page_daily`` (by page), and the page totals are the ones to report per page.

Search Console's days are Pacific days and final data comes 2-3 days late: by default only
final days are loaded (``data_state="final"``), and each run re-pulls ``restatement_days``
before the previous run's day, so a day loads once it is final and never changes afterwards.
With ``data_state="all"`` the fresh days are loaded too, flagged ``is_final = false``, and
replaced by merge when a later run reads them final. Search Console keeps 16 months: the first
run asks for ``backfill_days`` (486) and gets what is left of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.google_oauth import TOKEN_URL, GoogleOAuth, google_token
from ingestion.http import ApiClient, RetryPolicy
from ingestion.quarantine import Bad, InvalidRecord, Quarantine
from ingestion.tables import SCHEMA_CONTRACT, arrow_schema
from ingestion.windows import window_end
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s


@dataclass
class SearchConsoleRun:
    """The resolved options of one ``search_console_source()``, its client, and each site's
    today as the API gave it (``sites.get``, asked once a run for both tables)."""

    oauth: GoogleOAuth
    base_url: str
    policy: RetryPolicy
    data_state: str
    backfill_days: int
    restatement_days: int
    page_size: int
    _client: ApiClient | None = None
    _todays: dict[str, date] = field(default_factory=dict)

    def client(self) -> ApiClient:
        if self._client is None:  # no token at all fails here, naming the secrets to set
            token = google_token(s.SOURCE_NAME, self.oauth, s.OAUTH_SCOPE)
            self._client = h.make_client(token, self.base_url, self.policy)
        return self._client

    def site_today(self, site: str) -> date:
        """The site's today (and its permission checked) on the first ask of this run."""
        if site not in self._todays:
            self._todays[site] = h.site_today(self.client(), site)
        return self._todays[site]


def _rows(run: SearchConsoleRun, table: str, brand_id: str, site: str) -> Iterator[Any]:
    """One table's rows of one site, from the restatement window to the API's today."""
    client = run.client()
    state = dlt.current.resource_state().setdefault("last_run_date", {})
    today = run.site_today(site)
    if site in state:
        first = date.fromisoformat(state[site]) - timedelta(days=run.restatement_days)
    else:
        first = today - timedelta(days=max(0, run.backfill_days - 1))
    last = window_end(table, site, first, today)
    dims = s.DIMENSIONS[table]
    pages = h.query_pages(client, site, (first, last), dims, run.data_state, run.page_size)
    for answer, data in pages:
        incomplete = (data.get("metadata") or {}).get("first_incomplete_date")
        for raw in data.get("rows") or []:
            try:
                rec = h.row_record(raw, dims)
            except InvalidRecord as exc:
                yield Bad(raw, exc, answer.fetched_at, record_id=h.row_id(site, raw))
                continue
            final = incomplete is None or rec["date"].isoformat() < str(incomplete)
            rec.update(site_url=site, brand_id=brand_id, is_final=final)
            rec["fetched_at"] = answer.fetched_at
            yield rec
    state[site] = last.isoformat()


def search_analytics(run: SearchConsoleRun, brand_id: str, site: str) -> Iterator[Any]:
    """Rows per date x page x query x country x device (anonymized queries absent)."""
    yield from _rows(run, s.QUERIES_TABLE, brand_id, site)


def page_daily(run: SearchConsoleRun, brand_id: str, site: str) -> Iterator[Any]:
    """Rows per date x page, every query counted (the page's true totals)."""
    yield from _rows(run, s.PAGES_TABLE, brand_id, site)


def site_accounts(registry_path: str | None, site_urls: list[str] | None) -> list[tuple]:
    """(brand id, site URL) of every brand site, or of the given site URLs."""
    registry = load_registry(registry_path)
    sites = {f"https://{b.site.strip('/')}/": b.brand_id for b in registry.brands if b.site}
    if site_urls is None:
        return [(brand, url) for url, brand in sites.items()]
    return [(sites.get(url), url) for url in site_urls]


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def search_console_source(
    access_token: str | None = dlt.secrets.value,
    refresh_token: str | None = dlt.secrets.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    token_url: str = TOKEN_URL,
    base_url: str = s.DEFAULT_BASE_URL,
    site_urls: list[str] | None = None,
    data_state: str = s.DATA_STATE,
    backfill_days: int = s.BACKFILL_DAYS,
    restatement_days: int = s.RESTATEMENT_DAYS,
    registry_path: str | None = None,
    _http: s.SearchConsoleHttp | None = None,
) -> Sequence[DltResource]:
    """Search Analytics of the registry's brand sites (or ``site_urls``), incrementally by day.

    Args:
        access_token / refresh_token / client_id / client_secret / token_url: Google OAuth
            (``ingestion.google_oauth``), scope webmasters.readonly; checked on extraction.
        base_url: API host; ``http://127.0.0.1:PORT/search_console`` for the sandbox.
        site_urls: properties to read instead of ``https://<site>/`` of every brand.
        data_state: ``final`` (default) or ``all`` (fresh days too, ``is_final`` false).
        backfill_days: first run's days back from the API's today (16 months kept).
        restatement_days: days before the previous run's day re-pulled each run.
        _http: retry policy and ``page_size`` (the ``rowLimit``, at most 25,000).
    """
    if data_state not in s.DATA_STATES:
        raise ValueError(f"search_console: data_state must be one of {s.DATA_STATES}")
    http = _http or s.SearchConsoleHttp()
    run = SearchConsoleRun(
        GoogleOAuth(access_token, refresh_token, client_id, client_secret, token_url),
        base_url,
        http.policy(),
        data_state,
        backfill_days,
        restatement_days,
        http.page_size_within(s.MAX_PAGE_SIZE),
    )
    tables = declared(s.PRIMARY_KEYS, s.COLUMNS)
    schemas = {name: arrow_schema(cols) for name, (_pk, cols) in tables.items()}

    def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=schemas[table])

    accounts = site_accounts(registry_path, site_urls)
    loop = AccountLoop(accounts, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), arrow, tables)
    return loop.resources(run, (search_analytics, page_daily))
