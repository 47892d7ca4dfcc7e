"""dlt source for the GA4 Data API: daily traffic by source / medium / campaign / channel group.

Loads ``raw_ga4`` for every ``ga4`` property of the brand registry. Targets
https://analyticsdata.googleapis.com by default (``sources.ga4.base_url``; the sandbox is
``http://127.0.0.1:PORT/ga4``). The OAuth access token (``sources.ga4.access_token``) is only
needed when data is extracted, so the source can be built without secrets.

GA4 restates the last ~3 days, so each run re-pulls ``restatement_days`` before the previous
run's date and merges on the full dimension key: a re-run the same day changes nothing. Days
are the property's (``metadata.timeZone``): ``date`` is a property-local day, and so are the
run's window and the state, read from the response time in that time zone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion import completeness
from ingestion.accounts import AccountLoop
from ingestion.google_oauth import TOKEN_URL, GoogleOAuth, google_token
from ingestion.http import ApiClient, RetryPolicy
from ingestion.quarantine import Bad, InvalidRecord, Quarantine
from ingestion.tables import SCHEMA_CONTRACT, arrow_schema, merge_hints
from ingestion.windows import window_days, window_end
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)

RUNS_HINTS = dlt.mark.make_hints(
    **merge_hints(s.PRIMARY_KEYS[s.RUNS_TABLE], s.COLUMNS[s.RUNS_TABLE], s.RUNS_TABLE)
)


def traffic_columns(dimensions: Sequence[str], metrics: Sequence[str]) -> dict[str, Any]:
    """Columns of ``traffic_daily`` for the configured report (unknown ones: text / double)."""
    known = s.COLUMNS[s.TRAFFIC_TABLE]
    cols: dict[str, Any] = {"property_id": known["property_id"], "brand_id": known["brand_id"]}
    for d in dimensions:
        cols[h.snake(d)] = known.get(h.snake(d), {"data_type": "text", "nullable": False})
    for m in metrics:
        cols[h.snake(m)] = known.get(h.snake(m), {"data_type": "double"})
    for name in ("currency_code", "time_zone", "sampled", "fetched_at"):
        cols[name] = known[name]
    return cols


@dataclass
class Ga4Run:
    """The resolved report of one ``ga4_source()`` and its client, built on first use."""

    oauth: GoogleOAuth
    base_url: str
    policy: RetryPolicy
    dimensions: tuple[str, ...]
    metrics: tuple[str, ...]
    start_date: str | None
    backfill_days: int
    restatement_days: int
    page_size: int
    _client: ApiClient | None = None

    def client(self) -> ApiClient:
        if self._client is None:  # no token at all fails here, naming the secrets to set
            token = google_token(s.SOURCE_NAME, self.oauth, s.OAUTH_SCOPE)
            self._client = h.make_client(token, self.base_url, self.policy)
        return self._client

    def tables(self) -> dict[str, tuple[Sequence[str], dict[str, Any]]]:
        """(primary key, columns) of ``traffic_daily`` (every dimension is in the key) and of
        ``report_runs``."""
        key = ["property_id", *(h.snake(d) for d in self.dimensions)]
        return {
            s.TRAFFIC_TABLE: (key, traffic_columns(self.dimensions, self.metrics)),
            s.RUNS_TABLE: (s.PRIMARY_KEYS[s.RUNS_TABLE], s.COLUMNS[s.RUNS_TABLE]),
            **completeness.DECLARED,
        }


def traffic_daily(run: Ga4Run, brand_id: str, prop: str) -> Iterator[Any]:
    """Daily rows per date x dimensions, from the restatement window to today; one
    ``report_runs`` row per property and day (quota, row count, sampling flags)."""
    client = run.client()
    state = dlt.current.resource_state().setdefault("last_run_date", {})
    if prop in state:
        start = (date.fromisoformat(state[prop]) - timedelta(days=run.restatement_days)).isoformat()
    else:
        start = run.start_date or f"{max(0, run.backfill_days - 1)}daysAgo"
    end = _window_end(start)
    fetched, meta = None, h.ReportMeta()
    pages = h.run_report(client, prop, start, end, run.dimensions, run.metrics, run.page_size)
    for answer, data in pages:
        fetched = answer.fetched_at
        meta.add(data)
        yield from _page(data, prop, brand_id, answer.fetched_at)
    if fetched is None:
        return
    _warn_about_quality(meta, prop)
    today = meta.local_date(fetched)  # "today" of the range, in the property's time zone
    try:
        first_day = date.fromisoformat(start)
    except ValueError:  # "NdaysAgo": relative to the property's today
        first_day = today - timedelta(days=max(0, run.backfill_days - 1))
    today = window_end("traffic_daily", prop, first_day, today)  # the window's last day
    row = _run_row(meta, prop, brand_id, (first_day, today), fetched, run.restatement_days)
    yield dlt.mark.with_hints(row, RUNS_HINTS, create_table_variant=True)
    yield from completeness.reported(  # rowCount: every row of the report, whatever the paging
        prop,
        "rowCount",
        meta.row_count,
        fetched,
        s.TRAFFIC_TABLE,
        brand_id=brand_id,
        scope="dimensions " + ",".join(run.dimensions),
        period=(first_day, today),
    )
    state[prop] = today.isoformat()


def _window_end(start: str) -> str:
    """The report's ``endDate``: ``today``, or in a backfill window (``ingestion.windows``) the
    window's last day, counted from ``start`` as GA4 would read it (``NdaysAgo`` stays
    relative: the property's today is known only from the answer). A window past today asks
    for days GA4 does not have yet: it returns none."""
    days = window_days()
    if days is None:  # no window: the whole range in one report
        return "today"
    if start.endswith("daysAgo"):
        return f"{max(0, int(start.removesuffix('daysAgo')) - days + 1)}daysAgo"
    return (date.fromisoformat(start) + timedelta(days=days - 1)).isoformat()


def _page(data: dict[str, Any], prop: str, brand_id: str, fetched_at: Any) -> Iterator[Any]:
    """The rows of one report page; a row that does not match the headers is ``Bad``."""
    names = [d.get("name") for d in data.get("dimensionHeaders") or []]
    headers = [m for m in data.get("metricHeaders") or [] if isinstance(m, dict)]
    meta = data.get("metadata") or {}
    currency, time_zone = meta.get("currencyCode"), meta.get("timeZone")
    sampled = h.sampling_counts(meta) is not None
    hidden = [h.snake(name) for name in h.restricted_metrics(meta)]
    for raw in data.get("rows") or []:
        try:
            rec = h.row_record(raw, names, headers)
        except InvalidRecord as exc:
            yield Bad(raw, exc, fetched_at, record_id=h.row_id(prop, raw))
            continue
        for column in hidden:  # GA4's zero for a metric the role may not see is no zero
            if column in rec:
                rec[column] = None
        rec.update(property_id=prop, brand_id=brand_id, currency_code=currency)
        rec.update(time_zone=time_zone, sampled=sampled, fetched_at=fetched_at)
        yield rec


def _warn_about_quality(meta: h.ReportMeta, prop: str) -> None:
    """Say it when the numbers are estimates or a metric was hidden (both also stored)."""
    if meta.sampled:
        logger.warning(
            "ga4: property %s: report sampled by GA4 (%s of %s events read): its values are "
            "estimates (report_runs.sampled, traffic_daily.sampled)",
            prop,
            meta.samples_read_count,
            meta.sampling_space_size,
        )
    for metric, types in sorted(meta.restricted.items()):
        logger.warning(
            "ga4: property %s: metric %s is restricted for this account's role (%s): GA4 "
            "reports zeros, stored as NULL; grant access to %s metrics to load it",
            prop,
            metric,
            ", ".join(types),
            " / ".join(t.split("_")[0].lower() for t in types) or "these",
        )


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def ga4_source(
    access_token: str | None = dlt.secrets.value,
    refresh_token: str | None = dlt.secrets.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    token_url: str = TOKEN_URL,
    base_url: str = s.DEFAULT_BASE_URL,
    property_ids: list[str] | None = None,
    dimensions: list[str] | None = None,
    metrics: list[str] | None = None,
    start_date: str | None = None,
    backfill_days: int = s.BACKFILL_DAYS,
    restatement_days: int = s.RESTATEMENT_DAYS,
    registry_path: str | None = None,
    _http: s.Ga4Http | None = None,
) -> Sequence[DltResource]:
    """GA4 properties of the brand registry (or ``property_ids``), incrementally by date.

    Args:
        access_token: OAuth 2 access token with analytics.readonly (secret
            ``sources.ga4.access_token``); checked when data is extracted.
        refresh_token / client_id / client_secret: renew the access token (it lasts one hour)
            through ``token_url`` (Google's https://oauth2.googleapis.com/token), before it
            dies and once when GA4 rejects it (secrets ``sources.ga4.refresh_token``...).
        base_url: Data API host; ``http://127.0.0.1:PORT/ga4`` for the sandbox.
        property_ids: override the registry's ``ga4`` entries (brand_id is then looked up).
        dimensions / metrics: the report; every dimension is part of the merge key.
        start_date: first run only, ``YYYY-MM-DD`` (else ``backfill_days`` before today).
        restatement_days: days before the previous run's date re-pulled each run.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (429 RESOURCE_EXHAUSTED, 5xx, timeouts) and
            ``page_size``, the runReport ``limit`` (GA4 max 250 000): ``settings.Ga4Http``, set
            as ``sources.ga4.max_attempts`` etc.
    """
    http = _http or s.Ga4Http()
    registry = load_registry(registry_path)
    accounts = registry.accounts(s.REGISTRY_KEY)
    if property_ids is not None:
        accounts = [(registry.brand_of(s.REGISTRY_KEY, p), p) for p in property_ids]
    dims = tuple(dimensions or s.DIMENSIONS)
    if "date" not in dims:
        raise ValueError("ga4: the report needs the 'date' dimension (it dates every row)")
    run = Ga4Run(
        GoogleOAuth(access_token, refresh_token, client_id, client_secret, token_url),
        base_url,
        http.policy(),
        dims,
        tuple(metrics or s.METRICS),
        start_date,
        backfill_days,
        restatement_days,
        http.page_size_within(s.MAX_PAGE_SIZE),
    )
    tables = run.tables()
    schema = arrow_schema(tables[s.TRAFFIC_TABLE][1])

    def arrow(_table: str, rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=schema)

    loop = AccountLoop(accounts, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), arrow, tables)
    variants = {s.TRAFFIC_TABLE: (s.RUNS_TABLE, completeness.TABLE)}
    return loop.resources(run, (traffic_daily,), variants)


def _run_row(
    meta: h.ReportMeta,
    prop: str,
    brand_id: str,
    window: tuple[date, date],
    fetched_at: Any,
    restatement_days: int,
) -> dict[str, Any]:
    """The report's metadata and quota as one row per property and day; the restatement
    window (property-local days) travels with it, so the marts know which dates the next run
    will re-pull."""
    quota = meta.quota

    def q(bucket: str, key: str) -> int | None:
        value = (quota.get(bucket) or {}).get(key)
        return int(value) if isinstance(value, int | float) else None

    return {
        "property_id": prop,
        "snapshot_date": fetched_at.date(),  # the server's (UTC) day: one row per run day
        "brand_id": brand_id,
        "start_date": window[0],
        "end_date": window[1],
        "row_count": meta.row_count,
        "currency_code": meta.currency_code,
        "time_zone": meta.time_zone,
        "tokens_per_day_consumed": q("tokensPerDay", "consumed"),
        "tokens_per_day_remaining": q("tokensPerDay", "remaining"),
        "tokens_per_hour_consumed": q("tokensPerHour", "consumed"),
        "tokens_per_hour_remaining": q("tokensPerHour", "remaining"),
        "data_loss_from_other_row": meta.data_loss_from_other_row,
        "subject_to_thresholding": meta.subject_to_thresholding,
        "sampled": meta.sampled,
        "samples_read_count": meta.samples_read_count,
        "sampling_space_size": meta.sampling_space_size,
        "restricted_metrics": meta.restricted_text(),
        "other_rows": meta.other_rows,
        "restatement_days": restatement_days,
        "fetched_at": fetched_at,
    }
