"""The emulated HubSpot CRM API (v3 search, v4 associations), served under ``/hubspot``.

- ``POST /crm/v3/objects/{contacts|deals}/search``: filterGroups / sorts / properties / limit /
  after, as the search guide documents them
  (https://developers.hubspot.com/docs/guides/api/crm/search): at most 200 results a page
  ("limit": beyond it a 400), offset paging through ``paging.next.after``, and **10,000 results
  per query**: paging to ``after`` >= 10,000 answers 400, while ``total`` still counts every
  match (so a client must narrow its filters, e.g. by date windows). The search endpoints
  are limited to **5 requests per second per account** (same guide, "Limitations"; the 2020
  changelog said 4 per second per token): the sandbox answers a sixth request within one
  wall-clock second with HubSpot's 429 body (``errorType: RATE_LIMIT``, ``policyName:
  SECONDLY``).
- ``POST /crm/v4/associations/{from}/{to}/batch/read``: the deals' contacts
  (https://developers.hubspot.com/docs/api-reference/crm-associations-v4/guide), at most 1,000
  inputs a call; ids without an association are reported in ``errors`` with HTTP 207.
- Auth: a private app's access token as ``Authorization: Bearer`` (https://developers.hubspot
  .com/docs/guides/apps/private-apps/overview). A token belongs to one account (portal): the
  sandbox's token of portal P is ``pat-eu1-sandbox-P``; anything else is a 401
  ``INVALID_AUTHENTICATION``.

Errors use HubSpot's body ``{"status": "error", "message", "correlationId", "category"}``
(https://developers.hubspot.com/docs/guides/api/error-handling).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import bearer_token

from . import views

NAME = "hubspot"
MAX_LIMIT, DEFAULT_LIMIT = 200, 10
RESULT_CAP = 10_000  # results one query can page through (env SANDBOX_HUBSPOT_SEARCH_CAP)
SEARCH_PER_SECOND = 5
BATCH_MAX = 1_000
OPERATORS = {"EQ": "=", "NEQ": "<>", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}
SEARCHABLE = {"createdate", "lastmodifieddate", "hs_lastmodifieddate", "hs_object_id"}
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


def token_of(portal_id: str) -> str:
    """The sandbox's private app token of a portal (one token, one account)."""
    return f"pat-eu1-sandbox-{portal_id}"


def error_body(message: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }


def error(status: int, message: str, category: str, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(message, category, **extra), status_code=status)


def rate_limited() -> dict[str, Any]:
    """HubSpot's 429 body for the per-second limit."""
    return error_body(
        "You have reached your secondly limit.",
        "RATE_LIMITS",
        errorType="RATE_LIMIT",
        policyName="SECONDLY",
    )


class HubspotErrors(PathErrors):
    """HubSpot's dialect for the fault middleware."""

    name = NAME

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        return 429, rate_limited(), cfg.retry_after()

    def server_error(self, n: int, path: str) -> ErrorResponse:
        status = (500, 502, 503)[n % 3]
        return status, error_body("internal error", "INTERNAL_ERROR"), {}

    def token_expired(self, path: str) -> ErrorResponse:
        """Private app tokens do not expire; a rotated or deleted one answers like a bad one."""
        return 401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"), {}


def epoch_ms_or_iso(raw: Any) -> datetime | None:
    """A datetime filter value: epoch milliseconds (the guide's examples) or ISO 8601."""
    text = str(raw)
    try:
        if text.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(text) / 1000, UTC).replace(tzinfo=None)
        return (
            datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
        )
    except (ValueError, OverflowError):
        return None


def column_of(obj: str, name: Any) -> Any:
    """The object's own name of its last-modified property (contacts ``lastmodifieddate``,
    deals ``hs_lastmodifieddate``); HubSpot accepts either on both."""
    if name in ("lastmodifieddate", "hs_lastmodifieddate"):
        return views.MODIFIED[obj]
    return name


