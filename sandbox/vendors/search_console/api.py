"""The emulated Search Console API (``searchconsole.googleapis.com``, the old
``www.googleapis.com/webmasters/v3`` paths it still serves):

- ``GET /webmasters/v3/sites/{siteUrl}``: the property and the caller's ``permissionLevel``
  (https://developers.google.com/webmaster-tools/v1/sites/get);
- ``POST /webmasters/v3/sites/{siteUrl}/searchAnalytics/query``
  (https://developers.google.com/webmaster-tools/v1/searchanalytics/query): ``rowLimit``
  1-25,000 (default 1,000), ``startRow`` zero-based, rows sorted by clicks.

``siteUrl`` is URL-encoded in the path (``https%3A%2F%2Fwww.example.com%2F``). Errors are the
Discovery APIs' envelope, google.rpc's plus the legacy ``errors: [{domain, reason, message}]``
list. Quota (https://developers.google.com/webmaster-tools/limits): 1,200 queries a minute per
site and per user, and a load quota over 10 minutes and a day, all answered with the same
"quota exceeded" error; the sandbox's throttle fault alternates the two shapes clients meet:
429 RESOURCE_EXHAUSTED and the legacy 403 ``usageLimits`` / ``rateLimitExceeded``.
"""

from __future__ import annotations

import json
import re
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
from sandbox.tokens import VALID
from sandbox.vendors.google import (
    INVALID_CREDENTIALS,
    REALM,
    GoogleError,
    GooglePathErrors,
    google_token_book,
    server_error,
    token_route,
)

from . import rows

DEFAULT_TOKENS = "sandbox-search-console-token"
SCOPE = "https://www.googleapis.com/auth/webmasters.readonly"
MAX_ROW_LIMIT, DEFAULT_ROW_LIMIT = 25_000, 1_000
SITE = re.compile(r"^/webmasters/v3/sites/(?P<site>.+?)(?P<query>/searchAnalytics/query)?$")
DATA_STATES = ("final", "all")
TYPES = ("web", "image", "video", "news", "discover", "googleNews")
PERMISSION_HELP = "See also: https://support.google.com/webmasters/answer/2451999."


class GscError(GoogleError):
    """A Discovery API error: google.rpc's fields plus ``errors: [{message, domain, reason}]``."""

    def __init__(self, code: int, status: str, message: str, reason: str, domain: str = "global"):
        super().__init__(code, status, message)
        self.reason, self.domain = reason, domain

    def body(self) -> dict[str, Any]:
        out = super().body()
        out["error"]["errors"] = [
            {"message": self.message, "domain": self.domain, "reason": self.reason}
        ]
        return out


def invalid(message: str) -> GscError:
    return GscError(400, "INVALID_ARGUMENT", message, "invalid")


class SearchConsoleErrors(GooglePathErrors):
    """Search Console's dialect for the fault middleware."""

    name = "search_console"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        if n % 2 == 0 or cfg.throttle_code == 429:
            err = GscError(
                429,
                "RESOURCE_EXHAUSTED",
                "Search Analytics load quota exceeded. To learn more, see "
                "https://developers.google.com/webmaster-tools/limits",
                "rateLimitExceeded",
                "usageLimits",
            )
        else:
            err = GscError(
                403,
                "PERMISSION_DENIED",
                "Quota exceeded for quota metric 'Search Analytics queries' and limit "
                "'Queries per minute per site'.",
                "rateLimitExceeded",
                "usageLimits",
            )
        return err.response()

    def server_error(self, n: int, path: str) -> ErrorResponse:
        return server_error(n).response()

    def token_expired(self, path: str) -> ErrorResponse:
        err = GscError(401, "UNAUTHENTICATED", INVALID_CREDENTIALS, "authError")
        return 401, err.body(), dict(REALM)


