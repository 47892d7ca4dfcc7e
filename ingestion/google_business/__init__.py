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
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.http import ApiClient, RetryPolicy, retry_policy
from ingestion.incremental import since_label, source_state
from ingestion.privacy import Pseudonymiser, lazy_pseudonymiser
from ingestion.quarantine import InvalidRecord, Quarantine, parse_timestamp
from ingestion.tables import SCHEMA_CONTRACT, arrow_table_with_extras, merge_resource
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)

BAD_RECORD = (InvalidRecord, KeyError, TypeError, ValueError, AttributeError)


@dataclass
class Options:
    """Resolved source arguments."""

    access_token: str | None
    pseudonymisation_key: str | None
    base_url: str
    api_version: str
    page_size: int
    lookback_hours: float
    policy: RetryPolicy
    locations: list[tuple[str | None, str]]


@dataclass
class GbpRun:
    """Per-run state: the lazily built client and hasher, and page summaries seen so far."""

    options: Options
    quarantine: Quarantine = field(default_factory=lambda: Quarantine(s.SOURCE_NAME))
    summaries: dict[str, tuple[dict[str, Any], datetime]] = field(default_factory=dict)
    _client: ApiClient | None = None
    hasher: Callable[[], Pseudonymiser] = field(init=False)

    def __post_init__(self) -> None:
        self.hasher = lazy_pseudonymiser(self.options.pseudonymisation_key, source=s.SOURCE_NAME)

    def client(self, location: str) -> ApiClient:
        """Built on first use, so that building the source needs no token."""
        if self._client is None:
            o = self.options
            self._client = h.make_client(
                o.access_token, o.base_url, o.api_version, o.policy, location
            )
        return self._client


def _arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by the column hints (dlt loads Arrow much faster than dicts);
    review fields the API added since are carried as text columns."""
    return arrow_table_with_extras(s.COLUMNS[table], records)


def _resource(fn: Any, name: str) -> DltResource:
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name])


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def google_business_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    api_version: str = s.DEFAULT_API_VERSION,
    page_size: int = s.PAGE_SIZE,
    lookback_hours: float = s.LOOKBACK_HOURS,
    locations: list[str] | None = None,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """Reviews and daily rating snapshots of every registry location, incrementally.

    Args:
        access_token: OAuth 2 access token with the ``business.manage`` scope (secret
            ``sources.google_business.access_token``); checked at extract time.
        pseudonymisation_key: HMAC key for reviewer names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked at extract time.
        base_url: API host, e.g. ``http://127.0.0.1:8765/google_business`` for the sandbox.
        api_version: path version prefix (``v4``; v1-v3 are retired and answer 404).
        page_size: ``pageSize`` (the API maximum, 50, is the default).
        lookback_hours: reviews are re-listed back to the last run's newest updateTime minus
            this, so a late reply (which moves updateTime) is always picked up.
        locations: explicit ``accounts/{a}/locations/{l}`` names instead of the registry's.
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy per request (429 quota, 5xx, timeouts; Retry-After honoured).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    registry = load_registry(registry_path)
    if locations is None:
        pairs: list[tuple[str | None, str]] = list(registry.accounts(s.REGISTRY_KEY))
    else:
        pairs = []
        for loc in locations:
            try:
                pairs.append((registry.brand_of(s.REGISTRY_KEY, loc), loc))
            except KeyError:
                pairs.append((None, loc))
    run = GbpRun(
        Options(
            access_token=access_token,
            pseudonymisation_key=pseudonymisation_key,
            base_url=base_url,
            api_version=api_version,
            page_size=min(page_size, s.PAGE_SIZE),
            lookback_hours=lookback_hours,
            policy=retry_policy(
                max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
            ),
            locations=pairs,
        )
    )

    def reviews() -> Iterator[Any]:
        """Reviews by ``updateTime desc`` back to the cursor minus the lookback (all at first).

        Merged on ``review_name``: a review answered later comes back with its reply.
        """
        yield from _reviews(run)

    def location_review_stats() -> Iterator[Any]:
        """Daily snapshot of each location's averageRating and totalReviewCount."""
        yield from _stats(run)

    return [_resource(fn, fn.__name__) for fn in (reviews, location_review_stats)]


def _reviews(run: GbpRun) -> Iterator[Any]:
    resource = "reviews"
    hasher = run.hasher()  # fail before any request if no key is configured
    cursors = source_state("cursors")
    lookback = timedelta(hours=run.options.lookback_hours)
    for brand_id, location in run.options.locations:
        since = parse_timestamp(cursors[location]) - lookback if cursors.get(location) else None
        client = run.client(location)
        newest: datetime | None = None
        count = 0
        for answer, body in h.review_pages(client, location, run.options.page_size):
            run.summaries.setdefault(location, (body, answer.fetched_at))
            batch: list[dict[str, Any]] = []
            reached = False
            raw_reviews = body.get("reviews") or []
            if not isinstance(raw_reviews, list):
                raw_reviews = [raw_reviews]  # quarantined below, record by record
            for raw in raw_reviews:
                try:
                    row = h.review_row(raw, location, brand_id, answer.fetched_at, hasher)
                except BAD_RECORD as exc:
                    reason = str(exc) if isinstance(exc, InvalidRecord) else repr(exc)
                    rid = raw.get("name") if isinstance(raw, dict) else None
                    yield run.quarantine.row(
                        resource,
                        h.redact_review(raw, hasher),
                        reason,
                        answer.fetched_at,
                        record_id=rid if isinstance(rid, str) and rid else None,
                    )
                    continue
                if since is not None and row["update_time"] < since:
                    reached = True
                    break  # ordered by updateTime desc: everything after is older
                newest = max(newest or row["update_time"], row["update_time"])
                batch.append(row)
            if batch:
                count += len(batch)
                yield _arrow(resource, batch)
            if reached:
                break
        if newest is not None and (
            not cursors.get(location) or parse_timestamp(cursors[location]) < newest
        ):
            cursors[location] = newest.isoformat()
        logger.info(
            "%s: %s: %d reviews (since %s)",
            s.SOURCE_NAME,
            location,
            count,
            since_label(since),
        )
    run.quarantine.summary(resource)


def _stats(run: GbpRun) -> Iterator[Any]:
    resource = "location_review_stats"
    out: list[dict[str, Any]] = []
    for brand_id, location in run.options.locations:
        if location in run.summaries:
            body, fetched_at = run.summaries[location]
        else:  # the reviews resource did not run (or not yet): one small page is enough
            answer = run.client(location).request(
                "GET",
                f"{location}/reviews",
                account=location,
                params={"pageSize": 1, "orderBy": s.ORDER_BY},
            )
            body, fetched_at = answer.json(), answer.fetched_at
        try:
            if not isinstance(body, dict):
                raise InvalidRecord(f"page is a {type(body).__name__}, not an object")
            out.append(h.stats_row(body, location, brand_id, fetched_at))
        except BAD_RECORD as exc:
            summary = (
                {k: v for k, v in body.items() if k != "reviews"}
                if isinstance(body, dict)
                else body
            )
            yield run.quarantine.row(resource, summary, str(exc), fetched_at, record_id=location)
    if out:
        yield _arrow(resource, out)
    run.quarantine.summary(resource)