def where_of(obj: str, groups: Any) -> tuple[str, dict[str, Any]] | str:
    """SQL of ``filterGroups`` (groups OR-ed, filters AND-ed), or the 400 message."""
    if not isinstance(groups, list) or len(groups) > 5:
        return "filterGroups: a list of at most 5 groups"
    ors, params = [], {}
    for g, group in enumerate(groups):
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > 6:
            return "each filter group needs 'filters', at most 6"
        ands = []
        for f, flt in enumerate(filters):
            name, op = column_of(obj, flt.get("propertyName")), flt.get("operator")
            if name not in SEARCHABLE or op not in (*OPERATORS, "BETWEEN"):
                return f"unsupported filter {name!r} {op!r} (the sandbox's subset)"
            column = "id" if name == "hs_object_id" else name
            key = f"v{g}_{f}"
            is_time = column != "id"
            low = epoch_ms_or_iso(flt.get("value")) if is_time else flt.get("value")
            if low is None:
                return f"{name}: value {flt.get('value')!r} is not a timestamp"
            params[key] = low if is_time else int(low)
            if op == "BETWEEN":
                high = epoch_ms_or_iso(flt.get("highValue"))
                if high is None:
                    return f"{name}: BETWEEN needs a highValue"
                params[key + "h"] = high
                ands.append(f"{column} BETWEEN ${key} AND ${key}h")
            else:
                ands.append(f"{column} {OPERATORS[op]} ${key}")
        ors.append("(" + " AND ".join(ands or ["TRUE"]) + ")")
    return (" OR ".join(ors) or "TRUE"), params


def order_of(obj: str, sorts: Any) -> str | None:
    """ORDER BY of ``sorts`` (one sort at most); ties by id (undocumented: never relied on)."""
    if not sorts:
        return "id ASC"
    if not isinstance(sorts, list) or len(sorts) > 1 or not isinstance(sorts[0], dict):
        return None
    name = column_of(obj, sorts[0].get("propertyName"))
    direction = {"ASCENDING": "ASC", "DESCENDING": "DESC"}.get(sorts[0].get("direction"))
    if name not in SEARCHABLE or direction is None:
        return None
    column = "id" if name == "hs_object_id" else name
    return f"{column} {direction}, id ASC"


class SecondWindow:
    """Requests per account in the current wall-clock second (the search's secondly limit)."""

    def __init__(self, limit: int) -> None:
        self.limit, self._lock, self._seen = limit, threading.Lock(), {}

    def allow(self, account: str) -> bool:
        limit = int(os.environ.get("SANDBOX_HUBSPOT_SEARCH_PER_SECOND", self.limit))
        second = int(time.time())
        with self._lock:
            at, count = self._seen.get(account, (second, 0))
            count = count + 1 if at == second else 1
            self._seen[account] = (second, count)
            return count <= limit


