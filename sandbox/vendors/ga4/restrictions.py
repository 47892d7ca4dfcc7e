"""Sampling and metric restrictions: what GA4 answers instead of the plain numbers.

Sampling. When the events a report, exploration or API request needs exceed the property's
quota, Analytics reads a part of them and scales the results up; the quota is 10 million events
a query on standard properties, on Analytics 360 100 million by default and up to 1 billion
(paraphrased from [GA4] About data sampling,
https://support.google.com/analytics/answer/13331292). "For each request, across all parts of
Analytics (reports, explorations, and the Data API), Google chooses the table that provides the
most accurate results using the default sampling settings, which are 10m events for standard
properties and 100m events for Analytics 360 properties" ([GA4] Understand how Analytics stores
and displays data, https://support.google.com/analytics/answer/13888627). Google may answer
from an unsampled aggregate table when one fits the request; which one it picks is not
published, so the sandbox samples every query over the limit (never kinder). The response carries
``metadata.samplingMetadatas``, "one ... for each date range ... in order that date ranges
were specified in the request", each ``{samplesReadCount, samplingSpaceSize}`` as int64
strings, and no such field when the report is not sampled
(https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/ResponseMetaData,
https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/SamplingMetadata).

The sandbox counts a session's events as ``1 + pageviews + key_events`` (session_start, one
page_view per page, the key events); a query whose date ranges hold more events than
``SANDBOX_GA4_SAMPLING_EVENTS`` (default: the standard figure, the 360 one for the properties
of ``SANDBOX_GA4_360_PROPERTIES``) reads the sessions with
``visit_id * 7919 % 1000 < k`` only (k in every 1000 consecutive sessions, spread over time),
``k/1000`` being the limit's share of the events, and scales every
metric of a range by ``samplingSpaceSize / samplesReadCount`` of that range: the values are
estimates, as Google's are. Which subset Google reads is not published.

Restricted metrics. A role without access to revenue (or cost) data still gets its report:
"API requests from you to this property for this metric will succeed; however, the report will
contain only zeros for this metric"
(MetricMetadata.blockedReasons,
https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/MetricMetadata),
and ``metadata.schemaRestrictionResponse.activeMetricRestrictions`` lists
``{metricName, restrictedMetricTypes: [REVENUE_DATA | COST_DATA]}``, "only populated if the
user's custom role disallows access" (ResponseMetaData; roles:
https://support.google.com/analytics/answer/10851388). The sandbox's caller has no revenue
access on the properties listed in ``SANDBOX_GA4_NO_REVENUE_PROPERTIES`` (default none).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

SAMPLING_EVENTS_STANDARD = 10_000_000  # events per query, standard property (13888627)
SAMPLING_EVENTS_360 = 100_000_000  # Analytics 360's default per query (Explore: up to 1 billion)
SAMPLE_BUCKETS = 1000  # the subset is chosen per mille of sessions
SAMPLE_KEY = f"(visit_id * 7919 % {SAMPLE_BUCKETS})"  # a session's bucket: a permutation of ids
EVENTS = "(1 + coalesce(pageviews, 0) + coalesce(key_events, 0))"  # a session's events
RESTRICTED_TYPES = {"totalRevenue": "REVENUE_DATA"}  # the emulated metrics with a restriction


def sampling_limit(prop: str) -> int:
    """The events a query on ``prop`` may read unsampled: ``SANDBOX_GA4_SAMPLING_EVENTS`` if
    set (tests lower it: the world is far below 10 M events), else the 360 figure for the
    properties of ``SANDBOX_GA4_360_PROPERTIES``, else the standard one."""
    if os.environ.get("SANDBOX_GA4_SAMPLING_EVENTS"):
        return int(os.environ["SANDBOX_GA4_SAMPLING_EVENTS"])
    props = os.environ.get("SANDBOX_GA4_360_PROPERTIES", "")
    if prop in {p.strip() for p in props.split(",")}:
        return SAMPLING_EVENTS_360
    return SAMPLING_EVENTS_STANDARD


@dataclass(frozen=True)
class Sampling:
    """How a query reads the property: ``buckets`` per mille of sessions and, per date range
    in request order, (events read, events present)."""

    buckets: int
    ranges: list[tuple[int, int]]

    @property
    def sampled(self) -> bool:
        return self.buckets < SAMPLE_BUCKETS

    def scales(self) -> list[float]:
        """Per range, the factor from the subset to the whole (1 when unsampled)."""
        if not self.sampled:
            return [1.0] * len(self.ranges)
        return [space / read if read else 1.0 for read, space in self.ranges]

    def metadata(self) -> dict[str, Any]:
        """``samplingMetadatas`` when sampled, else nothing (Google omits the field)."""
        if not self.sampled:
            return {}
        return {
            "samplingMetadatas": [
                {"samplesReadCount": str(read), "samplingSpaceSize": str(space)}
                for read, space in self.ranges
            ]
        }


def plan(
    cur: Any, visible_sql: str, params: list[Any], ranges: list[tuple[Any, Any]], limit: int
) -> Sampling:
    """Count the events of each date range (``visible_sql`` with ``params`` selects the
    property's processed sessions) and sample when their sum is over ``limit``."""
    values = ", ".join("(?, ?::DATE, ?::DATE)" for _ in ranges)
    flat = [v for pos, (first, last) in enumerate(ranges) for v in (pos, first, last)]
    sql = f"""
        WITH ranges(pos, first_day, last_day) AS (VALUES {values})
        SELECT pos, coalesce(sum({EVENTS}), 0),
               coalesce(sum({EVENTS}) FILTER (WHERE {SAMPLE_KEY} < ?), 0)
        FROM ranges LEFT JOIN (SELECT * FROM web_visits WHERE {visible_sql}) v
          ON v.visit_date BETWEEN first_day AND last_day
        GROUP BY pos ORDER BY pos"""
    space = [int(r[1]) for r in cur.execute(sql, [*flat, SAMPLE_BUCKETS, *params]).fetchall()]
    total = sum(space)
    if total <= limit:
        return Sampling(SAMPLE_BUCKETS, [(s, s) for s in space])
    buckets = max(1, SAMPLE_BUCKETS * limit // total)
    rows = cur.execute(sql, [*flat, buckets, *params]).fetchall()
    return Sampling(buckets, [(int(r[2]), int(r[1])) for r in rows])


def hidden_metrics(prop: str, mets: list[str]) -> dict[str, list[str]]:
    """The requested metrics the caller's role may not see on ``prop``, with their types."""
    props = os.environ.get("SANDBOX_GA4_NO_REVENUE_PROPERTIES", "")
    if prop not in {p.strip() for p in props.split(",")}:
        return {}
    return {m: [RESTRICTED_TYPES[m]] for m in mets if RESTRICTED_TYPES.get(m) == "REVENUE_DATA"}


def restriction_metadata(hidden: dict[str, list[str]]) -> dict[str, Any]:
    """``schemaRestrictionResponse`` naming the zeroed metrics, or nothing when none is."""
    if not hidden:
        return {}
    active = [{"metricName": m, "restrictedMetricTypes": t} for m, t in hidden.items()]
    return {"schemaRestrictionResponse": {"activeMetricRestrictions": active}}
