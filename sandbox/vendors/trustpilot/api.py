"""The emulated Trustpilot public API (``/v1/business-units/...``), served under ``/trustpilot``.

Trustpilot sits behind an Apigee gateway: auth and rate-limit failures come back in the
gateway's ``{"fault": {"faultstring", "detail": {"errorcode"}}}`` envelope, while the backend
answers its own errors (unknown business unit, bad paging) with ``{"message", "details"}``.
Every page is one query on the world store, as of the sandbox clock's now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import token_set

from .world import unit_summary, visible_sql

NAME = "trustpilot"
DEFAULT_KEYS = "sandbox-trustpilot-key"
MAX_PER_PAGE, DEFAULT_PER_PAGE = 100, 20
# "Get a business unit's reviews" (https://developers.trustpilot.com/business-units-api):
# `orderBy` is an array of createdat.asc, createdat.desc, stars.asc, stars.desc (default
# createdat.desc); `stars` an array of 1-5 and `language` an array, each sent as repeated
# parameters (`?stars=1&stars=2`). A comma list inside one value is not documented: refused.
SORT_KEYS = {
    "createdat.asc": ("createdat", "created_at ASC"),
    "createdat.desc": ("createdat", "created_at DESC"),
    "stars.asc": ("stars", "stars ASC"),
    "stars.desc": ("stars", "stars DESC"),
}
DEFAULT_ORDER = "createdat.desc"
BAD_KEY = ("Invalid ApiKey", "oauth.v2.InvalidApiKey")
NO_KEY = (
    "Failed to resolve API Key variable request.queryparam.apikey",
    "steps.oauth.v2.FailedToResolveAPIKey",
)
THROTTLES = [
    (
        "Rate limit quota violation. Quota limit  exceeded. Identifier : _default",
        "policies.ratelimit.QuotaViolation",
    ),
    (
        "Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod=833, "
        "periodInMicroseconds=60000000, maxBurstMessageCount=83.3}",
        "policies.ratelimit.SpikeArrestViolation",
    ),
]
SERVER_ERRORS = [
    (
        503,
        "The Service is temporarily unavailable",
        "messaging.adaptors.http.flow.ServiceUnavailable",
    ),
    (502, "Unexpected EOF at target", "messaging.adaptors.http.flow.UnexpectedEOFAtTarget"),
]


def fault_body(faultstring: str, errorcode: str) -> dict[str, Any]:
    """The Apigee gateway's error body (auth, quota and backend faults)."""
    return {"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}}


def fault(status: int, faultstring: str, errorcode: str) -> JSONResponse:
    return JSONResponse(fault_body(faultstring, errorcode), status_code=status)


def backend_error(status: int, message: str, details: str = "") -> JSONResponse:
    return JSONResponse({"message": message, "details": details}, status_code=status)


def api_base(request: Request) -> str:
    """The API's base URL as the client called it (``.../trustpilot`` in the sandbox)."""
    return str(request.url).split("/v1/", 1)[0]


def iso(ts: datetime | None) -> str | None:
    """Trustpilot's timestamp shape: ``2025-03-01T10:15:00Z`` (UTC)."""
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def order_sql(values: list[str]) -> str | None:
    """ORDER BY of the ``orderBy`` values in the order given (None: unknown value, or one field
    twice). Ties end on the creation time (newest first unless ``createdat.asc``) then the id:
    Trustpilot does not document its tie order, so the source never relies on it."""
    keys = [v.lower() for v in values if v] or [DEFAULT_ORDER]
    if any(k not in SORT_KEYS for k in keys):
        return None
    fields = [SORT_KEYS[k][0] for k in keys]
    if len(set(fields)) != len(fields):
        return None
    terms = [SORT_KEYS[k][1] for k in keys]
    if "createdat" not in fields:
        terms.append("created_at DESC")
    ascending = "createdat.asc" in keys
    terms.append("review_id ASC" if ascending else "review_id DESC")
    return ", ".join(terms)


def parse_query(q: Any) -> tuple[int, int, str, str, dict[str, Any]] | JSONResponse:
    """(page, perPage, ORDER BY, WHERE, its parameters) of a reviews query, or the 400."""
    try:
        page = int(q.get("page", 1))
        per_page = int(q.get("perPage", DEFAULT_PER_PAGE))
    except ValueError:
        return backend_error(400, "Bad Request", "page and perPage must be integers")
    if page < 1:
        return backend_error(400, "Bad Request", f"Invalid page {page}: must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        return backend_error(
            400, "Bad Request", f"Invalid perPage {per_page}: must be between 1 and 100"
        )
    order = order_sql(q.getlist("orderBy"))
    if order is None:
        return backend_error(
            400,
            "Bad Request",
            f"Invalid orderBy {q.getlist('orderBy')!r}: one or more of "
            f"{', '.join(SORT_KEYS)}, one per field",
        )
    where, params = filters_sql(q)
    if where is None:
        return backend_error(
            400, "Bad Request", "stars: integers 1-5, one per parameter (stars=1&stars=2)"
        )
    return page, per_page, order, where, params


def filters_sql(q: Any) -> tuple[str | None, dict[str, Any]]:
    """SQL of the ``stars`` and ``language`` array filters (None: a bad ``stars`` value)."""
    clauses, params = [], {}
    values = [v for v in q.getlist("stars") if v != ""]
    if values:
        if not all(v.isdigit() and 1 <= int(v) <= 5 for v in values):
            return None, {}
        clauses.append(f"stars IN ({', '.join(sorted({str(int(v)) for v in values}))})")
    langs = [v for v in q.getlist("language") if v]
    if langs and "all" not in langs:
        clauses.append("list_contains($langs, language)")
        params["langs"] = langs
    return " AND ".join(clauses), params


class TrustpilotErrors(PathErrors):
    """Trustpilot's (Apigee gateway) dialect for the fault middleware."""

    name = NAME

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        return 429, fault_body(*THROTTLES[n % len(THROTTLES)]), cfg.retry_after()

    def server_error(self, n: int, path: str) -> ErrorResponse:
        status, faultstring, code = SERVER_ERRORS[n % len(SERVER_ERRORS)]
        return status, fault_body(faultstring, code), {}

    def token_expired(self, path: str) -> ErrorResponse:
        """Public API keys do not expire; a revoked key answers like an invalid one."""
        return 401, fault_body(*BAD_KEY), {}


class TrustpilotApi:
    """Routes of the public Business Units API over the world store."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Any, keys: str | None = None):
        self.con, self.clock = con, clock
        self.keys = token_set(keys, "SANDBOX_TRUSTPILOT_KEYS", DEFAULT_KEYS)
        self.errors = TrustpilotErrors()

    def routes(self) -> list[Route]:
        return [
            Route("/v1/business-units/{bu_id}/reviews", self.reviews),
            Route("/v1/business-units/{bu_id}", self.business_unit),
            Route("/{rest:path}", self.not_found),
        ]

    def _auth(self, request: Request) -> JSONResponse | None:
        key = request.query_params.get("apikey") or request.headers.get("apikey")
        if not key:
            return fault(401, *NO_KEY)
        if key not in self.keys:
            return fault(401, *BAD_KEY)
        return None

    def _unit(self, cur: duckdb.DuckDBPyConnection, bu_id: str) -> dict[str, Any] | None:
        found = cur.execute(
            "SELECT * FROM trustpilot_business_units WHERE business_unit_id = ?", [bu_id]
        )
        row = found.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in found.description], row, strict=True))

    def business_unit(self, request: Request) -> JSONResponse:
        if (denied := self._auth(request)) is not None:
            return denied
        bu_id = request.path_params["bu_id"]
        cur = self.con.cursor()
        try:
            unit = self._unit(cur, bu_id)
            if unit is None:
                return backend_error(404, "Not Found", f"Business unit {bu_id} not found")
            summary = unit_summary(cur, bu_id, self.clock.now)
        finally:
            cur.close()
        base = api_base(request)
        return JSONResponse(
            {
                "id": bu_id,
                "displayName": unit["display_name"],
                "name": {
                    "identifying": unit["identifying_name"],
                    "referring": [unit["display_name"]],
                },
                "websiteUrl": unit["website_url"],
                "country": unit["country"],
                "status": "active",
                **summary,
                "links": [
                    {
                        "href": f"{base}/v1/business-units/{bu_id}/reviews",
                        "method": "GET",
                        "rel": "business-units-reviews",
                    }
                ],
            }
        )

    def reviews(self, request: Request) -> JSONResponse:
        if (denied := self._auth(request)) is not None:
            return denied
        bu_id = request.path_params["bu_id"]
        asked = parse_query(request.query_params)
        if isinstance(asked, JSONResponse):
            return asked
        page, per_page, order, where, params = asked
        cur = self.con.cursor()
        try:
            unit = self._unit(cur, bu_id)
            if unit is None:
                return backend_error(404, "Not Found", f"Business unit {bu_id} not found")
            result = cur.execute(
                visible_sql(where, order) + " LIMIT $limit OFFSET $offset",
                {
                    **params,
                    "bu": bu_id,
                    "now": self.clock.now,
                    "limit": per_page + 1,
                    "offset": (page - 1) * per_page,
                },
            )
            names = [d[0] for d in result.description]
            found = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
        finally:
            cur.close()
        base = api_base(request)
        links = []
        if page > 1:
            links.append(self._link(request, page - 1, "prev-page"))
        if len(found) > per_page:
            links.append(self._link(request, page + 1, "next-page"))
        return JSONResponse(
            {"reviews": [self._review(r, unit, base) for r in found[:per_page]], "links": links}
        )

    @staticmethod
    def _link(request: Request, page: int, rel: str) -> dict[str, str]:
        """Paging links carry the whole query, repeated parameters included, without the
        apikey (send it as a header)."""
        kept = request.query_params.multi_items()
        query = [(k, v) for k, v in kept if k not in ("apikey", "page")]
        query.append(("page", str(page)))
        href = str(request.url.replace(query=urlencode(query)))
        return {"href": href, "method": "GET", "rel": rel}

    @staticmethod
    def _review(r: dict[str, Any], unit: dict[str, Any], base: str) -> dict[str, Any]:
        review_id = r["review_id"]
        out: dict[str, Any] = {
            "id": review_id,
            "consumer": {
                "id": r["consumer_id"],
                "displayName": r["consumer_name"],
                "displayLocation": r["consumer_location"],
                "numberOfReviews": r["consumer_reviews"],
                "links": [
                    {
                        "href": f"{base}/v1/consumers/{r['consumer_id']}",
                        "method": "GET",
                        "rel": "consumers",
                    }
                ],
            },
            "businessUnit": {"id": unit["business_unit_id"], "displayName": unit["display_name"]},
            "stars": r["stars"],
            "title": r["title"],
            "text": r["text"],
            "language": r["language"],
            "createdAt": iso(r["created_at"]),
            "updatedAt": iso(r["updated_at"]),
            "experiencedAt": iso(r["experienced_at"]),
            "isVerified": r["is_verified"],
            "numberOfLikes": r["number_of_likes"],
            "status": "active",
            "links": [
                {"href": f"{base}/v1/reviews/{review_id}", "method": "GET", "rel": "reviews"},
                {
                    "href": f"{base}/v1/business-units/{unit['business_unit_id']}",
                    "method": "GET",
                    "rel": "business-units",
                },
            ],
        }
        if r["reply_at"] is not None:
            out["companyReply"] = {
                "text": r["reply_text"],
                "authorBusinessUserName": r["reply_author"],
                "createdAt": iso(r["reply_at"]),
            }
        return out

    def not_found(self, request: Request) -> JSONResponse:
        if (denied := self._auth(request)) is not None:
            return denied
        return backend_error(404, "Not Found", f"No resource at {request.url.path}")
