"""One runReport over ``web_visits``: date ranges, the ``(other)`` row and thresholding.

GA4 reads days in the property's reporting time zone: relative dates (``today``,
``NdaysAgo``) are resolved there, and ``date`` is the site-local day of the session
(https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/DateRange).
A session is visible once it has started (before the clock's now) and its reporting lag has
passed in the property's calendar (``visit_date + ga4_lag <= local today``).

Two data-quality behaviours of the real API, both switchable per sandbox process:

- ``(other)``: when a day holds more dimension combinations than the aggregate table's row
  limit, GA4 keeps the most common ones and folds the rest into ``(other)``, and says so with
  ``metadata.dataLossFromOtherRow`` (https://support.google.com/analytics/answer/13888627,
  https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/ResponseMetaData).
  Limit: ``SANDBOX_GA4_ROW_LIMIT`` rows per day (default 50 000, a standard property's daily
  table; the exact table GA4 picks for a request is not public).
- thresholding: on a property with Google signals, rows with too few users are withheld and
  ``metadata.subjectToThresholding`` is true on every report, data withheld or not
  (https://support.google.com/analytics/answer/9383630). Google does not publish the
  threshold; the sandbox withholds rows with fewer than ``SANDBOX_GA4_USER_THRESHOLD`` users
  (default 50) on the properties listed in ``SANDBOX_GA4_SIGNALS_PROPERTIES`` (default none).

Sampling (beyond an events quota per query) and metrics hidden by the caller's role are in
``restrictions``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.vendors.ga4 import restrictions
from sandbox.vendors.ga4.restrictions import SAMPLE_KEY
from sandbox.vendors.google import GoogleError, error_info

DIMENSIONS = {
    "date": "strftime(visit_date, '%Y%m%d')",
    "sessionSource": "source",
    "sessionMedium": "medium",
    "sessionCampaignName": "campaign",
    "sessionDefaultChannelGroup": "channel_group",
    "sessionManualAdContent": "content",
    "sessionManualTerm": "term",
    "landingPage": "landing_page",
    # deviceCategory, "The type of device: Desktop, Tablet, or Mobile", is sent lower-case
    # (desktop, mobile, tablet; smart tv too, absent from this world):
    # https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema
    "deviceCategory": "CASE lower(device_type) WHEN 'smartphone' THEN 'mobile' "
    "ELSE lower(device_type) END",
}
METRICS = {  # name -> (SQL, GA4 metric type)
    "sessions": ("count(*)", "TYPE_INTEGER"),
    "engagedSessions": ("sum(engaged::INTEGER)", "TYPE_INTEGER"),
    "keyEvents": ("sum(key_events)", "TYPE_FLOAT"),
    "totalRevenue": ("sum(revenue)", "TYPE_CURRENCY"),
    "totalUsers": ("count(DISTINCT visitor_slot)", "TYPE_INTEGER"),
}
MAX_DATE_RANGES = 4  # "Requests are allowed up to 4 date ranges." (DateRange reference)
OTHER = "(other)"
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"


class Ga4Error(GoogleError):
    """A google.rpc error answer; a ``reason`` becomes its one ErrorInfo detail."""

    def __init__(self, code: int, status: str, message: str, reason: str | None = None):
        details = [error_info("analyticsdata.googleapis.com", reason)] if reason else None
        super().__init__(code, status, message, details)
        self.reason = reason


def invalid(message: str) -> Ga4Error:
    return Ga4Error(400, "INVALID_ARGUMENT", message)


def local_today(now: datetime, tz: str | None) -> date:
    """The property's today: the clock's (naive UTC) now read in its reporting time zone."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(tz or "UTC")).date()


def visible(alias: str = "") -> str:
    """SQL: the sessions GA4 has processed by now (params: now, the property's today)."""
    p = f"{alias}." if alias else ""
    return f"{p}started_at <= ? AND {p}visit_date + {p}ga4_lag <= ?"


