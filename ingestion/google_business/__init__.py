"""dlt source for Google Business Profile reviews (My Business API v4).

Loads ``raw_google_business`` (contract: docs/sources/google_business.md) for every location of
the brand registry (key ``google_business``: a list of ``accounts/{a}/locations/{l}``). Targets
https://mybusiness.googleapis.com by default; point ``base_url`` (env
``SOURCES__GOOGLE_BUSINESS__BASE_URL``) at ``http://127.0.0.1:PORT/google_business`` for the
sandbox. Building the source needs no secret: the token and the pseudonymisation key are only
required when data is extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion import completeness
from ingestion.accounts import AccountLoop, declared
from ingestion.google_oauth import TOKEN_URL, GoogleOAuth
from ingestion.http import Answer, ApiClient, RetryPolicy
from ingestion.incremental import Backfill, advance_cursor, since_label, source_state
from ingestion.privacy import Pseudonymiser, lazy_pseudonymiser
from ingestion.quarantine import BAD_RECORD, Bad, InvalidRecord, Quarantine, parse_timestamp
from ingestion.tables import SCHEMA_CONTRACT, arrow_table_with_extras
from pulse_config.registry import Registry, load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)


@dataclass
class Options:
    """Resolved source arguments."""

    oauth: GoogleOAuth
    pseudonymisation_key: str | None
    base_url: str
    api_version: str
    page_size: int
    lookback_hours: float
    policy: RetryPolicy


@dataclass
class GbpRun:
    """Per-run state: the lazily built client and hasher, and each location's first reviews
    page, read once a run by whichever of ``reviews`` and ``location_review_stats`` dlt runs
    first (it alternates between resources) and reused by the other."""

    options: Options
    first_pages: dict[str, tuple[Answer, dict[str, Any]]] = field(default_factory=dict)
    _client: ApiClient | None = None
    hasher: Callable[[], Pseudonymiser] = field(init=False)

    def __post_init__(self) -> None:
        self.hasher = lazy_pseudonymiser(self.options.pseudonymisation_key, source=s.SOURCE_NAME)

    def client(self, location: str) -> ApiClient:
        """Built on first use, so that building the source needs no token."""
        if self._client is None:
            o = self.options
            self._client = h.make_client(o.oauth, o.base_url, o.api_version, o.policy, location)
        return self._client


def _arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by the column hints (dlt loads Arrow much faster than dicts);
    review fields the API added since are carried as text columns."""
    return arrow_table_with_extras(s.COLUMNS[table], records)


def locations_of(registry: Registry, locations: list[str] | None) -> list[tuple[str | None, str]]:
    """(brand_id, location) of the registry, or of the given names (brand None if unknown)."""
    if locations is None:
        return list(registry.accounts(s.REGISTRY_KEY))
    pairs: list[tuple[str | None, str]] = []
    for loc in locations:
        try:
            pairs.append((registry.brand_of(s.REGISTRY_KEY, loc), loc))
        except KeyError:
            pairs.append((None, loc))
    return pairs


def reviews(run: GbpRun, brand_id: str | None, location: str) -> Iterator[Any]:
    """Reviews by ``updateTime desc`` back to the cursor minus the lookback (all at first).

    Merged on ``review_name``: a review answered later comes back with its reply.
    """
    hasher = run.hasher()  # fail before any request if no key is configured
    cursors = source_state("cursors")
    lookback = timedelta(hours=run.options.lookback_hours)
    since = parse_timestamp(cursors[location]) - lookback if cursors.get(location) else None
    backfill = Backfill.resume(location, "reviews", since)  # a long listing: page windows
    since = backfill.since
    count = 0
    first = run.first_pages.get(location)
    pages = h.review_pages(run.client(location), location, run.options.page_size, first)
    for answer, body in () if backfill.done else pages:  # done: listed by an earlier window
        run.first_pages.setdefault(location, (answer, body))
        raw_reviews = body.get("reviews") or []
        if not isinstance(raw_reviews, list):
            raw_reviews = [raw_reviews]  # quarantined below, record by record
        reached = False
        for raw in raw_reviews:
            try:
                row = h.review_row(raw, location, brand_id, answer.fetched_at, hasher)
            except BAD_RECORD as exc:
                rid = raw.get("name") if isinstance(raw, dict) else None
                rid = rid if isinstance(rid, str) and rid else None
                yield Bad(h.redact_review(raw, hasher), exc, answer.fetched_at, record_id=rid)
                continue
            if since is not None and row["update_time"] < since:
                reached = True
                break  # ordered by updateTime desc: everything after is older
            if not backfill.admit(row["update_time"], row["review_name"]):
                continue  # an earlier window loaded it
            count += 1
            yield row
        if reached or not backfill.turn_page():
            break
    advance_cursor(cursors, location, backfill.close())
    logger.info("%s: %s: %d reviews (since %s)", s.SOURCE_NAME, location, count, since_label(since))
    yield from _reported_total(run, brand_id, location)


