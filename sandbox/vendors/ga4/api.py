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
from datetime import date
from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.http import bearer_token, token_set
from sandbox.tokens import EXPIRED, VALID
from sandbox.vendors.ga4 import report, restrictions
from sandbox.vendors.ga4.report import METRICS, Ga4Error, invalid
from sandbox.vendors.google import (
    INVALID_CREDENTIALS,
    REALM,
    GooglePathErrors,
    google_token_book,
    server_error,
    token_route,
)

DEFAULT_TOKENS = "sandbox-ga4-token"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
MAX_LIMIT = 250_000
DEFAULT_LIMIT = 10_000
TOKENS_PER_DAY, TOKENS_PER_HOUR = 200_000, 40_000
PATH = re.compile(r"^/v1beta/properties/(?P<prop>[^/:]+):runReport$")


class Ga4Errors(GooglePathErrors):
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


class Ga4Api:
    """Routes and per-property quota counters of the emulated Data API."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_GA4_TOKENS", DEFAULT_TOKENS)
        self.token_book = google_token_book("ga4", self.tokens)  # the 1-hour OAuth tokens
        self.errors = Ga4Errors()
        self._lock = threading.Lock()
        self._used: dict[tuple[str, date], int] = {}

    def routes(self) -> list[Route]:
        return [
            Route("/v1beta/{rest:path}", self.handle, methods=["POST", "GET"]),
            token_route(self.token_book, SCOPE),  # Google's OAuth server, here at /ga4/token
        ]

    async def handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        return await run_in_threadpool(self._answer, request, raw)

    def _answer(self, request: Request, raw: bytes) -> JSONResponse:
        try:
            return JSONResponse(self._report(request, raw))
        except Ga4Error as err:
            return err.json()

    def _report(self, request: Request, raw: bytes) -> dict[str, Any]:
        state = self.token_book.status(bearer_token(request))
        if state != VALID:  # an expired token says so in its ErrorInfo reason
            reason = "ACCESS_TOKEN_EXPIRED" if state == EXPIRED else "ACCESS_TOKEN_TYPE_UNSUPPORTED"
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
            raise invalid("Invalid JSON payload received.")
        limit = int(req.get("limit") or DEFAULT_LIMIT)
        offset = int(req.get("offset") or 0)
        if limit < 0 or limit > MAX_LIMIT or offset < 0:
            raise invalid(f"limit must be in [0, {MAX_LIMIT}].")
        now = self.clock.now
        rep = report.run(cur, (prop, site[0], site[1]), now, req, (limit, offset))
        hidden = restrictions.hidden_metrics(prop, rep.mets)  # zeros, as the role sees them
        out_rows = []
        for row in rep.rows:
            dv, mv = row[: len(rep.dims)], row[len(rep.dims) :]
            out_rows.append(
                {
                    "dimensionValues": [{"value": str(v)} for v in dv],
                    "metricValues": [
                        {"value": "0" if n in hidden else _fmt(v, METRICS[n][1])}
                        for v, n in zip(mv, rep.mets, strict=True)
                    ],
                }
            )
        body: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in rep.dims],
            "metricHeaders": [{"name": x, "type": METRICS[x][1]} for x in rep.mets],
            "rowCount": rep.row_count,
            # ResponseMetaData: the property's currency and reporting time zone, plus the
            # (other) / thresholding / sampling / restriction fields, present only when they
            # say something (as Google omits false and empty ones).
            "metadata": {
                **rep.flags,
                **restrictions.restriction_metadata(hidden),
                "currencyCode": site[2],
                "timeZone": site[1],
            },
            "kind": "analyticsData#runReport",
        }
        if out_rows:
            body["rows"] = out_rows
        if req.get("returnPropertyQuota"):
            today = report.local_today(now, site[1])
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
