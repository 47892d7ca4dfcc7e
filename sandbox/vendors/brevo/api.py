"""The emulated Brevo API v3 (https://api.brevo.com/v3), e-mail campaigns:

- ``GET /v3/emailCampaigns`` (https://developers.brevo.com/reference/get-email-campaigns):
  ``type``, ``status``, ``statistics`` (one of globalStats, linksStats, statsByDomain: "if you
  need more than one, make multiple calls", https://developers.brevo.com/changelog/2023/2/7),
  ``startDate`` / ``endDate`` (sent date, both or neither, status ``sent``), ``limit`` (default
  50, max 100, https://developers.brevo.com/changelog/2022/6/2), ``offset``, ``sort``
  (creation order, desc by default), ``excludeHtmlContent``. Answer ``{count, campaigns}``.
- ``GET /v3/emailCampaigns/{campaignId}`` (https://developers.brevo.com/reference/
  get-email-campaign): one campaign, its statistics over its whole life.

Auth: the ``api-key`` header (https://developers.brevo.com/docs/api-key-authentication); one
key per account, here per brand (``sandbox.world.email.api_key_of``). Errors are
``{"code", "message"}``. Rate limits: 429 with ``x-sib-ratelimit-limit`` / ``-remaining`` /
``-reset`` (seconds) (https://developers.brevo.com/docs/limit-headers).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig, PathErrors

from . import stats

MAX_LIMIT, DEFAULT_LIMIT = 100, 50
STATISTICS = ("globalStats", "linksStats", "statsByDomain")
RATE_LIMIT = 100  # requests per window on the campaigns endpoints (plan-dependent at Brevo)
SENT_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"


class BrevoError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def json(self) -> JSONResponse:
        return JSONResponse({"code": self.code, "message": self.message}, self.status)


def rate_headers(remaining: int, reset_s: int) -> dict[str, str]:
    return {
        "x-sib-ratelimit-limit": str(RATE_LIMIT),
        "x-sib-ratelimit-remaining": str(remaining),
        "x-sib-ratelimit-reset": str(reset_s),
    }


class BrevoErrors(PathErrors):
    """Brevo's dialect for the fault middleware."""

    name = "brevo"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        body = {"code": "too_many_requests", "message": "Too many requests, try again later"}
        return 429, body, rate_headers(0, 1)

    def server_error(self, n: int, path: str) -> ErrorResponse:
        if n % 2:
            return 503, {"code": "service_unavailable", "message": "Service Unavailable"}, {}
        return 500, {"code": "internal_error", "message": "Internal Server Error"}, {}

    def token_expired(self, path: str) -> ErrorResponse:
        return 401, {"code": "unauthorized", "message": "Key not found"}, {}


def iso(ts: datetime) -> str:
    """Brevo's UTC timestamps: ``2025-11-04T08:00:00.000Z``."""
    return ts.strftime(SENT_FORMAT)


