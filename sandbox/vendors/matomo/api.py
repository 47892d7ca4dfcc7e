"""The emulated Matomo Reporting API: ``/index.php?module=API&method=Live.getLastVisitsDetails``.

One page = one query on ``web_visits`` for a site and a day (newest first, ``filter_limit`` /
``filter_offset``) plus one query on ``web_conversions`` for those visits. Errors are Matomo's
``{"result": "error", "message": ...}``, mostly with HTTP 200; the rate limiter in front of
the server answers 429 / 503 with ``Retry-After``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import token_set
from sandbox.vendors.web.world import LANDING

DEFAULT_TOKENS = "sandbox-matomo-token"
DEFAULT_LIMIT = 100
PAGE_TITLES = {"/": "Accueil", "/boutique": "Boutique", "/blog": "Blog", "/contact": "Contact"}


def error_body(message: str) -> dict[str, str]:
    """Matomo's error body, whatever the HTTP status."""
    return {"result": "error", "message": message}


def error(message: str, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(message), status, headers=headers)


def no_view_access(site: str) -> str:
    return (
        f"You can't access this resource as it requires 'view' access for the website id = {site}."
    )


class MatomoErrors(PathErrors):
    """Matomo's dialect for the fault middleware."""

    name = "matomo"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        status = cfg.throttle_code if cfg.throttle_code in (429, 503) else [429, 503][n % 2]
        message = {
            429: "Rate limit exceeded: too many API requests, please retry later.",
            503: "Service Unavailable: the server is temporarily overloaded, please retry later.",
        }[status]
        return status, error_body(message), cfg.retry_after()

    def server_error(self, n: int, path: str) -> ErrorResponse:
        if n % 2 == 0:  # Matomo reports database errors in a 200 answer
            msg = (
                "Mysql error: SQLSTATE[40001]: Serialization failure: 1213 Deadlock found when "
                "trying to get lock; try restarting transaction"
            )
            return 200, error_body(msg), {}
        msg = "SQLSTATE[HY000]: General error: 2006 MySQL server has gone away"
        return 500, error_body(msg), {}

    def token_expired(self, path: str) -> ErrorResponse:
        msg = "Unable to authenticate with the provided token. It is either invalid or expired."
        return 401, error_body(msg), {}


def parse_day(value: str, today: date) -> date:
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    return date.fromisoformat(value)


def _ts(when: datetime) -> int:
    return int(when.replace(tzinfo=UTC).timestamp())


