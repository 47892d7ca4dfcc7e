"""The emulated TikTok Display API v2 (``open.tiktokapis.com``), served under ``/tiktok``.

Real paths (``/v2/user/info/``, ``POST /v2/video/list/``, ``POST /v2/video/query/``), Bearer
tokens bound to one user, the ``{"data":…,"error":{"code","message","log_id"}}`` envelope on
every answer, epoch-ms cursor paging; every page is a keyset query on the world store.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import bearer_token
from sandbox.tokens import EXPIRED, VALID
from sandbox.vendors.tiktok import limits, oauth, world
from sandbox.world.store import now_of, rows

TOKEN_PREFIX = oauth.TOKEN_PREFIX
BASIC_SUFFIX = oauth.BASIC_SUFFIX
MAX_COUNT = 20
SCOPES = {
    "user.info.basic": {"open_id", "union_id", "avatar_url", "avatar_url_100", "display_name"},
    "user.info.profile": {"bio_description", "profile_deep_link", "is_verified", "username"},
    "user.info.stats": {"follower_count", "following_count", "likes_count", "video_count"},
}
VIDEO_FIELDS = {
    "id",
    "title",
    "video_description",
    "create_time",
    "cover_image_url",
    "share_url",
    "embed_link",
    "embed_html",
    "duration",
    "height",
    "width",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
}
MESSAGES = {
    "access_token_invalid": "The access token is invalid or not found in the request.",
    "scope_not_authorized": "The user did not authorize the scope required for completing "
    "this request.",
    "rate_limit_exceeded": "API rate limit exceeded, please retry later.",
    "internal_error": "Something went wrong. Please try again later.",
}


class TikTokError(Exception):
    """An error answer: HTTP status, TikTok error code and message."""

    def __init__(self, status: int, code: str, message: str | None = None) -> None:
        super().__init__(message or MESSAGES.get(code, code))
        self.status, self.code, self.message = status, code, message or MESSAGES.get(code, code)


class TikTokErrors(PathErrors):
    """TikTok's dialect for the fault middleware (429 ``rate_limit_exceeded`` etc.)."""

    name = "tiktok"

    def __init__(self, api: TikTokApi) -> None:
        self.api = api

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        return self._render(TikTokError(429, "rate_limit_exceeded"), cfg.retry_after())

    def server_error(self, n: int, path: str) -> ErrorResponse:
        return self._render(TikTokError(500, "internal_error"), {})

    def token_expired(self, path: str) -> ErrorResponse:
        err = TikTokError(401, "access_token_invalid", "The access token has expired.")
        return self._render(err, {})

    def _render(self, err: TikTokError, headers: dict[str, str]) -> ErrorResponse:
        log_id = self.api.log_id()
        return err.status, envelope({}, err, log_id), {**headers, "x-tt-logid": log_id}


def envelope(data: Any, err: TikTokError | None, log_id: str) -> dict[str, Any]:
    """Every TikTok answer: ``data`` plus ``error`` (code ``ok`` on success)."""
    error = {"code": err.code if err else "ok", "message": err.message if err else ""}
    return {"data": data, "error": {**error, "log_id": log_id}}


def epoch_s(when: datetime) -> int:
    return int(when.replace(tzinfo=UTC).timestamp())