class BrevoApi:
    """Routes of the emulated Brevo API and its rate-limit counter."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Clock) -> None:
        self.con, self.clock = con, clock
        self.errors = BrevoErrors()
        self._lock = threading.Lock()
        self._calls = 0

    def routes(self) -> list[Route]:
        return [
            Route("/v3/emailCampaigns", self.handle, methods=["GET"]),
            Route("/v3/emailCampaigns/{campaign_id}", self.handle, methods=["GET"]),
        ]

    async def handle(self, request: Request) -> JSONResponse:
        return await run_in_threadpool(self._answer, request)

    def _answer(self, request: Request) -> JSONResponse:
        with self._lock:
            self._calls += 1
            remaining = RATE_LIMIT - 1 - self._calls % RATE_LIMIT
        cur = self.con.cursor()
        try:
            brand = self._brand(cur, request.headers.get("api-key", ""))
            one = request.path_params.get("campaign_id")
            body = self._one(cur, brand, one) if one else self._list(cur, brand, request)
            return JSONResponse(body, headers=rate_headers(remaining, 60))
        except BrevoError as err:
            return err.json()
        finally:
            cur.close()

    def _brand(self, cur: Any, key: str) -> str:
        row = cur.execute("SELECT brand_id FROM email_accounts WHERE api_key = ?", [key]).fetchone()
        if not key or row is None:
            raise BrevoError(401, "unauthorized", "Key not found")
        return row[0]

    def _list(self, cur: Any, brand: str, request: Request) -> dict[str, Any]:
        q = request.query_params
        limit, offset = _int(q, "limit", DEFAULT_LIMIT), _int(q, "offset", 0)
        if not 0 <= limit <= MAX_LIMIT or offset < 0:
            raise BrevoError(400, "out_of_range", f"limit must be between 0 and {MAX_LIMIT}")
        wanted = q.get("statistics")
        if wanted is not None and wanted not in STATISTICS:
            raise BrevoError(400, "invalid_parameter", "statistics is not valid")
        window = _sent_window(q)
        now = self.clock.now
        found = [
            c for c in stats.campaigns(cur, brand, now)
            if q.get("status") in (None, "sent") and q.get("type") in (None, "classic")
            and (window is None or window[0] <= c[6] <= window[1])
        ]  # fmt: skip
        if q.get("sort") == "asc":
            found.reverse()
        html = q.get("excludeHtmlContent", "false") != "true"
        page = found[offset : offset + limit]
        out = [self._campaign(cur, brand, c, now, wanted, html, whole=False) for c in page]
        return {"count": len(found), "campaigns": out} if found else {}

    def _one(self, cur: Any, brand: str, campaign_id: str) -> dict[str, Any]:
        now = self.clock.now
        rows = [c for c in stats.campaigns(cur, brand, now) if str(c[0]) == campaign_id]
        if not rows:
            raise BrevoError(404, "document_not_found", "Campaign ID does not exist")
        return self._campaign(cur, brand, rows[0], now, None, True, whole=True)

    def _campaign(
        self, cur: Any, brand: str, c: tuple, now: datetime, wanted: Any, html: bool, whole: bool
    ) -> dict[str, Any]:
        campaign_id, name, subject, tag, _utm, created, sent = c
        out: dict[str, Any] = {
            "id": campaign_id,
            "name": name,
            "subject": subject,
            "type": "classic",
            "status": "sent",
            "tag": tag,
            "createdAt": iso(created),
            "modifiedAt": iso(sent),
            "scheduledAt": iso(sent),
            "sentDate": iso(sent),
            "sender": {"name": brand, "email": f"news@{brand}.example", "id": 1},
        }
        if html:
            hrefs = "".join(f'<p><a href="{u}">{u}</a></p>' for u in stats.links(cur, brand, c[0]))
            out["htmlContent"] = f"<html><body>{hrefs}</body></html>"
        empty: dict[str, Any] = {"globalStats": {}, "campaignStats": [], "linksStats": {},
                                 "statsByDomain": {}, "mirrorClick": 0, "remaining": 0}  # fmt: skip
        if wanted in (None, "globalStats"):
            empty["globalStats"] = stats.global_stats(cur, brand, c[0], now, whole)
        if wanted in (None, "linksStats"):
            empty["linksStats"] = stats.links_stats(cur, brand, c[0], now, whole)
        out["statistics"] = empty
        return out


def _int(q: Any, name: str, default: int) -> int:
    try:
        return int(q.get(name, default))
    except ValueError:
        raise BrevoError(400, "invalid_parameter", f"{name} must be an integer") from None


def _sent_window(q: Any) -> tuple[datetime, datetime] | None:
    """``startDate`` / ``endDate``: both or neither, UTC ``YYYY-MM-DDTHH:mm:ss.SSSZ``."""
    start, end = q.get("startDate"), q.get("endDate")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise BrevoError(400, "invalid_parameter", "startDate and endDate are both mandatory")
    try:
        first = datetime.fromisoformat(start.replace("Z", "+00:00")).replace(tzinfo=None)
        last = datetime.fromisoformat(end.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        why = "dates must be YYYY-MM-DDTHH:mm:ss.SSSZ"
        raise BrevoError(400, "invalid_parameter", why) from None
    if first > last:
        raise BrevoError(400, "invalid_parameter", "startDate must be before endDate")
    return first, last
