"""GA4 Data API over the shared client: google.rpc error classification, offset paging, rows.

GA4 answers errors with ``{"error": {"code", "status", "message", "details"}}``: 429
RESOURCE_EXHAUSTED (property tokens) and 5xx INTERNAL / UNAVAILABLE are retried, waiting for a
``google.rpc.RetryInfo.retryDelay`` or ``Retry-After`` when Google gives one; UNAUTHENTICATED
(an expired or unknown token) is renewed once through Google's token endpoint
(``ingestion.google_oauth``) or fails; PERMISSION_DENIED fails the source at once (a grant is
needed).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from ingestion.google_oauth import GoogleClient
from ingestion.http import (
    Answer,
    ApiClient,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    error_object,
    retry_after_s,
)
from ingestion.incremental import CursorTrail
from ingestion.oauth import BearerToken
from ingestion.quarantine import InvalidRecord, parse_int
from ingestion.tables import snake_case

from . import settings as s

logger = logging.getLogger(__name__)

OTHER = "(other)"  # the row GA4 folds low-volume combinations into (cardinality limits)
RETRYABLE_STATUS = frozenset({"RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"})
AUTH_STATUS = frozenset({"UNAUTHENTICATED", "PERMISSION_DENIED"})


def retry_delay_s(err: dict[str, Any]) -> float | None:
    """``google.rpc.RetryInfo.retryDelay`` (e.g. ``"12s"``, ``"0.5s"``) in seconds, if given."""
    for detail in err.get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("RetryInfo"):
            m = re.fullmatch(r"\s*([\d.]+)s\s*", str(detail.get("retryDelay", "")))
            if m:
                return float(m.group(1))
    return None


def classify(resp: requests.Response, account: str) -> Verdict:
    """Turn one GA4 answer into ok / retry / fail (``account`` is the property id)."""
    if resp.status_code == 200:
        try:
            resp.json()
        except ValueError as exc:
            return Verdict.retry(f"HTTP 200 with an unreadable JSON body ({exc})")
        return Verdict.ok()
    err = error_object(resp)
    status, message = err.get("status", ""), err.get("message", resp.text[:200])
    why = f"HTTP {resp.status_code} {status}: {message}"
    if resp.status_code == 429 or status in RETRYABLE_STATUS or resp.status_code >= 500:
        wait = retry_delay_s(err)
        return Verdict.retry(why, wait if wait is not None else retry_after_s(resp.headers))
    if resp.status_code == 401 or status == "UNAUTHENTICATED":  # renewed once, if it can be
        return Verdict.fail(TokenRejected(s.SOURCE_NAME, f"property {account}", why))
    if resp.status_code == 403 or status in AUTH_STATUS:
        hint = "grant the service account Viewer on this property"
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, f"property {account}", f"{why}; {hint}"))
    return Verdict.fail(SourceError(s.SOURCE_NAME, f"property {account}", why))


def make_client(token: BearerToken, base_url: str, policy: Any) -> ApiClient:
    """The client of every property: one OAuth token, renewed when it dies."""
    return GoogleClient(
        source=s.SOURCE_NAME,
        base_url=base_url,
        classify=classify,
        policy=policy,
        token=token,
        account_label="property {}",
    )


def run_report(
    client: ApiClient,
    property_id: str,
    start: str,
    end: str,
    dimensions: Sequence[str],
    metrics: Sequence[str],
    page_size: int,
) -> Iterator[tuple[Answer, dict[str, Any]]]:
    """Every page of one runReport: ``offset`` += ``limit`` while ``offset < rowCount``."""
    offset = 0
    path = f"{s.API_VERSION}/properties/{property_id}:runReport"
    trail = CursorTrail(s.SOURCE_NAME, f"property {property_id}", "runReport")
    while True:
        body = {
            "dateRanges": [{"startDate": start, "endDate": end}],
            "dimensions": [{"name": d} for d in dimensions],
            "metrics": [{"name": m} for m in metrics],
            "limit": page_size,
            "offset": offset,
            "keepEmptyRows": False,
            "returnPropertyQuota": True,
        }
        answer = client.request("POST", path, account=property_id, json=body)
        data = answer.json()
        if not isinstance(data, dict):
            raise SourceError(s.SOURCE_NAME, f"property {property_id}", "report is not an object")
        rows = data.get("rows") or []
        trail.read(rows, f"offset {offset}")
        yield answer, data
        offset += len(rows)
        if not rows or offset >= int(data.get("rowCount") or 0):
            return


snake = snake_case  # ``sessionDefaultChannelGroup`` -> ``session_default_channel_group``


def parse_ga4_date(value: Any) -> date:
    if not isinstance(value, str):
        raise InvalidRecord(f"'date' is not YYYYMMDD: {value!r}")
    return _ga4_day(value)


@functools.lru_cache(maxsize=4096)  # a report's rows share a few hundred days
def _ga4_day(value: str) -> date:
    if not re.fullmatch(r"\d{8}", value):
        raise InvalidRecord(f"'date' is not YYYYMMDD: {value!r}")
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise InvalidRecord(f"'date' is not a calendar date: {value!r}") from None


def parse_metric(value: Any, name: str, kind: str) -> int | float:
    """A metric string typed by its header: integers exactly, the rest as floats."""
    if kind in s.INTEGER_METRIC_TYPES:
        return parse_int(value, name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidRecord(f"{name!r} is not a number: {value!r}")
    try:
        return float(value)
    except ValueError:
        raise InvalidRecord(f"{name!r} is not a number: {value!r}") from None


def row_record(
    raw: Any, dim_names: Sequence[str], metric_headers: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """One report row as a flat record (snake_case columns); InvalidRecord if malformed."""
    if not isinstance(raw, dict):
        raise InvalidRecord(f"row is a {type(raw).__name__}, not an object")
    dvals, mvals = raw.get("dimensionValues"), raw.get("metricValues")
    if not isinstance(dvals, list) or len(dvals) != len(dim_names):
        raise InvalidRecord(f"expected {len(dim_names)} dimensionValues, got {dvals!r}")
    if not isinstance(mvals, list) or len(mvals) != len(metric_headers):
        raise InvalidRecord(f"expected {len(metric_headers)} metricValues, got {mvals!r}")
    out: dict[str, Any] = {}
    for name, cell in zip(dim_names, dvals, strict=True):
        value = cell.get("value") if isinstance(cell, dict) else None
        if name == "date":
            out["date"] = parse_ga4_date(value)
        elif not isinstance(value, str):
            raise InvalidRecord(f"dimension {name!r} is not a string: {value!r}")
        else:
            out[snake(name)] = value
    for header, cell in zip(metric_headers, mvals, strict=True):
        name = str(header.get("name"))
        value = cell.get("value") if isinstance(cell, dict) else None
        if value is None:
            raise InvalidRecord(f"missing value of metric {name!r}")
        out[snake(name)] = parse_metric(value, name, str(header.get("type")))
    return out


def row_id(property_id: str, raw: Any) -> str:
    """A readable quarantine id: the property and the row's dimension values."""
    cells = raw.get("dimensionValues") if isinstance(raw, dict) else None
    values = [c.get("value") if isinstance(c, dict) else c for c in cells or []]
    return "/".join([property_id, *map(str, values)]) if values else f"{property_id}/?"