class HubspotApi:
    """Routes of the CRM search and associations APIs over the world store."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Any) -> None:
        self.con, self.clock = con, clock
        portals = con.execute("SELECT portal_id FROM hubspot_portals").fetchall()
        self.tokens = {token_of(p): p for (p,) in portals}
        self.errors = HubspotErrors()
        self.window = SecondWindow(SEARCH_PER_SECOND)  # env SANDBOX_HUBSPOT_SEARCH_PER_SECOND

    def routes(self) -> list[Route]:
        return [
            Route("/crm/v3/objects/{obj}/search", self.search, methods=["POST"]),
            Route(
                "/crm/v4/associations/{src}/{dst}/batch/read", self.associations, methods=["POST"]
            ),
            Route("/{rest:path}", self.not_found, methods=["GET", "POST"]),
        ]

    def _portal(self, request: Request) -> str | JSONResponse:
        portal = self.tokens.get(bearer_token(request))
        return portal if portal else error(401, AUTH_MESSAGE, "INVALID_AUTHENTICATION")

    async def _body(self, request: Request) -> dict[str, Any] | JSONResponse:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
        if not isinstance(body, dict):
            return error(400, "Invalid input JSON: an object is expected", "VALIDATION_ERROR")
        return body

    async def search(self, request: Request) -> JSONResponse:
        portal = self._portal(request)
        if isinstance(portal, JSONResponse):
            return portal
        if not self.window.allow(portal):
            return JSONResponse(rate_limited(), status_code=429)
        obj = views.TYPE_IDS.get(request.path_params["obj"], request.path_params["obj"])
        if obj not in views.OBJECTS:
            return error(400, f"Unable to infer object type from: {obj}", "VALIDATION_ERROR")
        body = await self._body(request)
        if isinstance(body, JSONResponse):
            return body
        return await run_in_threadpool(self._search, portal, obj, body)

    def _search(self, portal: str, obj: str, body: dict[str, Any]) -> JSONResponse:
        cap = int(os.environ.get("SANDBOX_HUBSPOT_SEARCH_CAP", RESULT_CAP))
        try:
            limit = int(body.get("limit", DEFAULT_LIMIT))
            after = int(body.get("after") or 0)
        except (TypeError, ValueError):
            return error(400, "limit and after must be integers", "VALIDATION_ERROR")
        if not 1 <= limit <= MAX_LIMIT:
            return error(
                400, f"limit must be between 1 and {MAX_LIMIT}, got {limit}", "VALIDATION_ERROR"
            )
        if after >= cap:
            return error(
                400,
                f"Paging beyond {cap} results is not supported: narrow the query's filters",
                "VALIDATION_ERROR",
            )
        where = where_of(obj, body.get("filterGroups") or [])
        order = order_of(obj, body.get("sorts"))
        if isinstance(where, str) or order is None:
            why = where if isinstance(where, str) else "sorts: one sort on a searchable property"
            return error(400, why, "VALIDATION_ERROR")
        sql, params = where
        wanted = tuple(body.get("properties") or views.DEFAULT_PROPERTIES[obj])
        inner = views.OBJECTS[obj]
        cur = self.con.cursor()
        try:
            base = {**params, "portal": portal, "now": self.clock.now}
            total = cur.execute(f"SELECT count(*) FROM ({inner}) WHERE {sql}", base).fetchone()[0]
            result = cur.execute(
                f"SELECT * FROM ({inner}) WHERE {sql} ORDER BY {order} LIMIT $l OFFSET $o",
                {**base, "l": min(limit, cap - after), "o": after},
            )
            names = [d[0] for d in result.description]
            rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
        finally:
            cur.close()
        out: dict[str, Any] = {
            "total": total,
            "results": [views.record(r, obj, wanted) for r in rows],
        }
        if after + len(rows) < total:  # also past the cap: the next request is the 400
            out["paging"] = {"next": {"after": str(after + len(rows))}}
        return JSONResponse(out)

    async def associations(self, request: Request) -> JSONResponse:
        portal = self._portal(request)
        if isinstance(portal, JSONResponse):
            return portal
        src, dst = (views.TYPE_IDS.get(p, p) for p in request.path_params.values())
        if (src, dst) not in (("deals", "contacts"), ("contacts", "deals")):
            return error(400, f"Unsupported association {src} -> {dst}", "VALIDATION_ERROR")
        body = await self._body(request)
        if isinstance(body, JSONResponse):
            return body
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= BATCH_MAX:
            return error(400, f"inputs: between 1 and {BATCH_MAX} ids", "VALIDATION_ERROR")
        ids = [str(i.get("id")) if isinstance(i, dict) else "" for i in inputs]
        return await run_in_threadpool(self._associations, portal, src, ids)

    def _associations(self, portal: str, src: str, ids: list[str]) -> JSONResponse:
        mine, other = ("deal_id", "contact_id") if src == "deals" else ("contact_id", "deal_id")
        type_id = views.DEAL_TO_CONTACT if src == "deals" else views.CONTACT_TO_DEAL
        cur = self.con.cursor()
        try:
            found = cur.execute(
                f"SELECT CAST({mine} AS VARCHAR), {other} FROM hubspot_deals "
                f"WHERE portal_id = $p AND created_at <= $now AND list_contains($ids, "
                f"CAST({mine} AS VARCHAR)) ORDER BY 1, 2",
                {"p": portal, "now": self.clock.now, "ids": ids},
            ).fetchall()
        finally:
            cur.close()
        linked: dict[str, list[int]] = {}
        for key, to in found:
            linked.setdefault(key, []).append(to)
        kind = {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
        results = [
            {"from": {"id": i}, "to": [{"toObjectId": t, "associationTypes": [kind]} for t in to]}
            for i, to in linked.items()
        ]
        missing = [i for i in dict.fromkeys(ids) if i not in linked]
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": now,
                               "completedAt": now}  # fmt: skip
        if missing:
            out["numErrors"] = len(missing)
            out["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                    "context": {"fromObjectId": [i]},
                    "message": f"No associations found for {src} {i}",
                }
                for i in missing
            ]
        return JSONResponse(out, status_code=207 if missing else 200)

    def not_found(self, request: Request) -> JSONResponse:
        if isinstance(portal := self._portal(request), JSONResponse):
            return portal
        return error(404, f"No route for {request.method} {request.url.path}", "OBJECT_NOT_FOUND")