def parse_date(value: Any, today: date) -> date:
    """GA4 date strings: ``YYYY-MM-DD``, ``today``, ``yesterday`` or ``NdaysAgo``."""
    if not isinstance(value, str):
        raise invalid(f"Invalid date: {value!r}.")
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d+)daysAgo", value)
    if m:
        return today - timedelta(days=int(m.group(1)))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(
            f"Invalid date: '{value}'. Use YYYY-MM-DD, today, yesterday or NdaysAgo."
        ) from None


@dataclass(frozen=True)
class DateRange:
    name: str
    first: date
    last: date


def date_ranges(raw: Any, today: date) -> list[DateRange]:
    """1 to 4 ranges, named ``date_range_N`` unless the request names them (DateRange)."""
    if not isinstance(raw, list) or not raw or not all(isinstance(r, dict) for r in raw):
        raise invalid("dateRanges must be specified for a non-cohort report.")
    if len(raw) > MAX_DATE_RANGES:
        raise invalid(f"Requests are allowed up to {MAX_DATE_RANGES} date ranges.")
    out = []
    for i, r in enumerate(raw):
        name = r.get("name") or f"date_range_{i}"
        if r.get("name") and re.match(r"^(date_range_|RESERVED_)", name):
            raise invalid(f"Date range name {name!r} cannot begin with date_range_ or RESERVED_.")
        first, last = parse_date(r.get("startDate"), today), parse_date(r.get("endDate"), today)
        if last < first:
            raise invalid("Invalid date range: endDate precedes startDate.")
        out.append(DateRange(name, first, last))
    return out


def fields(req: dict[str, Any], ranges: list[DateRange]) -> tuple[list[str], list[str]]:
    """Requested dimensions (``dateRange`` appended when several ranges) and metrics."""
    dims = [d.get("name") for d in req.get("dimensions") or [] if isinstance(d, dict)]
    mets = [x.get("name") for x in req.get("metrics") or [] if isinstance(x, dict)]
    for name in dims:
        if name not in DIMENSIONS and name != "dateRange":
            raise invalid(
                f"Field {name} is not a valid dimension. For a list of valid dimensions "
                f"and metrics, see {SCHEMA_URL}"
            )
    for name in mets:
        if name not in METRICS:
            raise invalid(
                f"Field {name} is not a valid metric. For a list of valid dimensions and "
                f"metrics, see {SCHEMA_URL}"
            )
    if not mets:
        raise invalid("At least one metric is required.")
    if len(ranges) > 1 and "dateRange" not in dims:
        dims.append("dateRange")  # each row says which range it belongs to (runReport)
    return dims, mets


@dataclass(frozen=True)
class Settings:
    """The sandbox's data-quality switches (read per request, so tests can flip them)."""

    row_limit: int
    user_threshold: int
    signals: frozenset[str]

    @classmethod
    def from_env(cls) -> Settings:
        props = os.environ.get("SANDBOX_GA4_SIGNALS_PROPERTIES", "")
        return cls(
            int(os.environ.get("SANDBOX_GA4_ROW_LIMIT", "50000")),
            int(os.environ.get("SANDBOX_GA4_USER_THRESHOLD", "50")),
            frozenset(p.strip() for p in props.split(",") if p.strip()),
        )


def metric_sql(name: str, sampled: bool) -> str:
    """A metric's aggregate; on a sampled report, scaled up by its range's factor."""
    sql, kind = METRICS[name]
    if not sampled:
        return sql
    return f"round({sql} * max(scale))" if kind == "TYPE_INTEGER" else f"{sql} * max(scale)"


