"""The emulated YouTube Data API v3 and YouTube Analytics API v2, mounted under ``/youtube``.

Real paths: ``/youtube/v3/{channels,playlistItems,videos,commentThreads,comments}`` (host
www.googleapis.com) and ``/v2/reports`` (host youtubeanalytics.googleapis.com). Every page is one
query on the world store, but the first pages of comments, which clients ask per video and per
thread, come from an in-memory index of the (read-only) comments in the same order; page tokens
are opaque base64 of the last row's sort key, so they stay valid when the clock moves. Data API
calls spend 1 quota unit each from a daily budget.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.http import b64_json, b64_json_load
from sandbox.tokens import VALID
from sandbox.vendors.google import google_token_book, token_route
from sandbox.world.index import Lazy
from sandbox.world.store import now_of

from . import queries as q
from . import resources as r
from .comment_index import CommentIndex
from .errors import YouTubeErrors, auth_error, google_error, quota_exceeded
from .reports import ApiError, VideoReports, bad, report

TOKENS_ENV, KEYS_ENV, QUOTA_ENV = (
    "SANDBOX_YOUTUBE_TOKENS",
    "SANDBOX_YOUTUBE_API_KEYS",
    "SANDBOX_YOUTUBE_QUOTA",
)
DEFAULT_TOKEN, DEFAULT_KEY, DAILY_QUOTA = "sandbox-youtube-token", "sandbox-youtube-key", 10_000
OAUTH_SCOPES = ("youtube.readonly", "yt-analytics.readonly")
PARTS = {
    "channels": {"id", "snippet", "contentDetails", "statistics", "status", "brandingSettings"},
    "playlistItems": {"id", "snippet", "contentDetails", "status"},
    "videos": {
        "id",
        "snippet",
        "contentDetails",
        "statistics",
        "status",
        "paidProductPlacementDetails",
    },
    "commentThreads": {"id", "snippet", "replies"},
    "comments": {"id", "snippet"},
}


BEFORE = (
    " AND (published_at < CAST($ts AS TIMESTAMP)"
    " OR (published_at = CAST($ts AS TIMESTAMP) AND {col} < $last))"
)
AFTER = BEFORE.replace("<", ">")
VIDEO_LINK = '<code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code>'


def no_filter(expected: str) -> ApiError:
    return bad(
        f"No filter selected. Expected one of: {expected}",
        "missingRequiredParameter",
        "filter",
        "youtube.parameter",
    )


def encode_token(key: list[Any]) -> str:
    return b64_json(key)


def decode_token(raw: str) -> list[Any]:
    try:
        key = b64_json_load(raw)
        assert isinstance(key, list) and len(key) == 2
        return key
    except Exception:  # noqa: BLE001 - any undecodable token is the API's invalidPageToken
        raise bad(
            "The request specifies an invalid page token.",
            "invalidPageToken",
            "pageToken",
            "youtube.parameter",
        ) from None


class YouTubeApi:
    """Routes and state (read-only world, clock, daily quota) of the emulation."""

    def __init__(self, con: Any, clock: Any) -> None:
        self.con, self.clock = con, clock
        self.errors = YouTubeErrors()
        self.tokens = set(os.environ.get(TOKENS_ENV, DEFAULT_TOKEN).split(","))
        self.token_book = google_token_book("youtube", self.tokens)  # the 1-hour OAuth tokens
        self.keys = set(os.environ.get(KEYS_ENV, DEFAULT_KEY).split(","))
        self.quota = int(os.environ.get(QUOTA_ENV, DAILY_QUOTA))
        self._used: dict[date, int] = {}
        self._lock = threading.Lock()
        self.reports = VideoReports()
        self.comments_index = Lazy(lambda: CommentIndex(self.con))

    def routes(self) -> list[Route]:
        data = {
            "channels": self.channels,
            "playlistItems": self.playlist_items,
            "videos": self.videos,
            "commentThreads": self.comment_threads,
            "comments": self.comments,
        }
        out = [Route(f"/youtube/v3/{name}", self._data(name, fn)) for name, fn in data.items()]
        analytics = self._wrap(
            lambda cur, params, today: report(cur, params, today, self.reports), analytics=True
        )
        # Both APIs take the tokens of Google's one OAuth server (here: /youtube/token).
        scope = " ".join(f"https://www.googleapis.com/auth/{s}" for s in OAUTH_SCOPES)
        return [*out, Route("/v2/reports", analytics), token_route(self.token_book, scope)]

    # --- plumbing -----------------------------------------------------------------------------

    def _auth(self, request: Request, analytics: bool) -> None:
        header = request.headers.get("authorization", "")
        key = request.query_params.get("key")
        if header.lower().startswith("bearer "):
            # An expired token and an unknown one get the same 401 authError "Invalid
            # Credentials" (developers.google.com/youtube/v3/docs/errors#authError).
            if self.token_book.status(header[7:].strip()) != VALID:
                raise ApiError(401, auth_error())
        elif key and not analytics:
            if key not in self.keys:
                raise ApiError(
                    400,
                    google_error(
                        400, "API key not valid. Please pass a valid API key.", "badRequest"
                    ),
                )
        elif analytics:
            raise ApiError(
                401,
                google_error(
                    401,
                    "Request is missing required authentication credential. Expected OAuth 2 "
                    "access token, login cookie or other valid authentication credential.",
                    "required",
                    location="Authorization",
                    location_type="header",
                    detail="Login Required.",
                ),
            )
        else:
            raise ApiError(
                403, google_error(403, "The request is missing a valid API key.", "forbidden")
            )

    def _spend(self) -> None:
        """One unit per Data API list call; past the daily quota every call is refused."""
        with self._lock:
            today = self.clock.today
            used = self._used.get(today, 0)
            if used >= self.quota:
                raise ApiError(403, quota_exceeded())
            self._used[today] = used + 1

    def _wrap(self, fn: Any, analytics: bool = False) -> Any:
        def endpoint(request: Request) -> JSONResponse:
            cur = self.con.cursor()
            try:
                self._auth(request, analytics)
                if not analytics:
                    self._spend()
                return JSONResponse(fn(cur, request.query_params, self.clock.today))
            except ApiError as exc:
                return JSONResponse(exc.body, status_code=exc.status)
            finally:
                cur.close()

        return endpoint

    def _data(self, name: str, fn: Any) -> Any:
        def checked(cur: Any, params: Any, today: date) -> dict[str, Any]:
            raw = params.get("part")
            if not raw:
                raise bad("Required parameter: part", "required", "part")
            parts = {p.strip() for p in raw.split(",") if p.strip()}
            unknown = sorted(parts - PARTS[name])
            if unknown:
                raise ApiError(
                    400,
                    google_error(
                        400, f"'{unknown[0]}'", "unknownPart", "youtube.part", location="part"
                    ),
                )
            return fn(cur, params, today, parts)

        return self._wrap(checked)

    @staticmethod
    def _max_results(params: Any, default: int, top: int) -> int:
        raw = params.get("maxResults", str(default))
        if not raw.isdigit() or not 0 <= int(raw) <= top:
            raise bad(
                f"Invalid value '{raw}'. Values must be within the range: [0, {top}]",
                "invalidParameter",
                "maxResults",
            )
        return int(raw) or default

    @staticmethod
    def _list(
        kind: str, items: list[dict], per_page: int, next_key: list | None, total: int
    ) -> dict:
        body: dict[str, Any] = {
            "kind": f"youtube#{kind}ListResponse",
            "etag": r.etag(kind, total, next_key),
        }
        if next_key is not None:
            body["nextPageToken"] = encode_token(next_key)
        body["pageInfo"] = {"totalResults": total, "resultsPerPage": per_page}
        body["items"] = items
        return body

    # --- Data API -----------------------------------------------------------------------------

    def channels(self, cur: Any, params: Any, today: date, parts: set[str]) -> dict:
        if params.get("mine") == "true":  # the sandbox token's default channel
            ids = [cur.execute("SELECT min(channel_id) FROM yt_channels").fetchone()[0]]
        elif params.get("id"):
            ids = [i for i in params["id"].split(",") if i][:50]
        else:
            raise no_filter("forHandle, id, mine, categoryId, forUsername, managedByMe")
        found = q.channels(cur, ids, today)
        return self._list("channel", [r.channel(c, parts) for c in found], 5, None, len(found))

    def playlist_items(self, cur: Any, params: Any, today: date, parts: set[str]) -> dict:
        playlist = params.get("playlistId")
        if not playlist:
            raise no_filter("id, playlistId")
        size = self._max_results(params, 5, 50)
        sql = "SELECT channel_id, title FROM yt_channels WHERE uploads_playlist_id = ?"
        ch = q.rows(cur, sql, [playlist])
        if not ch:
            msg = "The playlist identified with the request's <code>playlistId</code> parameter "
            raise ApiError(
                404,
                google_error(
                    404,
                    msg + "cannot be found.",
                    "playlistNotFound",
                    "youtube.playlistItem",
                    location="playlistId",
                ),
            )
        args: dict[str, Any] = {"c": ch[0]["channel_id"], "now": now_of(today)}
        base = "FROM yt_videos v WHERE channel_id = $c AND published_at <= $now"
        total = cur.execute(f"SELECT count(*) {base}", args).fetchone()[0]
        cond = self._after(params, args, BEFORE.format(col="video_id"))
        found = q.rows(
            cur,
            f"""SELECT *, (SELECT count(*) FROM yt_videos w WHERE w.channel_id = $c
                  AND w.published_at <= $now AND (w.published_at > v.published_at OR
                  (w.published_at = v.published_at AND w.video_id > v.video_id))) AS position
                {base} {cond} ORDER BY published_at DESC, video_id DESC LIMIT {size + 1}""",
            args,
        )
        items, key = self._page(found, size, "video_id")
        out = [r.playlist_item(v, playlist, ch[0]["title"], parts) for v in items]
        return self._list("playlistItem", out, size, key, total)

    def videos(self, cur: Any, params: Any, today: date, parts: set[str]) -> dict:
        ids = [i for i in params.get("id", "").split(",") if i]
        if not ids:
            raise no_filter("chart, id, myRating")
        if len(ids) > 50:
            raise bad(
                "The request specifies an invalid filter parameter.",
                "invalidFilters",
                "id",
                "youtube.parameter",
            )
        found = q.videos(cur, ids, today)
        titles = dict(cur.execute("SELECT channel_id, title FROM yt_channels").fetchall())
        items = [r.video(v, titles[v["channel_id"]], parts) for v in found]
        return self._list("video", items, len(ids), None, len(items))

    def _video_threads(self, cur: Any, video_id: str, now: Any) -> None:
        """404 for an unknown (or future) video, 403 commentsDisabled where comments are off."""
        sql = "SELECT comments_disabled FROM yt_videos WHERE video_id = ? AND published_at <= ?"
        found = cur.execute(sql, [video_id, now]).fetchall()
        if not found or found[0][0]:
            code, what, reason = (
                (404, "could not be found", "videoNotFound")
                if not found
                else (403, "has disabled comments", "commentsDisabled")
            )
            message = f"The video identified by the {VIDEO_LINK} parameter {what}."
            raise ApiError(
                code,
                google_error(code, message, reason, "youtube.commentThread", location="videoId"),
            )

    def comment_threads(self, cur: Any, params: Any, today: date, parts: set[str]) -> dict:
        size = self._max_results(params, 20, 100)
        plain = params.get("textFormat") == "plainText"
        now = now_of(today)
        if params.get("videoId"):
            self._video_threads(cur, params["videoId"], now)
            column, value = "video_id", params["videoId"]
        elif params.get("allThreadsRelatedToChannelId"):
            column, value = "channel_id", params["allThreadsRelatedToChannelId"]
        else:
            raise no_filter("allThreadsRelatedToChannelId, id, videoId")
        if params.get("pageToken"):
            tops, key, total, replies = self._threads_sql(cur, params, column, value, size, now)
        else:  # a first page: from the comment index, no query
            index = self.comments_index.get()
            found = index.tops[column].visible(value, now)
            total = len(found)
            tops, key = self._page(found[::-1][: size + 1], size)
            replies = {t["comment_id"]: index.replies.visible(t["comment_id"], now) for t in tops}
        items = []
        for t in tops:
            mine = replies.get(t["comment_id"], [])
            items.append(r.thread(t, mine, len(mine), parts, plain))
        return self._list("commentThread", items, size, key, total)

    def _threads_sql(
        self, cur: Any, params: Any, column: str, value: str, size: int, now: Any
    ) -> tuple[list[dict], Any, int, dict[str, list[dict]]]:
        """(threads, next key, total, replies per thread) of a page after ``pageToken``."""
        args = {"x": value, "now": now}
        base = (
            f"FROM yt_comments WHERE {column} = $x AND parent_id IS NULL AND published_at <= $now"
        )
        total = cur.execute(f"SELECT count(*) {base}", args).fetchone()[0]
        cond = self._after(params, args, BEFORE.format(col="comment_id"))
        order = f"ORDER BY published_at DESC, comment_id DESC LIMIT {size + 1}"
        tops, key = self._page(q.rows(cur, f"SELECT * {base} {cond} {order}", args), size)
        replies: dict[str, list[dict]] = {}
        if tops:
            sql = (
                "SELECT * FROM yt_comments WHERE list_contains($t, thread_id) "
                "AND parent_id IS NOT NULL AND published_at <= $now "
                "ORDER BY published_at, comment_id"
            )
            for c in q.rows(cur, sql, {"t": [t["comment_id"] for t in tops], "now": now}):
                replies.setdefault(c["thread_id"], []).append(c)
        return tops, key, total, replies

    def comments(self, cur: Any, params: Any, today: date, parts: set[str]) -> dict:
        if not params.get("parentId"):
            raise no_filter("id, parentId")
        size = self._max_results(params, 20, 100)
        now = now_of(today)
        if params.get("pageToken"):
            args: dict[str, Any] = {"p": params["parentId"], "now": now}
            cond = self._after(params, args, AFTER.format(col="comment_id"))
            sql = (
                f"SELECT * FROM yt_comments WHERE parent_id = $p AND published_at <= $now {cond} "
                f"ORDER BY published_at, comment_id LIMIT {size + 1}"
            )
            found = q.rows(cur, sql, args)
        else:  # a first page: from the comment index, no query
            found = self.comments_index.get().parents.visible(params["parentId"], now)
        found, key = self._page(found[: size + 1], size)
        items = [r.comment(c, params.get("textFormat") == "plainText") for c in found]
        body = self._list("comment", items, size, key, len(items))
        body.pop("pageInfo")  # comments.list answers without pageInfo
        return body

    @staticmethod
    def _after(params: Any, args: dict[str, Any], cond: str) -> str:
        """The keyset condition of ``pageToken`` (empty on the first page)."""
        if not params.get("pageToken"):
            return ""
        args["ts"], args["last"] = decode_token(params["pageToken"])
        return cond

    @staticmethod
    def _page(found: list[dict], size: int, id_col: str = "comment_id") -> tuple[list, Any]:
        """The page's rows and the sort key of its last row when there is a next page."""
        if len(found) <= size:
            return found, None
        last = found[size - 1]
        return found[:size], [last["published_at"].isoformat(), last[id_col]]
