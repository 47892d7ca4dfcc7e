"""The emulated GA4 Data API v1beta: ``POST /v1beta/properties/{id}:runReport``.

Every report is one GROUP BY over ``web_visits`` (the page: ORDER BY the dimensions, LIMIT /
OFFSET). GA4 restates recent days: a session becomes visible ``ga4_lag`` (0-3) days after its
date, so the numbers of the last three days still grow as the clock advances. Errors use
google.rpc's envelope ``{"error": {"code", "message", "status", "details"}}``.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, timedelta
from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import bearer_token, token_set
from sandbox.vendors.google import (
    INVALID_CREDENTIALS,
    REALM,
    GoogleError,
    error_info,
    server_error,
)

DEFAULT_TOKENS = "sandbox-ga4-token"
DIMENSIONS = {
    "date": "strftime(visit_date, '%Y%m%d')",
    "sessionSource": "source",
    "sessionMedium": "medium",
    "sessionCampaignName": "campaign",
    "sessionDefaultChannelGroup": "channel_group",
    "sessionManualAdContent": "content",
    "sessionManualTerm": "term",
    "landingPage": "landing_page",
    "deviceCategory": "lower(device_type)",
}
METRICS = {  # name -> (SQL, GA4 metric type)
    "sessions": ("count(*)", "TYPE_INTEGER"),
    "engagedSessions": ("sum(engaged::INTEGER)", "TYPE_INTEGER"),
    "keyEvents": ("sum(key_events)", "TYPE_FLOAT"),
    "totalRevenue": ("sum(revenue)", "TYPE_CURRENCY"),
    "totalUsers": ("count(DISTINCT visitor_slot)", "TYPE_INTEGER"),
}
MAX_LIMIT = 250_000
DEFAULT_LIMIT = 10_000
TOKENS_PER_DAY, TOKENS_PER_HOUR = 200_000, 40_000
PATH = re.compile(r"^/v1beta/properties/(?P<prop>[^/:]+):runReport$")
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"


class Ga4Error(GoogleError):
    """A google.rpc error answer; a ``reason`` becomes its one ErrorInfo detail."""

    def __init__(self, code: int, status: str, message: str, reason: str | None = None):
        details = [error_info("analyticsdata.googleapis.com", reason)] if reason else None
        super().__init__(code, status, message, details)
        self.reason = reason


class Ga4Errors(PathErrors):
    """GA4's dialect for the fault middleware."""

    name = "ga4"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        which = ["hour", "day"][n % 2] if cfg.throttle_code is None else "hour"
        msg = (
            f"Exhausted property tokens per {which} for a property. Tokens for this property "
            f"will be replenished {'in the next hour' if which == 'hour' else 'tomorrow'}. To "
            "learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas"
        )
        err = Ga4Error(429, "RESOURCE_EXHAUSTED", msg, "RATE_LIMIT_EXCEEDED")
        return 429, err.body(), {}

    def server_error(self, n: int, path: str) -> ErrorResponse:
        return server_error(n).response()

    def token_expired(self, path: str) -> ErrorResponse:
        err = Ga4Error(401, "UNAUTHENTICATED", INVALID_CREDENTIALS, "ACCESS_TOKEN_EXPIRED")
        return 401, err.body(), dict(REALM)


def parse_date(value: Any, today: date) -> date:
    """GA4 date strings: ``YYYY-MM-DD``, ``today``, ``yesterday`` or ``NdaysAgo``."""
    if not isinstance(value, str):
        raise Ga4Error(400, "INVALID_ARGUMENT", f"Invalid date: {value!r}.")
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
        raise Ga4Error(
            400,
            "INVALID_ARGUMENT",
            f"Invalid date: '{value}'. Use YYYY-MM-DD, today, yesterday or NdaysAgo.",
        ) from None