class TikTokApi:
    """Routes of the Display API emulation over the read-only world connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Any) -> None:
        self.con, self.clock = con, clock
        self.errors = TikTokErrors(self)
        self.windows = limits.SlidingWindows()  # 600 a minute per endpoint (limits.py)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        found = con.cursor().execute("SELECT open_id FROM tiktok_accounts ORDER BY 1").fetchall()
        self.token_book = oauth.TikTokTokenBook.for_accounts([r[0] for r in found])

    def routes(self) -> list[Route]:
        return [
            Route("/v2/user/info/", self.user_info, methods=["GET"]),
            Route("/v2/video/list/", self.video_list, methods=["POST"]),
            Route("/v2/video/query/", self.video_query, methods=["POST"]),
            Route("/v2/oauth/token/", self.oauth_token, methods=["POST"]),
        ]

    def log_id(self) -> str:
        with self._lock:
            n = next(self._seq)
        digest = hashlib.sha1(f"{self.clock.today}:{n}".encode()).hexdigest()[:18].upper()
        return f"{now_of(self.clock.today):%Y%m%d%H%M%S}{digest}"

    def _admit(self, endpoint: str) -> None:
        """429 ``rate_limit_exceeded`` once the endpoint's sliding window is full (limits.py)."""
        if not self.windows.admit(endpoint):
            raise TikTokError(429, "rate_limit_exceeded")

    def _answer(self, data: Any, err: TikTokError | None = None) -> JSONResponse:
        log_id = self.log_id()
        status = err.status if err else 200
        return JSONResponse(envelope(data, err, log_id), status, headers={"x-tt-logid": log_id})

    def _auth(self, request: Request, cur: duckdb.DuckDBPyConnection) -> tuple[dict, set[str]]:
        """The token's user and scopes; ``access_token_invalid`` for anything else."""
        token = bearer_token(request)
        state = self.token_book.status(token)
        if token.startswith("expired") or state == EXPIRED:
            raise TikTokError(401, "access_token_invalid", "The access token has expired.")
        if state != VALID:
            raise TikTokError(401, "access_token_invalid")
        open_id = self.token_book.owner(token) or token[len(TOKEN_PREFIX) :]
        scopes = {*SCOPES, "video.list"}
        if open_id.endswith(BASIC_SUFFIX):
            open_id, scopes = open_id[: -len(BASIC_SUFFIX)], {"user.info.basic"}
        found = rows(cur, "SELECT * FROM tiktok_accounts WHERE open_id = ?", [open_id])
        if not found:
            raise TikTokError(401, "access_token_invalid")
        return found[0], scopes

    def _video_caller(self, request: Request, cur: duckdb.DuckDBPyConnection) -> tuple[dict, list]:
        """The caller's account and asked video fields: the video endpoints need ``video.list``."""
        acc, scopes = self._auth(request, cur)
        if "video.list" not in scopes:
            raise TikTokError(401, "scope_not_authorized")
        return acc, self._fields(request, VIDEO_FIELDS)

    @staticmethod
    def _fields(request: Request, known: set[str]) -> list[str]:
        raw = request.query_params.get("fields", "")
        fields = [f.strip() for f in raw.split(",") if f.strip()]
        if not fields:
            raise TikTokError(400, "invalid_params", "fields is required")
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise TikTokError(400, "invalid_params", f"Invalid fields: {','.join(unknown)}")
        return fields

    @staticmethod
    async def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads((await request.body()) or b"{}")
        except ValueError:
            raise TikTokError(400, "invalid_params", "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise TikTokError(400, "invalid_params", "request body must be a JSON object")
        return body

    async def user_info(self, request: Request) -> JSONResponse:
        cur = self.con.cursor()
        try:
            self._admit("/v2/user/info/")
            acc, scopes = self._auth(request, cur)
            fields = self._fields(request, set().union(*SCOPES.values()))
            granted = set().union(*(SCOPES.get(s, set()) for s in scopes))
            if any(f not in granted for f in fields):
                raise TikTokError(401, "scope_not_authorized")
            stats = world.user_stats(cur, acc, self.clock.today)
            values = {
                **acc,
                **stats,
                "avatar_url": f"https://p16.tiktokcdn.example/avatar/{acc['open_id']}.jpeg",
                "avatar_url_100": f"https://p16.tiktokcdn.example/avatar/{acc['open_id']}_100",
                "bio_description": f"{acc['display_name']} officiel",
                "profile_deep_link": f"https://www.tiktok.com/@{acc['username']}",
                "is_verified": False,
            }
            return self._answer({"user": {f: values[f] for f in fields}})
        except TikTokError as err:
            return self._answer({}, err)
        finally:
            cur.close()

    def _video(self, video: dict[str, Any], username: str, fields: list[str]) -> dict[str, Any]:
        vid = video["video_id"]
        values = {
            **video,
            **world.counts_of(video, self.clock.now),
            "id": vid,
            "create_time": epoch_s(video["create_time"]),
            "cover_image_url": f"https://p16-sign.tiktokcdn.example/obj/{vid}~tplv-cover.jpeg",
            "share_url": f"https://www.tiktok.com/@{username}/video/{vid}",
            "embed_link": f"https://www.tiktok.com/player/v1/{vid}",
            "embed_html": f'<blockquote class="tiktok-embed" data-video-id="{vid}"></blockquote>',
        }
        return {f: values[f] for f in fields}

    async def video_list(self, request: Request) -> JSONResponse:
        """Newest first; ``cursor`` (epoch ms) returns videos created strictly before it."""
        cur = self.con.cursor()
        try:
            self._admit("/v2/video/list/")
            acc, fields = self._video_caller(request, cur)
            body = await self._body(request)
            count, cursor = body.get("max_count", 10), body.get("cursor")
            if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_COUNT:
                raise TikTokError(400, "invalid_params", f"max_count must be 1..{MAX_COUNT}")
            if cursor is not None and (
                isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0
            ):
                raise TikTokError(400, "invalid_params", "cursor must be a unix time in ms")
            served, now = limits.page_cap(count), self.clock.now
            until = now if cursor is None else min(now, _from_ms(cursor))
            op = "<=" if cursor is None or until == now else "<"
            page = rows(
                cur,
                f"SELECT * FROM tiktok_videos WHERE open_id = ? AND create_time {op} ? "
                "ORDER BY create_time DESC LIMIT ?",
                [acc["open_id"], until, served + 1],
            )
            more = len(page) > served  # a capped page keeps has_more true
            page = page[:served]
            next_cursor = epoch_s(page[-1]["create_time"]) * 1000 if page else cursor or 0
            videos = [self._video(v, acc["username"], fields) for v in page]
            return self._answer({"videos": videos, "cursor": next_cursor, "has_more": more})
        except TikTokError as err:
            return self._answer({}, err)
        finally:
            cur.close()

    async def video_query(self, request: Request) -> JSONResponse:
        """The token owner's visible videos among ``filters.video_ids`` (at most 20)."""
        cur = self.con.cursor()
        try:
            self._admit("/v2/video/query/")
            acc, fields = self._video_caller(request, cur)
            filters = (await self._body(request)).get("filters")
            ids = filters.get("video_ids") if isinstance(filters, dict) else None
            if (
                not isinstance(ids, list)
                or not 0 < len(ids) <= MAX_COUNT
                or not all(isinstance(i, str) for i in ids)
            ):
                raise TikTokError(
                    400, "invalid_params", f"filters.video_ids must list 1..{MAX_COUNT} ids"
                )
            found = rows(
                cur,
                "SELECT * FROM tiktok_videos WHERE open_id = ? AND create_time <= ? "
                "AND list_contains(?, video_id) ORDER BY create_time DESC",
                [acc["open_id"], self.clock.now, ids],
            )
            videos = [self._video(v, acc["username"], fields) for v in found]
            return self._answer({"videos": videos, "cursor": 0, "has_more": False})
        except TikTokError as err:
            return self._answer({}, err)
        finally:
            cur.close()

    async def oauth_token(self, request: Request) -> JSONResponse:
        """``POST /v2/oauth/token/``, the refresh grant (oauth.py has the references)."""
        log_id = self.log_id()
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            status, body = oauth.bad_form("Content-Type must be form-urlencoded", log_id)
        else:
            form = dict(parse_qsl((await request.body()).decode()))
            status, body = oauth.answer(self.token_book.refresh(form), log_id)
        return JSONResponse(body, status, headers={"x-tt-logid": log_id})


def _from_ms(ms: int) -> datetime:
    """Epoch milliseconds as a naive UTC datetime (the store's convention)."""
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