def report_sql(
    dims: list[str], mets: list[str], ranges: list[DateRange], thresholded: bool, sampled: bool
) -> str:
    """The report's CTEs (``ranked``: the daily combinations, ``answer``: its rows); params:
    brand, now, property today, first, last, sample buckets, row limit, each range's (name,
    first, last, position, scale), then the user threshold when the property is thresholded."""
    plain = [d for d in dims if d not in ("date", "dateRange")]
    combo = " || '\x1f' || ".join(f"coalesce({DIMENSIONS[d]}, '')" for d in plain) or "''"
    values = ", ".join("(?, ?::DATE, ?::DATE, ?, ?::DOUBLE)" for _ in ranges)
    cols = []
    for i, d in enumerate(dims):
        if d == "dateRange":
            cols.append(f"range_name AS d{i}")
        elif d == "date":
            cols.append(f"{DIMENSIONS[d]} AS d{i}")
        else:
            cols.append(f"CASE WHEN folded THEN '{OTHER}' ELSE {DIMENSIONS[d]} END AS d{i}")
    cols += [f"{metric_sql(x, sampled)} AS m{i}" for i, x in enumerate(mets)]
    keys = ", ".join(f"d{i}" for i in range(len(dims)))
    having = "count(*) > 0" + (" AND count(DISTINCT visitor_slot) >= ?" if thresholded else "")
    return f"""
        WITH shown AS (
            SELECT *, {combo} AS combo FROM web_visits
            WHERE brand_id = ? AND {visible()} AND visit_date BETWEEN ? AND ?
              AND {SAMPLE_KEY} < ?
        ), ranked AS (
            SELECT visit_date, combo, row_number() OVER (
                PARTITION BY visit_date ORDER BY count(*) DESC, combo) > ? AS folded
            FROM shown GROUP BY visit_date, combo
        ), ranges(range_name, first_day, last_day, range_pos, scale) AS (VALUES {values}),
        answer AS (
            SELECT {", ".join(cols)}, min(range_pos) AS range_pos
            FROM shown JOIN ranked USING (visit_date, combo)
            JOIN ranges ON visit_date BETWEEN first_day AND last_day
            {"GROUP BY " + keys if dims else ""} HAVING {having}
        )"""


@dataclass(frozen=True)
class Report:
    """One page of a report and what GA4 says about the whole of it."""

    dims: list[str]
    mets: list[str]
    rows: list[tuple]
    row_count: int
    flags: dict[str, Any]


def run(
    cur: Any, site: tuple[str, str, str], now: datetime, req: dict[str, Any], page: tuple[int, int]
) -> Report:
    """The page ``(limit, offset)`` of one request on ``site`` (property, brand, time zone)."""
    prop, brand, tz = site
    settings, today = Settings.from_env(), local_today(now, tz)
    ranges = date_ranges(req.get("dateRanges"), today)
    dims, mets = fields(req, ranges)
    thresholded = prop in settings.signals
    sampling = restrictions.plan(
        cur,
        f"brand_id = ? AND {visible()}",
        [brand, now, today],
        [(r.first, r.last) for r in ranges],
        restrictions.sampling_limit(prop),
    )
    ctes = report_sql(dims, mets, ranges, thresholded, sampling.sampled)
    params: list[Any] = [brand, now, today, min(r.first for r in ranges)]
    params += [max(r.last for r in ranges), sampling.buckets, settings.row_limit]
    for pos, (r, scale) in enumerate(zip(ranges, sampling.scales(), strict=True)):
        params += [r.name, r.first, r.last, pos, scale]
    if thresholded:
        params.append(settings.user_threshold)
    order = ", ".join([*(f"d{i}" for i in range(len(dims))), "range_pos"])
    rows = cur.execute(
        f"{ctes} SELECT * EXCLUDE (range_pos) FROM answer ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, *page],
    ).fetchall()
    total = cur.execute(f"{ctes} SELECT count(*) FROM answer", params).fetchone()[0]
    # "populated based on the aggregated data table ... regardless of the filters and limits"
    lost = cur.execute(f"{ctes} SELECT bool_or(folded) FROM ranked", params).fetchone()[0]
    flags: dict[str, Any] = sampling.metadata()
    if lost:
        flags["dataLossFromOtherRow"] = True
    if thresholded:
        flags["subjectToThresholding"] = True
    return Report(dims, mets, rows, int(total), flags)
