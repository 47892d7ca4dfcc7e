"""The emulated Matomo Reporting API: ``/index.php?module=API&method=Live.getLastVisitsDetails``.

One page = one query on ``web_visits`` for a site and a day plus one query on
``web_conversions`` for those visits. As ``plugins/Live/Model.php`` (matomo-org/matomo 5.x)
does: the day is the site's local day (``getStartAndEndDate`` converts it with the site's
time zone) and filters on the visit's *last action* time (``visit_last_action_time >= start
AND <= end``, the end being the next local midnight, inclusive, or now); results are ordered
``visit_last_action_time DESC, idvisit DESC`` (``makeLogVisitsQueryString``), paged by
``filter_limit`` / ``filter_offset``. ``date=today`` (or today's local date) starts a day
earlier and has no end: Live answers from yesterday's local midnight until now. Only visits
that ended by the sandbox's now are served (a visit still running is not shown half-way).
Errors are Matomo's ``{"result": "error", "message": ...}``, mostly with HTTP 200; the rate
limiter in front of the server answers 429 / 503 with ``Retry-After``. A visit carries every
field of Matomo 5's default plugins: the ids, times, referrer and actions here, the rest
(visitor history, device, place, language, IP, fingerprint) from ``visit_fields.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import token_set
from sandbox.vendors.matomo import limits, visit_fields
from sandbox.vendors.matomo.tracker import referrer
from sandbox.vendors.web.world import LANDING

DEFAULT_TOKENS = "sandbox-matomo-token"
DEFAULT_LIMIT = 100
# The columns a visit's answer is made of (``_visit``): fetching the other half of the table's
# columns for every row of a page cost as much as the query itself.
VISIT_COLUMNS = (
    "visit_id",
    "visitor_id",
    "user_id",
    "visit_count",
    "started_at",
    "ended_at",
    "referrer_type",
    "referrer_name",
    "referrer_url",
    "landing_page",
    "landing_query",
    "pageviews",
    "duration_s",
    "device_type",
    "consent_value",
    "consent",
    "visitor_slot",  # the person behind the visit: device, place, language (visit_fields.py)
)
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


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Naive UTC instant of ``day`` 00:00 in the site's time zone."""
    return datetime.combine(day, time()).replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def day_window(value: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """``[start, end]`` (naive UTC, inclusive) of Live's ``period=day`` filter, or None.

    ``plugins/Live/Model.php::getStartAndEndDate``: ``today`` is read in UTC
    (``Date::factory('today')``); a date equal to the site's local today, or ``today`` /
    ``now``, is moved one day back and gets no end; any other day ends at the next local
    midnight (inclusive), capped at now; a day starting after now has nothing.
    """
    local_today = now.replace(tzinfo=UTC).astimezone(tz).date()
    keyword = value in ("today", "now")
    if keyword:
        day = now.date()
    elif value == "yesterday":
        day = now.date() - timedelta(days=1)
    else:
        day = date.fromisoformat(value)
    open_end = keyword or day == local_today
    if open_end:
        day -= timedelta(days=1)
    start = _local_midnight(day, tz)
    if start > now:
        return None
    end = now if open_end else min(_local_midnight(day + timedelta(days=1), tz), now)
    return start, end


def _ts(when: datetime) -> int:
    return int(when.replace(tzinfo=UTC).timestamp())


class MatomoApi:
    """Routes of the emulated Matomo instance (one instance hosts every site of the world)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_MATOMO_TOKENS", DEFAULT_TOKENS)
        self.secure_tokens = token_set(  # valid in a POST body only (limits.py)
            None, "SANDBOX_MATOMO_SECURE_TOKENS", limits.DEFAULT_SECURE_TOKENS
        )
        self.tokens |= self.secure_tokens
        self.live_windows = limits.LiveWindows()
        self.errors = MatomoErrors()
        cur = con.cursor()
        self.sites = {  # a handful of rows: the site registry, not data pages
            str(r[0]): r[1:]
            for r in cur.execute(
                "SELECT matomo_site_id, brand_id, site, currency, timezone, "
                "matomo_consent_dimension, matomo_campaign_plugin FROM web_sites "
                "WHERE matomo_site_id IS NOT NULL"
            ).fetchall()
        }
        cur.close()

    def routes(self) -> list[Route]:
        return [Route("/index.php", self.handle, methods=["GET", "POST"])]

    async def handle(self, request: Request) -> JSONResponse | PlainTextResponse:
        params = dict(request.query_params)
        secure = False  # token_auth in a POST body (Matomo 5: "secure" requests)
        if request.method == "POST":  # form-encoded body (python-multipart is not needed)
            body = (await request.body()).decode("utf-8", "replace")
            form = dict(parse_qsl(body, keep_blank_values=True))
            params.update(form)
            secure = "token_auth" in form
        client = request.client.host if request.client else "-"
        if limits.is_live(params) and not self.live_windows.admit(client):
            return PlainTextResponse("Too Many Requests", 429)  # Matomo Cloud's limit, limits.py
        return await run_in_threadpool(self._answer, params, secure)

    def _token_refused(self, p: dict[str, str], secure: bool) -> JSONResponse | None:
        """401 for a token given but unknown or secure-only sent in the URL (limits.py)."""
        token = p.get("token_auth", "")
        if not token or token == "anonymous":
            return None  # the anonymous user: refused by the access check
        if token in self.tokens and (secure or token not in self.secure_tokens):
            return None
        return error(limits.LOGIN_FAILED_SECURE if secure else limits.LOGIN_FAILED_GET, 401)

    def _answer(self, p: dict[str, str], secure: bool = True) -> JSONResponse:
        if p.get("module") != "API":
            return error("The sandbox serves the Reporting API only (module=API).")
        refused = self._token_refused(p, secure)
        if refused is not None:
            return refused
        method = p.get("method", "")
        if method == "API.getMatomoVersion":
            if p.get("token_auth") not in self.tokens:  # NoAccessException: 401 (Matomo 5)
                return error("You must be logged in to access this functionality.", 401)
            return JSONResponse({"value": "5.2.0"})
        if method != "Live.getLastVisitsDetails":
            module = method.split(".")[0] or "API"
            return error(  # BadRequestException: 400 since Matomo 5.2 (PR #22334)
                f"The method '{method.split('.')[-1]}' does not exist or is not available in the "
                f"module '\\Piwik\\Plugins\\{module}\\API'.",
                400,
            )
        site = p.get("idSite")
        if not site:
            return error(
                "The parameter 'idSite' isn't set in the Request, and a default value wasn't "
                "provided."
            )
        if p.get("token_auth") not in self.tokens:  # anonymous: NoAccessException, 401
            return error(no_view_access(site), 401)
        if p.get("format", "xml").lower() != "json":
            return error("The sandbox serves format=JSON only.")
        if p.get("period", "day") != "day":
            return error("The sandbox serves period=day only.")
        brand = self.sites.get(site)
        if brand is None:
            return error(no_view_access(site), 401)
        try:
            window = day_window(p.get("date", "today"), self.clock.now, ZoneInfo(brand[3]))
            limit = int(p.get("filter_limit", DEFAULT_LIMIT))
            offset = int(p.get("filter_offset", 0))
        except ValueError as exc:
            return error(
                "Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword "
                f"supported by the strtotime function: {exc}"
            )
        if window is None:
            return JSONResponse([])
        cur = self.con.cursor()
        try:
            return JSONResponse(self._visits(cur, site, brand, window, limit, offset))
        finally:
            cur.close()

    def _visits(
        self, cur: Any, site: str, brand: tuple, window: tuple, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        sql = (  # Live\Model::makeLogVisitsQueryString: by last action, newest first
            f"SELECT {', '.join(VISIT_COLUMNS)} FROM web_visits WHERE brand_id = ? "
            "AND ended_at BETWEEN ? AND ? ORDER BY ended_at DESC, visit_id DESC"
        )
        params: list[Any] = [brand[0], *window]
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
        known = visit_fields.histories(
            cur, brand[0], [v["visitor_id"] for v in visits], self.clock.now
        )
        return [
            self._visit(v, site, brand, convs.get(v["visit_id"], []), known[v["visitor_id"]])
            for v in visits
        ]

    def _visit(
        self, v: dict[str, Any], site: str, brand: tuple, convs: list[tuple], history: Any
    ) -> dict:
        host = f"https://{brand[1]}"
        first, last = _ts(v["started_at"]), _ts(v["ended_at"])
        query = v["landing_query"] or ""
        n = int(v["pageviews"])
        actions = [
            _pageview(v, host, i, first + (last - first) * i // max(1, n - 1)) for i in range(n)
        ]
        if query:  # the landing page's URL as the browser sent it, query string included
            actions[0]["url"] = f"{actions[0]['url']}?{query}"
        actions += [_conversion(c, host) for c in convs]
        actions.sort(key=lambda a: a["timestamp"])
        goals = sum(1 for c in convs if c[1] == "goal")
        out: dict[str, Any] = {
            "idSite": int(site) if site.isdigit() else site,
            "idVisit": int(v["visit_id"]),
            # Live\VisitorDetails::getVisitorId: bin2hex(idvisitor), set on every visit; a
            # cookieless visit gets a fresh random one (core Tracker\Visit::getVisitorIdcookie)
            "visitorId": v["visitor_id"],
            "userId": v["user_id"],
            "visitCount": int(v["visit_count"]),
            "visitConverted": 1 if convs else 0,
            "goalConversions": goals,
            "serverDate": v["ended_at"].date().isoformat(),  # UTC date of the last action
            "serverTimestamp": last,
            "firstActionTimestamp": first,
            "lastActionTimestamp": last,
            "visitDuration": int(v["duration_s"]),
            "deviceType": v["device_type"],
            "siteCurrency": brand[2],
            "actionDetails": actions,
        }
        fallback = {
            "referrerType": v["referrer_type"],
            "referrerName": v["referrer_name"],
            "referrerKeyword": "Keyword not defined" if v["referrer_type"] == "search" else "",
        }
        out.update(referrer(query, v["referrer_url"] or "", bool(brand[5]), fallback))
        out.update(visit_fields.referrer_labels(out))
        cookie = brand[4] is None or v["consent"] == "granted"  # cookieless without consent
        out.update(visit_fields.plugin_fields(v, brand, convs, history, cookie))
        if brand[4] is not None:  # CustomDimensions\VisitorDetails: null when unset
            out[brand[4]] = v["consent_value"]
        return out


def _pageview(v: dict[str, Any], host: str, i: int, at: int) -> dict[str, Any]:
    path = v["landing_page"] if i == 0 else LANDING[(v["visit_id"] + i) % len(LANDING)]
    return {
        "type": "action",
        "url": f"{host}{path}",
        "pageTitle": PAGE_TITLES.get(path, path.strip("/").title()),
        "pageviewPosition": i + 1,
        "timestamp": at,
    }


def _conversion(c: tuple, host: str) -> dict[str, Any]:
    _vid, kind, goal_id, goal_name, order_id, revenue, items, at = c
    if kind == "goal":
        return {
            "type": "goal",
            "goalName": goal_name,
            "goalId": str(goal_id),
            "revenue": 0,
            "url": f"{host}/merci",
            "timestamp": _ts(at),
        }
    return {
        "type": "ecommerceOrder",
        "orderId": order_id,
        "revenue": float(revenue),
        "revenueSubTotal": float(revenue),
        "items": int(items),
        "timestamp": _ts(at),
    }