class SearchConsoleApi:
    """Routes of the emulated Search Console API."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_SEARCH_CONSOLE_TOKENS", DEFAULT_TOKENS)
        self.token_book = google_token_book("search_console", self.tokens)
        self.errors = SearchConsoleErrors()

    def routes(self) -> list[Route]:
        return [
            Route("/webmasters/v3/{rest:path}", self.handle, methods=["GET", "POST"]),
            token_route(self.token_book, SCOPE),
        ]

    async def handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        return await run_in_threadpool(self._answer, request, raw)

    def _answer(self, request: Request, raw: bytes) -> JSONResponse:
        try:
            return JSONResponse(self._route(request, raw))
        except GscError as err:
            return err.json()

    def _route(self, request: Request, raw: bytes) -> dict[str, Any]:
        state = self.token_book.status(bearer_token(request))
        if state != VALID:  # expired or unknown: the same answer (authError) on this API
            raise GscError(401, "UNAUTHENTICATED", INVALID_CREDENTIALS, "authError")
        # Starlette hands the path decoded: %2F is already "/", so the site is matched lazily.
        m = SITE.match("/" + request.url.path.split("/", 2)[2])
        if not m:
            raise GscError(404, "NOT_FOUND", f"Method not found: {request.url.path}", "notFound")
        cur = self.con.cursor()
        try:
            site = m.group("site")
            known = cur.execute("SELECT 1 FROM search_sites WHERE site_url = ?", [site]).fetchone()
            if known is None:
                raise GscError(
                    403,
                    "PERMISSION_DENIED",
                    f"User does not have sufficient permission for site '{site}'. "
                    + PERMISSION_HELP,
                    "forbidden",
                )
            if not m.group("query"):
                return {"siteUrl": site, "permissionLevel": "siteFullUser"}
            if request.method != "POST":
                raise GscError(405, "INVALID_ARGUMENT", "query takes POST.", "invalid")
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            return self._query(cur, site, body)
        finally:
            cur.close()

    def _query(self, cur: Any, site: str, body: Any) -> dict[str, Any]:
        ask, limit, start_row, kind = parse_request(site, body)
        now = self.clock.now
        out: dict[str, Any] = {
            "responseAggregationType": "byPage" if "page" in ask.dimensions else "byProperty"
        }
        found = rows.grouped(cur, ask, now) if kind == "web" else []
        page = found[start_row : start_row + limit]
        if page:
            n = len(ask.dimensions)
            out["rows"] = [
                {
                    "keys": [str(v) for v in r[:n]],
                    "clicks": float(r[n]),
                    "impressions": float(r[n + 1]),
                    "ctr": r[n] / r[n + 1],
                    "position": float(r[n + 2]),
                }
                for r in page
            ]
        incomplete = rows.first_incomplete(cur, ask, now) if "date" in ask.dimensions else None
        if incomplete is not None:
            out["metadata"] = {"first_incomplete_date": incomplete.isoformat()}
        return out


def parse_request(site: str, body: Any) -> tuple[rows.Ask, int, int, str]:
    """The request body checked as the API checks it: (rows asked, rowLimit, startRow, type).
    ``dimensionFilterGroups`` and ``searchAppearance`` are not emulated: refused, never
    answered as if unfiltered."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received.")
    try:
        start = date.fromisoformat(str(body.get("startDate")))
        end = date.fromisoformat(str(body.get("endDate")))
    except ValueError:
        raise invalid("startDate and endDate are required, as YYYY-MM-DD.") from None
    if start > end:
        raise invalid("startDate must be earlier than or equal to endDate.")
    dims = body.get("dimensions") or []
    unknown = [d for d in dims if d not in rows.DIMENSIONS]
    if unknown or not isinstance(dims, list) or len(set(dims)) != len(dims):
        raise invalid(f"Invalid dimensions: {dims!r} (sandbox: {', '.join(rows.DIMENSIONS)}).")
    if body.get("dimensionFilterGroups"):
        raise invalid("sandbox: dimensionFilterGroups are not emulated.")
    state = body.get("dataState", "final")
    kind = body.get("type", body.get("searchType", "web"))
    if state not in DATA_STATES or kind not in TYPES:
        raise invalid(f"Invalid dataState {state!r} or type {kind!r}.")
    limit, start_row = body.get("rowLimit", DEFAULT_ROW_LIMIT), body.get("startRow", 0)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_ROW_LIMIT:
        raise invalid(f"rowLimit must be between 1 and {MAX_ROW_LIMIT}.")
    if not isinstance(start_row, int) or start_row < 0:
        raise invalid("startRow must be a non-negative integer.")
    if body.get("aggregationType") == "byProperty" and "page" in dims:
        raise invalid("Cannot group by page when aggregating by property.")
    return rows.Ask(site, start, end, tuple(dims), state), limit, start_row, kind
