"""The emulated X API v2, served under ``/x``: users, timelines, mentions, recent search.

Every page is one query on the world store. Auth is an app Bearer token; errors are X's
problem JSON; every answer carries the ``x-rate-limit-*`` headers (reset in real wall time,
a few seconds ahead, so clients honouring it sleep little).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.world.store import rows

from . import truth
from .render import (
    PROBLEMS,
    BadRequest,
    decode_token,
    encode_token,
    invalid,
    iso,
    problem,
)
from .render import (
    gone as _gone,
)
from .render import (
    tweet as _tweet,
)
from .render import (
    user_missing as _user_missing,
)

TWEET_FIELDS = frozenset(
    [
        "attachments",
        "author_id",
        "card_uri",
        "context_annotations",
        "conversation_id",
        "created_at",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
USER_FIELDS = frozenset(
    [
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_image_url",
        "protected",
        "public_metrics",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ]
)
EXPANSIONS = frozenset(
    [
        "attachments.media_keys",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    ]
)
LIST_PARAMS = {
    "max_results",
    "tweet.fields",
    "expansions",
    "user.fields",
    "media.fields",
    "place.fields",
    "poll.fields",
    "since_id",
    "until_id",
    "start_time",
    "end_time",
}
LIMITS = {"users": 300, "tweets": 900, "mentions": 450, "search": 450}  # per 15-minute window
QUERY_TERM = re.compile(r"^conversation_id:(\d{1,19})$")


class XErrors:
    """X's dialect for the fault middleware."""

    name = "x"

    def __init__(self, api: XApi) -> None:
        self.api = api

    def matches(self, path: str) -> bool:
        return path.startswith("/x/")

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        status, body = problem(429, "Too Many Requests", "Too Many Requests")
        return status, body, self.api.rate_headers(_bucket(path), exhausted=True)

    def server_error(self, n: int, path: str) -> ErrorResponse:
        status, title = [(503, "Service Unavailable"), (500, "Internal Server Error")][n % 2]
        return (*problem(status, title, title), self.api.rate_headers(_bucket(path)))

    def token_expired(self, path: str) -> ErrorResponse:
        return (*problem(401, "Unauthorized", "Unauthorized"), {})


def _bucket(path: str) -> str:
    if path.endswith("/tweets"):
        return "tweets"
    if path.endswith("/mentions"):
        return "mentions"
    return "search" if "/search/" in path else "users"


