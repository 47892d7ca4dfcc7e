"""dlt source for the Trustpilot public API: business unit snapshots and reviews.

Loads ``raw_trustpilot`` (docs/sources/trustpilot.md) for every business unit of the brand
registry (key ``trustpilot``). Targets https://api.trustpilot.com by default; point
``base_url`` (env ``SOURCES__TRUSTPILOT__BASE_URL``) at the sandbox (``.../trustpilot``) to run
locally. Building the source needs no secret: the API key and the pseudonymisation key are
checked when data is extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion import completeness
from ingestion.accounts import AccountLoop, declared
from ingestion.http import RetryPolicy, SourceAuthError
from ingestion.incremental import (
    Backfill,
    Listing,
    advance_cursor,
    list_newest_first,
    log_listed,
    source_state,
)
from ingestion.privacy import lazy_pseudonymiser
from ingestion.quarantine import Quarantine, parse_timestamp, row_or_bad
from ingestion.tables import SCHEMA_CONTRACT
from pulse_config.registry import load_registry

from . import rows
from . import settings as s
from .helpers import TrustpilotClient

logger = logging.getLogger(__name__)


@dataclass
class Options:
    """Resolved source arguments."""

    api_key: str | None
    pseudonymisation_key: str | None
    base_url: str
    lookback_days: int
    page_size: int
    policy: RetryPolicy


class TrustpilotRun:
    """Per-run state: lazily built client and hasher, one review listing per business unit.

    The listing owns the incremental cursor (dlt source state), so it advances only when the
    load succeeds. Build a fresh source per run: the caches live with it.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self._client: TrustpilotClient | None = None
        self.hasher = lazy_pseudonymiser(options.pseudonymisation_key, source=s.SOURCE_NAME)
        self._listings: dict[str, Listing[dict[str, Any]]] = {}

    @property
    def client(self) -> TrustpilotClient:
        """Built on first use, so that building the source needs no secret."""
        if self._client is None:
            key = self.options.api_key
            if not key:
                raise SourceAuthError(
                    s.SOURCE_NAME,
                    "*",
                    "no API key: set SOURCES__TRUSTPILOT__API_KEY or sources.trustpilot.api_key "
                    "in .dlt/secrets.toml",
                )
            self._client = TrustpilotClient(key, self.options.base_url, self.options.policy)
        return self._client

    def listing(self, brand_id: str, bu_id: str) -> Listing[dict[str, Any]]:
        """Reviews created since the cursor minus the lookback (all on the first run).

        Pages come newest first, so paging stops at the first page reaching past ``since``.
        """
        if bu_id in self._listings:
            return self._listings[bu_id]
        hasher = self.hasher()  # fail before any request if no key is configured
        cursors = source_state("cursors")
        since: datetime | None = None
        if cursors.get(bu_id):
            since = parse_timestamp(cursors[bu_id]) - timedelta(days=self.options.lookback_days)
        pages = (
            (_reviews_of(answer.json(), bu_id), answer.fetched_at)
            for answer in self.client.review_pages(bu_id, self.options.page_size)
        )
        backfill = Backfill.resume(bu_id, "reviews", since)  # a long listing: page windows
        listing = list_newest_first(
            pages,
            lambda raw, at: _twice(rows.review_row(raw, bu_id, brand_id, at, hasher)),
            lambda row: row["created_at"],
            backfill.since,
            key=lambda row: row["review_id"],  # offset paging may repeat one on a shift
            redact=lambda raw: rows.redact(raw, hasher),
            backfill=backfill,
        )
        advance_cursor(cursors, bu_id, backfill.close())
        label = f"trustpilot: business unit {bu_id}"
        log_listed((label, "reviews"), len(listing.rows), backfill.since)
        self._listings[bu_id] = listing
        return listing


def _reviews_of(body: Any, bu_id: str) -> list[Any]:
    """The ``reviews`` list of a page; a page without one is a broken answer, not a record."""
    reviews = body.get("reviews") if isinstance(body, dict) else None
    if not isinstance(reviews, list):
        raise ValueError(f"trustpilot: {bu_id}: page without 'reviews': {str(body)[:200]}")
    return reviews


def _twice(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A review row is its own ref: the listing's cursor and keys read the row."""
    return row, row


def business_units(run: TrustpilotRun, brand_id: str, bu_id: str) -> Iterator[Any]:
    """Daily snapshot of each business unit: TrustScore, stars and review counts by star."""
    answer = run.client.business_unit(bu_id)
    raw = answer.json()
    yield row_or_bad(
        lambda: rows.business_unit_row(raw, bu_id, brand_id, answer.fetched_at),
        raw,
        answer.fetched_at,
        record_id=bu_id,
    )
    counts = raw.get("numberOfReviews") if isinstance(raw, dict) else None
    yield from completeness.reported(
        bu_id,
        "numberOfReviews.total",
        counts.get("total") if isinstance(counts, dict) else None,
        answer.fetched_at,
        "reviews",
        brand_id=brand_id,
        scope="all languages and stars (the source lists reviews without filters)",
    )


def reviews(run: TrustpilotRun, brand_id: str, bu_id: str) -> Iterator[Any]:
    """Reviews with their company reply, newest first down to the cursor minus the lookback
    (all on the first run); consumers and reply authors pseudonymised."""
    yield from run.listing(brand_id, bu_id).items()


def review_snapshots(run: TrustpilotRun, brand_id: str, bu_id: str) -> Iterator[Any]:
    """Stars, likes and reply/edit flags of every review listed this run, dated by the
    server clock (one row per review and day)."""
    for row in run.listing(brand_id, bu_id).rows:
        yield rows.snapshot_row(row)


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def trustpilot_source(
    api_key: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    lookback_days: int = s.LOOKBACK_DAYS,
    registry_path: str | None = None,
    _http: s.TrustpilotHttp | None = None,
) -> Sequence[DltResource]:
    """Business units of the brand registry (key ``trustpilot``) and their reviews, incrementally.

    Args:
        api_key: Trustpilot API key (secret ``sources.trustpilot.api_key``), sent in the
            ``apikey`` header; checked at extract time.
        pseudonymisation_key: HMAC key for consumer ids/names and reply authors (secret
            ``sources.trustpilot.pseudonymisation_key`` or env ``PULSE_PSEUDONYMISATION_KEY``).
        base_url: API host, ``https://api.trustpilot.com``; the sandbox's is
            ``http://127.0.0.1:PORT/trustpilot``.
        lookback_days: reviews created up to this many days before the newest loaded one are
            re-listed each run, so late company replies and edits update them (merge on id).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (429 with Retry-After, 5xx, timeouts, truncated pages)
            and ``page_size``, the ``perPage`` (1-100): ``settings.TrustpilotHttp``, set as
            ``sources.trustpilot.max_attempts`` etc.
    """
    http = _http or s.TrustpilotHttp()
    options = Options(
        api_key=api_key,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        lookback_days=lookback_days,
        page_size=http.page_size_within(s.PAGE_SIZE),
        policy=http.policy(),
    )
    units = load_registry(registry_path).accounts(s.REGISTRY_KEY)
    tables = {**declared(s.PRIMARY_KEYS, s.COLUMNS), **completeness.DECLARED}
    loop = AccountLoop(units, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), rows.arrow, tables)
    functions = (business_units, reviews, review_snapshots)
    variants = {"business_units": (completeness.TABLE,)}
    return loop.resources(TrustpilotRun(options), functions, variants)