def _reported_total(run: GbpRun, brand_id: str | None, location: str) -> Iterator[Any]:
    """``totalReviewCount`` of the first page (absent on a location without reviews: 0)."""
    answer, body = run.first_pages.get(location, (None, None))
    if isinstance(body, dict) and answer is not None:
        total = body.get("totalReviewCount", 0 if not body.get("reviews") else None)
        yield from completeness.reported(
            location, "totalReviewCount", total, answer.fetched_at, "reviews", brand_id=brand_id
        )


def location_review_stats(run: GbpRun, brand_id: str | None, location: str) -> Iterator[Any]:
    """Daily snapshot of each location's averageRating and totalReviewCount."""
    if location not in run.first_pages:  # read here first: the reviews resource reuses it
        pages = h.review_pages(run.client(location), location, run.options.page_size)
        run.first_pages[location] = next(pages)
    answer, body = run.first_pages[location]
    fetched_at = answer.fetched_at
    try:
        if not isinstance(body, dict):
            raise InvalidRecord(f"page is a {type(body).__name__}, not an object")
        row = h.stats_row(body, location, brand_id, fetched_at)
    except BAD_RECORD as exc:
        summary = (
            {k: v for k, v in body.items() if k != "reviews"} if isinstance(body, dict) else body
        )
        yield Bad(summary, exc, fetched_at, record_id=location)
        return
    yield row


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def google_business_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    refresh_token: str | None = dlt.secrets.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    token_url: str = TOKEN_URL,
    base_url: str = s.DEFAULT_BASE_URL,
    api_version: str = s.DEFAULT_API_VERSION,
    lookback_hours: float = s.LOOKBACK_HOURS,
    locations: list[str] | None = None,
    registry_path: str | None = None,
    _http: s.GoogleBusinessHttp | None = None,
) -> Sequence[DltResource]:
    """Reviews and daily rating snapshots of every registry location, incrementally.

    Args:
        access_token: OAuth 2 access token with the ``business.manage`` scope (secret
            ``sources.google_business.access_token``); checked at extract time.
        refresh_token / client_id / client_secret: renew the access token (it lasts one hour)
            through ``token_url`` (Google's https://oauth2.googleapis.com/token), before it
            dies and once when Google rejects it (secrets ``sources.google_business.*``).
        pseudonymisation_key: HMAC key for reviewer names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked at extract time.
        base_url: API host, e.g. ``http://127.0.0.1:8765/google_business`` for the sandbox.
        api_version: path version prefix (``v4``; v1-v3 are retired and answer 404).
        lookback_hours: reviews are re-listed back to the last run's newest updateTime minus
            this, so a late reply (which moves updateTime) is always picked up.
        locations: explicit ``accounts/{a}/locations/{l}`` names instead of the registry's.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (429 quota, 5xx, timeouts; Retry-After honoured) and
            ``page_size``, the ``pageSize`` (API maximum 50): ``settings.GoogleBusinessHttp``,
            set as ``sources.google_business.max_attempts`` etc.
    """
    http = _http or s.GoogleBusinessHttp()
    options = Options(
        oauth=GoogleOAuth(access_token, refresh_token, client_id, client_secret, token_url),
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        api_version=api_version,
        page_size=http.page_size_within(s.PAGE_SIZE),
        lookback_hours=lookback_hours,
        policy=http.policy(),
    )
    pairs = locations_of(load_registry(registry_path), locations)
    tables = {**declared(s.PRIMARY_KEYS, s.COLUMNS), **completeness.DECLARED}
    loop = AccountLoop(pairs, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), _arrow, tables)
    variants = {"reviews": (completeness.TABLE,)}
    return loop.resources(GbpRun(options), (reviews, location_review_stats), variants)