class XApi:
    """Routes and rate-limit windows of the emulated X API."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Any) -> None:
        self.con, self.clock = con, clock
        self.tokens = set(os.environ.get("SANDBOX_X_TOKENS", "sandbox-x-token").split(","))
        self.reset_s = float(os.environ.get("SANDBOX_X_RATE_RESET_S", "2"))
        self.errors = XErrors(self)
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def routes(self) -> list[Route]:
        return [
            Route("/2/users/{user_id}", self.user),
            Route("/2/users/{user_id}/tweets", self.timeline),
            Route("/2/users/{user_id}/mentions", self.mentions),
            Route("/2/tweets/search/recent", self.search),
            Route("/{rest:path}", self.not_found),
        ]

    # --- plumbing ------------------------------------------------------------------------------

    def rate_headers(self, bucket: str, exhausted: bool = False, use: bool = False) -> dict:
        with self._lock:
            now = time.time()
            end, used = self._windows.get(bucket, (0.0, 0))
            if now >= end:
                end, used = now + self.reset_s, 0
            used += 1 if use else 0
            self._windows[bucket] = (end, used)
            left = 0 if exhausted else max(0, LIMITS[bucket] - used)
        return {
            "x-rate-limit-limit": str(LIMITS[bucket]),
            "x-rate-limit-remaining": str(left),
            "x-rate-limit-reset": str(int(math.ceil(end)) if self.reset_s else int(now)),
        }

    def answer(self, request: Request, handler: Any, *args: Any) -> JSONResponse:
        bucket = _bucket(request.url.path)
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if token not in self.tokens:
            status, body = problem(401, "Unauthorized", "Unauthorized")
            return JSONResponse(body, status, self.rate_headers(bucket, use=True))
        headers = self.rate_headers(bucket, use=True)
        if headers["x-rate-limit-remaining"] == "0":
            status, body = problem(429, "Too Many Requests", "Too Many Requests")
            return JSONResponse(body, status, headers)
        cur = self.con.cursor()
        try:
            status, body = 200, handler(cur, request.query_params, *args)
        except BadRequest as exc:
            status, body = exc.answer
        finally:
            cur.close()
        return JSONResponse(body, status, headers)

    def not_found(self, request: Request) -> JSONResponse:
        if request.url.path.startswith("/x/1.1/"):
            body = {
                "errors": [
                    {
                        "message": "You currently have access to a subset of X API V2 "
                        "endpoints and limited v1.1 endpoints only.",
                        "code": 453,
                    }
                ]
            }
            return JSONResponse(body, 403)
        return JSONResponse(
            {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}, 404
        )

    # --- routes --------------------------------------------------------------------------------

    def user(self, request: Request) -> JSONResponse:
        return self.answer(request, self._user, request.path_params["user_id"])

    def timeline(self, request: Request) -> JSONResponse:
        return self.answer(request, self._list, request.path_params["user_id"], "tweets")

    def mentions(self, request: Request) -> JSONResponse:
        return self.answer(request, self._list, request.path_params["user_id"], "mentions")

    def search(self, request: Request) -> JSONResponse:
        return self.answer(request, self._search)

    def _user(self, cur: Any, q: Any, user_id: str) -> dict[str, Any]:
        _check_params(q, {"user.fields", "expansions", "tweet.fields"})
        fields = _fields(q, "user.fields", USER_FIELDS)
        view = truth.account_view(cur, user_id, self.clock.today)
        if view is None:
            return _user_missing(user_id)
        data: dict[str, Any] = {"id": user_id, "name": view["name"], "username": view["username"]}
        if "created_at" in fields:
            data["created_at"] = iso(view["created_at"])
        if "public_metrics" in fields:
            data["public_metrics"] = {
                "followers_count": view["followers_count"],
                "following_count": view["following_count"],
                "tweet_count": view["tweet_count"],
                "listed_count": view["listed_count"],
            }
        if "protected" in fields:
            data["protected"] = False
        return {"data": data}

    def _list(self, cur: Any, q: Any, user_id: str, kind: str) -> dict[str, Any]:
        extra = {"pagination_token"} | ({"exclude"} if kind == "tweets" else set())
        _check_params(q, LIST_PARAMS | extra)
        if not cur.execute("SELECT 1 FROM x_accounts WHERE user_id = ?", [user_id]).fetchone():
            return _user_missing(user_id)
        if kind == "tweets":
            where, params = "author_id = ?", [user_id]
        else:
            where, params = "account_id = ? AND author_id <> ? AND mentions_brand", [user_id] * 2
        token = q.get("pagination_token")
        return self._page(cur, q, where, params, token, (5, 100))

    def _search(self, cur: Any, q: Any) -> dict[str, Any]:
        _check_params(q, LIST_PARAMS | {"query", "next_token", "sort_order"})
        query = (q.get("query") or "").strip()
        if not query:
            raise BadRequest(invalid("query", "", "The `query` query parameter can not be empty"))
        terms = [t.strip() for t in query.strip("() ").split(" OR ")]
        matched = [QUERY_TERM.match(t) for t in terms]
        if len(query) > 512 or not all(matched):
            raise BadRequest(
                invalid(
                    "query",
                    query,
                    "There were errors processing your request: this "
                    "sandbox supports `conversation_id:<id>` terms joined by OR (max 512)",
                )
            )
        ids = [m.group(1) for m in matched if m]
        floor = truth.recent_floor(self.clock.now)
        if q.get("start_time") and _ts(q, "start_time") < floor:
            raise BadRequest(
                invalid(
                    "start_time",
                    q["start_time"],
                    f"Invalid 'start_time':'{q['start_time']}'"
                    f". 'start_time' must be on or after {iso(floor)}",
                )
            )
        where = f"conversation_id IN ({','.join('?' * len(ids))}) AND created_at >= ?"
        return self._page(cur, q, where, [*ids, floor], q.get("next_token"), (10, 100))

    def _page(
        self, cur: Any, q: Any, where: str, params: list, token: str | None, bounds: tuple[int, int]
    ) -> dict[str, Any]:
        size = _int(q, "max_results", 10)
        if not bounds[0] <= size <= bounds[1]:
            raise BadRequest(
                invalid(
                    "max_results",
                    size,
                    f"The `max_results` query parameter "
                    f"value [{size}] is not between {bounds[0]} and {bounds[1]}",
                )
            )
        fields = _fields(q, "tweet.fields", TWEET_FIELDS)
        expansions = _fields(q, "expansions", EXPANSIONS)
        now = self.clock.now
        sql = f"SELECT * FROM x_tweets WHERE {where} AND {truth.VISIBLE}"
        args = [*params, now, now]
        for name, op in (("since_id", ">"), ("until_id", "<")):
            if q.get(name):
                sql += f" AND id_num {op} ?"
                args.append(_int(q, name, 0))
        if q.get("start_time"):
            sql, args = sql + " AND created_at >= ?", [*args, _ts(q, "start_time")]
        if q.get("end_time"):
            sql, args = sql + " AND created_at < ?", [*args, _ts(q, "end_time")]
        if q.get("exclude") and "replies" in q["exclude"]:
            sql += " AND replied_to_id IS NULL"
        if token:
            sql, args = sql + " AND id_num < ?", [*args, decode_token(token)]
        found = rows(cur, sql + " ORDER BY id_num DESC LIMIT ?", [*args, size + 1])
        page = found[:size]
        if not page:
            return {"meta": {"result_count": 0}}
        counts = truth.reply_counts(cur, [t["tweet_id"] for t in page], now)
        body: dict[str, Any] = {"data": [_tweet(t, fields, now, counts) for t in page]}
        if "referenced_tweets.id" in expansions:
            self._expand(cur, page, body, fields, now)
        body["meta"] = {
            "result_count": len(page),
            "newest_id": page[0]["tweet_id"],
            "oldest_id": page[-1]["tweet_id"],
        }
        if len(found) > size:
            body["meta"]["next_token"] = encode_token(page[-1]["id_num"])
        return body

    def _expand(self, cur: Any, page: list, body: dict, fields: set, now: datetime) -> None:
        """``includes.tweets`` for referenced tweets; deleted ones reported in ``errors``."""
        wanted = sorted({t["replied_to_id"] for t in page if t["replied_to_id"]})
        if not wanted:
            return
        marks = ",".join("?" * len(wanted))
        refs = rows(cur, f"SELECT * FROM x_tweets WHERE tweet_id IN ({marks})", wanted)
        seen = {r["tweet_id"]: r for r in refs}
        alive = [r for r in refs if r["created_at"] <= now and not _gone(r, now)]
        if alive:
            counts = truth.reply_counts(cur, [r["tweet_id"] for r in alive], now)
            body["includes"] = {"tweets": [_tweet(r, fields, now, counts) for r in alive]}
        errors = [
            {
                "value": tid,
                "detail": f"Could not find tweet with referenced_tweets.id: [{tid}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": tid,
                "type": f"{PROBLEMS}/resource-not-found",
            }
            for tid in wanted
            if tid not in seen or _gone(seen[tid], now)
        ]
        if errors:
            body["errors"] = errors


def _check_params(q: Any, allowed: set[str]) -> None:
    for name in q:
        if name not in allowed:
            raise BadRequest(
                invalid(
                    name,
                    q[name],
                    f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]",
                )
            )


def _fields(q: Any, name: str, allowed: frozenset[str]) -> set[str]:
    values = {v.strip() for v in (q.get(name) or "").split(",") if v.strip()}
    for value in sorted(values - allowed):
        raise BadRequest(
            invalid(
                name,
                value,
                f"The `{name}` query parameter value [{value}] "
                f"is not one of [{','.join(sorted(allowed))}]",
            )
        )
    return values


def _int(q: Any, name: str, default: int) -> int:
    raw = q.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadRequest(
            invalid(name, raw, f"The `{name}` query parameter value [{raw}] is not a valid number")
        )
    return int(raw)


def _ts(q: Any, name: str) -> datetime:
    raw = q[name]
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(invalid(name, raw, f"Invalid '{name}':'{raw}'")) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
