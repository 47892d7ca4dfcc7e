"""dlt source for the HubSpot CRM API: contacts, deals and the deals' contacts.

Loads ``raw_hubspot`` (docs/sources/hubspot.md) for every portal of the brand registry (key
``hubspot``). Incremental on the last-modified date through the CRM search endpoint
(``POST /crm/v3/objects/{object}/search``), which returns at most 10,000 results per query:
the source lists date windows and splits a window that holds more (helpers.search_window).
Targets https://api.hubapi.com by default; point ``base_url`` (env
``SOURCES__HUBSPOT__BASE_URL``) at the sandbox (``.../hubspot``) to run locally. Building the
source needs no secret: tokens and the pseudonymisation key are checked at extract time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion import completeness
from ingestion.accounts import AccountLoop, declared
from ingestion.http import Answer, RetryPolicy, SourceAuthError
from ingestion.incremental import Listing, advance_cursor, chunks, log_listed, source_state
from ingestion.privacy import lazy_pseudonymiser
from ingestion.quarantine import BAD_RECORD, Bad, Quarantine, parse_timestamp, record_id_of
from ingestion.tables import SCHEMA_CONTRACT
from ingestion.windows import pages_left, window_pages
from pulse_config.registry import load_registry

from . import rows
from . import settings as s
from .helpers import HubspotClient, SearchLimits, Window, search_window

logger = logging.getLogger(__name__)


@dataclass
class Options:
    """Resolved source arguments."""

    tokens: dict[str, str]
    token: str | None
    pseudonymisation_key: str | None
    base_url: str
    limits: SearchLimits
    policy: RetryPolicy


class HubspotRun:
    """Per-run state: one client per portal, one listing per portal and object.

    A listing owns its incremental cursor (dlt source state), so it advances only when the
    load succeeds. Build a fresh source per run: the caches live with it.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self._clients: dict[str, HubspotClient] = {}
        self.hasher = lazy_pseudonymiser(options.pseudonymisation_key, source=s.SOURCE_NAME)
        self.web = lazy_pseudonymiser(options.pseudonymisation_key, source=s.WEB_IDENTITY_PURPOSE)
        self._listings: dict[tuple[str, str], Listing[dict[str, Any]]] = {}
        self._totals: dict[tuple[str, str], Answer] = {}

    def client(self, portal: str) -> HubspotClient:
        """Built on first use, so that building the source needs no secret."""
        if portal not in self._clients:
            token = self.options.tokens.get(portal) or self.options.token
            if not token:
                raise SourceAuthError(
                    s.SOURCE_NAME,
                    portal,
                    "no access token for this portal: set sources.hubspot.access_tokens "
                    '(a JSON object {"<portal id>": "<private app token>"}, env '
                    "SOURCES__HUBSPOT__ACCESS_TOKENS) in .dlt/secrets.toml",
                )
            opts = self.options
            self._clients[portal] = HubspotClient(portal, token, opts.base_url, opts.policy)
        return self._clients[portal]

    def total(self, obj: str, portal: str) -> Answer:
        """HubSpot's count of the portal's ``obj`` records (``HubspotClient.count``), asked
        once a run and before the listing: records created meanwhile only add to the load."""
        if (portal, obj) not in self._totals:
            interval = self.options.limits.interval_s
            self._totals[(portal, obj)] = self.client(portal).count(obj, interval)
        return self._totals[(portal, obj)]

    def reported(self, obj: str, brand_id: str, portal: str) -> Iterator[Any]:
        """The ``reported_totals`` row of ``obj`` (orchestration/defs/completeness.py)."""
        answer = self.total(obj, portal)
        body = answer.json()
        yield from completeness.reported(
            portal,
            f"{obj}.total",
            body.get("total") if isinstance(body, Mapping) else None,
            answer.fetched_at,
            obj,
            brand_id=brand_id,
            scope="every record of the object, archived excluded (an unfiltered search)",
        )

    def listing(self, obj: str, brand_id: str, portal: str) -> Listing[dict[str, Any]]:
        """Records of ``obj`` modified since the cursor minus the lookback (all on the first
        run), oldest first, each once (the last version seen wins)."""
        if (portal, obj) in self._listings:
            return self._listings[(portal, obj)]
        hasher, web = self.hasher(), self.web()  # fail before any request without a key
        self.total(obj, portal)
        cursors = source_state("cursors")
        key = f"{portal}:{obj}"
        since = parse_timestamp(cursors[key]) - s.LOOKBACK if cursors.get(key) else None
        found: dict[str, dict[str, Any]] = {}
        listing: Listing[dict[str, Any]] = Listing(since=since)
        client = self.client(portal)
        budget, pages = window_pages(), 0  # a page window: commit, then the next window
        for answer in search_window(client, obj, Window(since, None), self.options.limits):
            pages += 1
            body = answer.json()
            for raw in body.get("results") or []:
                try:
                    if obj == "contacts":
                        row = rows.contact_row(raw, portal, brand_id, answer.fetched_at,
                                               hasher, web)  # fmt: skip
                    else:
                        row = rows.deal_row(raw, portal, brand_id, answer.fetched_at)
                except BAD_RECORD as exc:
                    safe = rows.redact(raw, hasher, web)
                    listing.bad.append(Bad(safe, exc, answer.fetched_at, record_id_of(raw)))
                    continue
                found[row[f"{obj[:-1]}_id"]] = row
            if pages == budget:  # asking for the next page would leave the window
                break
        listing.rows = list(found.values())
        newest = max((r["updated_at"] for r in listing.rows), default=None)
        advance_cursor(cursors, key, newest)
        if budget is not None and pages == budget and newest is not None:
            # Pages come oldest first, so everything up to the cursor is loaded: the next
            # window searches on from it (less the lookback, which also covers records of
            # the cursor's own instant left on the next page).
            pages_left(obj, portal, newest.isoformat())
        log_listed((f"hubspot: portal {portal}", obj), len(listing.rows), since)
        self._listings[(portal, obj)] = listing
        return listing