class MatomoApi:
    """Routes of the emulated Matomo instance (one instance hosts every site of the world)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_MATOMO_TOKENS", DEFAULT_TOKENS)
        self.errors = MatomoErrors()
        cur = con.cursor()
        self.sites = {  # a handful of rows: the site registry, not data pages
            str(r[0]): r[1:]
            for r in cur.execute(
                "SELECT matomo_site_id, brand_id, site, currency FROM web_sites "
                "WHERE matomo_site_id IS NOT NULL"
            ).fetchall()
        }
        cur.close()

    def routes(self) -> list[Route]:
        return [Route("/index.php", self.handle, methods=["GET", "POST"])]

    async def handle(self, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if request.method == "POST":  # form-encoded body (python-multipart is not needed)
            body = (await request.body()).decode("utf-8", "replace")
            params.update(dict(parse_qsl(body, keep_blank_values=True)))
        return await run_in_threadpool(self._answer, params)

    def _answer(self, p: dict[str, str]) -> JSONResponse:
        if p.get("module") != "API":
            return error("The sandbox serves the Reporting API only (module=API).")
        method = p.get("method", "")
        if method == "API.getMatomoVersion":
            if p.get("token_auth") not in self.tokens:
                return error("You must be logged in to access this functionality.")
            return JSONResponse({"value": "5.2.0"})
        if method != "Live.getLastVisitsDetails":
            module = method.split(".")[0] or "API"
            return error(
                f"The method '{method.split('.')[-1]}' does not exist or is not available in the "
                f"module '\\Piwik\\Plugins\\{module}\\API'."
            )
        site = p.get("idSite")
        if not site:
            return error(
                "The parameter 'idSite' isn't set in the Request, and a default value wasn't "
                "provided."
            )
        if p.get("token_auth") not in self.tokens:
            return error(no_view_access(site))
        if p.get("format", "xml").lower() != "json":
            return error("The sandbox serves format=JSON only.")
        if p.get("period", "day") != "day":
            return error("The sandbox serves period=day only.")
        today = self.clock.today
        try:
            day = parse_day(p.get("date", "today"), today)
            limit = int(p.get("filter_limit", DEFAULT_LIMIT))
            offset = int(p.get("filter_offset", 0))
        except ValueError as exc:
            return error(
                "Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword "
                f"supported by the strtotime function: {exc}"
            )
        brand = self.sites.get(site)
        if brand is None:
            return error(no_view_access(site))
        if day > today:
            return JSONResponse([])
        cur = self.con.cursor()
        try:
            return JSONResponse(self._visits(cur, site, brand, day, limit, offset))
        finally:
            cur.close()

    def _visits(
        self, cur: Any, site: str, brand: tuple, day: date, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM web_visits WHERE brand_id = ? AND visit_date = ? "
            "ORDER BY started_at DESC, visit_id DESC"
        )
        params: list[Any] = [brand[0], day]
        if limit >= 0:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        elif offset:
            sql += " OFFSET ?"
            params.append(offset)
        result = cur.execute(sql, params)
        names = [d[0] for d in result.description]
        visits = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
        if not visits:
            return []
        ids = [v["visit_id"] for v in visits]
        convs: dict[int, list[tuple]] = {}
        for row in cur.execute(
            "SELECT visit_id, kind, goal_id, goal_name, order_id, revenue, items, converted_at "
            "FROM web_conversions WHERE brand_id = ? AND visit_id BETWEEN ? AND ? "
            "ORDER BY converted_at, goal_id",
            [brand[0], min(ids), max(ids)],
        ).fetchall():
            convs.setdefault(row[0], []).append(row)
        return [self._visit(v, site, brand, convs.get(v["visit_id"], [])) for v in visits]

    def _visit(self, v: dict[str, Any], site: str, brand: tuple, convs: list[tuple]) -> dict:
        host = f"https://{brand[1]}"
        first, last = _ts(v["started_at"]), _ts(v["ended_at"])
        actions: list[dict[str, Any]] = []
        n = int(v["pageviews"])
        for i in range(n):
            path = v["landing_page"] if i == 0 else LANDING[(v["visit_id"] + i) % len(LANDING)]
            at = first + (last - first) * i // max(1, n - 1)
            actions.append(
                {
                    "type": "action",
                    "url": f"{host}{path}",
                    "pageTitle": PAGE_TITLES.get(path, path.strip("/").title()),
                    "pageviewPosition": i + 1,
                    "timestamp": at,
                }
            )
        for _vid, kind, goal_id, goal_name, order_id, revenue, items, at in convs:
            if kind == "goal":
                actions.append(
                    {
                        "type": "goal",
                        "goalName": goal_name,
                        "goalId": str(goal_id),
                        "revenue": 0,
                        "url": f"{host}/merci",
                        "timestamp": _ts(at),
                    }
                )
            else:
                actions.append(
                    {
                        "type": "ecommerceOrder",
                        "orderId": order_id,
                        "revenue": float(revenue),
                        "revenueSubTotal": float(revenue),
                        "items": int(items),
                        "timestamp": _ts(at),
                    }
                )
        actions.sort(key=lambda a: a["timestamp"])
        goals = sum(1 for c in convs if c[1] == "goal")
        out: dict[str, Any] = {
            "idSite": int(site) if site.isdigit() else site,
            "idVisit": int(v["visit_id"]),
            "visitIp": "192.168.0.0",
            "userId": v["user_id"],
            "visitorType": "returning" if v["visit_count"] > 1 else "new",
            "visitCount": int(v["visit_count"]),
            "visitConverted": 1 if convs else 0,
            "goalConversions": goals,
            "serverDate": v["visit_date"].isoformat(),
            "serverTimestamp": last,
            "firstActionTimestamp": first,
            "lastActionTimestamp": last,
            "visitDuration": int(v["duration_s"]),
            "actions": n,
            "referrerType": v["referrer_type"],
            "referrerName": v["referrer_name"],
            "referrerKeyword": "Keyword not defined" if v["referrer_type"] == "search" else "",
            "referrerUrl": v["referrer_url"] or None,
            "deviceType": v["device_type"],
            "siteCurrency": brand[2],
            "actionDetails": actions,
        }
        if v["consent"]:
            out = {"visitorId": v["visitor_id"], **out}
        else:
            out["userId"] = None
        if v["referrer_type"] == "campaign":
            out.update(
                campaignId="",
                campaignName=v["campaign"],
                campaignSource=v["source"],
                campaignMedium=v["medium"],
                campaignContent="" if v["content"] == "(not set)" else v["content"],
                campaignKeyword="" if v["term"] == "(not set)" else v["term"],
            )
        return out