def _count(value: Any) -> int | None:
    """An int64 count, which Google's JSON sends as a string (``"12345"``)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def sampling_counts(meta: dict[str, Any]) -> tuple[int | None, int | None] | None:
    """(events read, events present) of a sampled report, summed over its date ranges
    (``samplingMetadatas``, one per range); None when the report is not sampled."""
    entries = [m for m in meta.get("samplingMetadatas") or [] if isinstance(m, dict)]
    if not entries:
        return None
    return (
        _total(_count(m.get("samplesReadCount")) for m in entries),
        _total(_count(m.get("samplingSpaceSize")) for m in entries),
    )


def _total(counts: Iterable[int | None]) -> int | None:
    """The sum, or None if one count is unreadable (a partial sum would mislead)."""
    values = list(counts)
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def restricted_metrics(meta: dict[str, Any]) -> dict[str, list[str]]:
    """Metrics the caller's role may not see, with their types (``COST_DATA``,
    ``REVENUE_DATA``): GA4 reports zeros for them, which are not real zeros
    (``schemaRestrictionResponse.activeMetricRestrictions``)."""
    restriction = meta.get("schemaRestrictionResponse") or {}
    out: dict[str, list[str]] = {}
    for item in restriction.get("activeMetricRestrictions") or []:
        if isinstance(item, dict) and item.get("metricName"):
            types = [str(t) for t in item.get("restrictedMetricTypes") or []]
            out[str(item["metricName"])] = types
    return out


@dataclass
class ReportMeta:
    """What the pages of one report say about it (``ResponseMetaData``, quota, row count).

    A flag raised on any page holds for the report; the quota, ``rowCount`` and sampling
    counts are the last page's.
    https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/ResponseMetaData
    """

    row_count: int = 0
    currency_code: str | None = None
    time_zone: str | None = None
    data_loss_from_other_row: bool = False
    subject_to_thresholding: bool = False
    sampled: bool = False
    samples_read_count: int | None = None
    sampling_space_size: int | None = None
    restricted: dict[str, list[str]] = field(default_factory=dict)
    other_rows: int = 0
    quota: dict[str, Any] = field(default_factory=dict)

    def add(self, data: dict[str, Any]) -> None:
        meta = data.get("metadata") or {}
        self.row_count = int(data.get("rowCount") or 0)
        self.currency_code = meta.get("currencyCode") or self.currency_code
        self.time_zone = meta.get("timeZone") or self.time_zone
        self.data_loss_from_other_row |= bool(meta.get("dataLossFromOtherRow", False))
        self.subject_to_thresholding |= bool(meta.get("subjectToThresholding", False))
        counts = sampling_counts(meta)
        if counts is not None:
            self.sampled = True
            self.samples_read_count, self.sampling_space_size = counts
        self.restricted.update(restricted_metrics(meta))
        self.other_rows += sum(1 for row in data.get("rows") or [] if is_other_row(row))
        self.quota = data.get("propertyQuota") or {}

    def restricted_text(self) -> str | None:
        """``totalRevenue:REVENUE_DATA,adCost:COST_DATA`` for ``report_runs``, or None."""
        if not self.restricted:
            return None
        return ",".join(f"{m}:{'|'.join(t)}" for m, t in sorted(self.restricted.items()))

    def local_date(self, at: datetime) -> date:
        """The property's calendar day at ``at`` (UTC if GA4 named no usable time zone)."""
        try:
            return at.astimezone(ZoneInfo(self.time_zone or "UTC")).date()
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("ga4: unknown property time zone %r, dating in UTC", self.time_zone)
            return at.astimezone(ZoneInfo("UTC")).date()


def is_other_row(raw: Any) -> bool:
    """True for GA4's ``(other)`` row: a dimension value reads ``(other)``."""
    cells = raw.get("dimensionValues") if isinstance(raw, dict) else None
    return any(isinstance(c, dict) and c.get("value") == OTHER for c in cells or [])