def contacts(run: HubspotRun, brand_id: str, portal: str) -> Iterator[Any]:
    """Contacts modified since the last run (all on the first): lifecycle stage, original
    source and UTMs; name, e-mail, phone and web user id pseudonymised. Then HubSpot's total
    of contacts, for the completeness check."""
    yield from run.listing("contacts", brand_id, portal).items()
    yield from run.reported("contacts", brand_id, portal)


def deals(run: HubspotRun, brand_id: str, portal: str) -> Iterator[Any]:
    """Deals modified since the last run: amount, currency, pipeline, stage, close date and
    the closed-won flag. Then HubSpot's total of deals, for the completeness check."""
    yield from run.listing("deals", brand_id, portal).items()
    yield from run.reported("deals", brand_id, portal)


def deal_contacts(run: HubspotRun, brand_id: str, portal: str) -> Iterator[Any]:
    """The contacts of every deal listed this run (v4 associations, batches of 1,000)."""
    ids = [r["deal_id"] for r in run.listing("deals", brand_id, portal).rows]
    client = run.client(portal)
    for batch in chunks(ids, s.BATCH_SIZE):
        answer = client.associations(list(batch))
        body = answer.json()
        for raw in body.get("results") or []:
            try:
                yield from rows.association_rows(raw, portal, answer.fetched_at)
            except BAD_RECORD as exc:
                yield Bad(raw, exc, answer.fetched_at, None)
        _log_missing(body, portal)


def _log_missing(body: dict[str, Any], portal: str) -> None:
    """Deals without a contact come back as errors (HTTP 207): expected, counted in the log."""
    missing = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    if missing:
        logger.info("hubspot: portal %s: %d deals without a contact", portal, len(missing))


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def hubspot_source(
    access_tokens: dict[str, str] | None = dlt.secrets.value,
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    registry_path: str | None = None,
    _http: s.HubspotHttp | None = None,
) -> Sequence[DltResource]:
    """Contacts, deals and deal-contact associations of the registry's portals (key
    ``hubspot``), incrementally on the last-modified date.

    Args:
        access_tokens: portal id -> private app access token (secret
            ``sources.hubspot.access_tokens``; env ``SOURCES__HUBSPOT__ACCESS_TOKENS`` as a
            JSON object): a token belongs to one HubSpot account. Checked at extract time.
        access_token: one token for portals missing from ``access_tokens``.
        pseudonymisation_key: HMAC key for names, e-mails, phones and web user ids (secret
            ``sources.hubspot.pseudonymisation_key`` or env ``PULSE_PSEUDONYMISATION_KEY``).
        base_url: API host, ``https://api.hubapi.com``; the sandbox's is
            ``http://127.0.0.1:PORT/hubspot``.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy (429, 5xx, timeouts, truncated bodies), ``page_size`` (the search's
            ``limit``, 1-200), ``result_cap`` (10,000) and ``search_interval_s``:
            ``settings.HubspotHttp``, set as ``sources.hubspot.max_attempts`` etc.
    """
    http = _http or s.HubspotHttp()
    options = Options(
        tokens=dict(access_tokens or {}),
        token=access_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        limits=SearchLimits(
            http.page_size_within(s.PAGE_SIZE), http.result_cap, http.search_interval_s
        ),
        policy=http.policy(),
    )
    portals = load_registry(registry_path).accounts(s.REGISTRY_KEY)
    loop = AccountLoop(
        portals, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), rows.arrow,
        {**declared(s.PRIMARY_KEYS, s.COLUMNS), **completeness.DECLARED},
    )  # fmt: skip
    variants = {"contacts": (completeness.TABLE,), "deals": (completeness.TABLE,)}
    return loop.resources(HubspotRun(options), (contacts, deals, deal_contacts), variants)