class Ga4Api:
    """Routes and per-property quota counters of the emulated Data API."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_GA4_TOKENS", DEFAULT_TOKENS)
        self.errors = Ga4Errors()
        self._lock = threading.Lock()
        self._used: dict[tuple[str, date], int] = {}

    def routes(self) -> list[Route]:
        return [Route("/v1beta/{rest:path}", self.handle, methods=["POST", "GET"])]

    async def handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        return await run_in_threadpool(self._answer, request, raw)

    def _answer(self, request: Request, raw: bytes) -> JSONResponse:
        try:
            return JSONResponse(self._report(request, raw))
        except Ga4Error as err:
            return err.json()

    def _report(self, request: Request, raw: bytes) -> dict[str, Any]:
        if bearer_token(request) not in self.tokens:
            reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED"
            raise Ga4Error(401, "UNAUTHENTICATED", INVALID_CREDENTIALS, reason)
        m = PATH.match("/" + request.url.path.split("/", 2)[2])
        if not m:
            raise Ga4Error(404, "NOT_FOUND", f"Method not found: {request.url.path}")
        if request.method != "POST":
            raise Ga4Error(405, "INVALID_ARGUMENT", "runReport must be called with POST.")
        prop = m.group("prop")
        cur = self.con.cursor()
        try:
            site = cur.execute(
                "SELECT brand_id, timezone, currency FROM web_sites WHERE ga4_property_id = ?",
                [prop],
            ).fetchone()
            if site is None:
                raise Ga4Error(
                    403,
                    "PERMISSION_DENIED",
                    "User does not have sufficient permissions for this property. To learn "
                    "more about Property ID, see https://developers.google.com/analytics/"
                    "devguides/reporting/data/v1/property-id.",
                )
            try:
                req = json.loads(raw or b"null")
            except ValueError:
                req = None
            return self._run(cur, prop, site, req)
        finally:
            cur.close()

    def _run(self, cur: Any, prop: str, site: tuple, req: Any) -> dict[str, Any]:
        if not isinstance(req, dict):
            raise Ga4Error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        today = self.clock.today
        ranges = req.get("dateRanges") or []
        if len(ranges) != 1 or not isinstance(ranges[0], dict):
            raise Ga4Error(400, "INVALID_ARGUMENT", "The sandbox expects exactly one dateRange.")
        first = parse_date(ranges[0].get("startDate"), today)
        last = parse_date(ranges[0].get("endDate"), today)
        if last < first:
            raise Ga4Error(
                400, "INVALID_ARGUMENT", "Invalid date range: endDate precedes startDate."
            )
        dims = [d.get("name") for d in req.get("dimensions") or [] if isinstance(d, dict)]
        mets = [x.get("name") for x in req.get("metrics") or [] if isinstance(x, dict)]
        for name in dims:
            if name not in DIMENSIONS:
                raise Ga4Error(
                    400,
                    "INVALID_ARGUMENT",
                    f"Field {name} is not a valid dimension. For a list of valid dimensions "
                    f"and metrics, see {SCHEMA_URL}",
                )
        for name in mets:
            if name not in METRICS:
                raise Ga4Error(
                    400,
                    "INVALID_ARGUMENT",
                    f"Field {name} is not a valid metric. For a list of valid dimensions and "
                    f"metrics, see {SCHEMA_URL}",
                )
        if not mets:
            raise Ga4Error(400, "INVALID_ARGUMENT", "At least one metric is required.")
        limit = int(req.get("limit") or DEFAULT_LIMIT)
        offset = int(req.get("offset") or 0)
        if limit < 0 or limit > MAX_LIMIT or offset < 0:
            raise Ga4Error(400, "INVALID_ARGUMENT", f"limit must be in [0, {MAX_LIMIT}].")
        where = (
            "brand_id = ? AND visit_date BETWEEN ? AND ? AND visit_date <= ? "
            "AND visit_date + ga4_lag <= ?"
        )
        params = [site[0], first, last, today, today]
        dsql = [f"{DIMENSIONS[d]} AS d{i}" for i, d in enumerate(dims)]
        msql = [f"{METRICS[x][0]} AS m{i}" for i, x in enumerate(mets)]
        group = f"GROUP BY {', '.join(str(i + 1) for i in range(len(dims)))}" if dims else ""
        order = f"ORDER BY {', '.join(str(i + 1) for i in range(len(dims)))}" if dims else ""
        base = f"SELECT {', '.join(dsql + msql)} FROM web_visits WHERE {where} {group}"
        total = cur.execute(f"SELECT count(*) FROM ({base}) t", params).fetchone()[0]
        if not dims and total == 1:
            empty = cur.execute(f"SELECT count(*) FROM web_visits WHERE {where}", params)
            total = 1 if empty.fetchone()[0] else 0
        page = cur.execute(f"{base} {order} LIMIT ? OFFSET ?", [*params, limit, offset])
        out_rows = []
        for row in page.fetchall():
            dv, mv = row[: len(dims)], row[len(dims) :]
            out_rows.append(
                {
                    "dimensionValues": [{"value": str(v)} for v in dv],
                    "metricValues": [
                        {"value": _fmt(v, METRICS[n][1])} for v, n in zip(mv, mets, strict=True)
                    ],
                }
            )
        body: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dims],
            "metricHeaders": [{"name": x, "type": METRICS[x][1]} for x in mets],
            "rowCount": total,
            "metadata": {"currencyCode": site[2], "timeZone": site[1]},
            "kind": "analyticsData#runReport",
        }
        if out_rows:
            body["rows"] = out_rows
        if req.get("returnPropertyQuota"):
            body["propertyQuota"] = self._quota(prop, today, 1 + len(out_rows) // 1000)
        return body

    def _quota(self, prop: str, today: date, cost: int) -> dict[str, Any]:
        with self._lock:
            used = self._used.get((prop, today), 0) + cost
            self._used[(prop, today)] = used
        return {
            "tokensPerDay": {"consumed": cost, "remaining": max(0, TOKENS_PER_DAY - used)},
            "tokensPerHour": {"consumed": cost, "remaining": max(0, TOKENS_PER_HOUR - used)},
            "concurrentRequests": {"consumed": 0, "remaining": 10},
            "serverErrorsPerProjectPerHour": {"consumed": 0, "remaining": 10},
            "potentiallyThresholdedRequestsPerHour": {"consumed": 0, "remaining": 120},
            "tokensPerProjectPerHour": {"consumed": cost, "remaining": max(0, 14_000 - used)},
        }


def _fmt(value: Any, kind: str) -> str:
    """GA4 sends every metric value as a string."""
    if value is None:
        return "0"
    if kind == "TYPE_INTEGER":
        return str(int(value))
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(round(number, 2))
