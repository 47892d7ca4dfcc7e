"""The emulated X API v2, served under ``/x``: users, timelines, mentions, recent search.

Every page is one query on the world store. Auth is an app Bearer token; errors are X's
problem JSON; every answer carries the ``x-rate-limit-*`` headers (15-minute windows, reset in
wall-clock epoch seconds); the monthly post cap and the timelines' reach are in ``limits.py``.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import bearer_token
from sandbox.world.store import rows

from . import truth
from .limits import CAPPED_BUCKETS, USAGE_CAPPED, PostUsage, RateWindows, Settings
from .params import (
    EXPANSIONS,
    LIST_PARAMS,
    TWEET_FIELDS,
    USER_FIELDS,
    check_params,
    fields_of,
    int_param,
    time_param,
)
from .render import (
    PROBLEMS,
    BadRequest,
    decode_token,
    encode_token,
    gone,
    invalid,
    iso,
    problem,
    references,
    tweet,
    user_missing,
)

QUERY_TERM = re.compile(r"^conversation_id:(\d{1,19})$")


class XErrors(PathErrors):
    """X's dialect for the fault middleware."""

    name = "x"

    def __init__(self, api: XApi) -> None:
        self.api = api

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
        self.errors = XErrors(self)
        self.windows = RateWindows()
        self.usage = PostUsage()

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
        """The ``x-rate-limit-*`` headers of ``bucket`` now (for the fault middleware too)."""
        settings = Settings.from_env()
        return self.windows.take(bucket, settings, self.clock.today, use, exhausted)[0]

    def answer(self, request: Request, handler: Any, *args: Any) -> JSONResponse:
        """Auth, the rate window, the monthly post cap, then the handler's page."""
        bucket, settings, today = _bucket(request.url.path), Settings.from_env(), self.clock.today
        headers, over = self.windows.take(bucket, settings, today, use=True)
        if bearer_token(request) not in self.tokens:
            status, body = problem(401, "Unauthorized", "Unauthorized")
            return JSONResponse(body, status, headers)
        if over:
            status, body = problem(429, "Too Many Requests", "Too Many Requests")
            return JSONResponse(body, status, headers)
        if bucket in CAPPED_BUCKETS and self.usage.capped(today, settings):
            # remaining stays high: the cap is not a window (xdevplatform/xdk#25)
            return JSONResponse(USAGE_CAPPED, 429, headers)
        cur = self.con.cursor()
        try:
            status, body = 200, handler(cur, request.query_params, *args)
        except BadRequest as exc:
            status, body = exc.answer
        finally:
            cur.close()
        if status == 200 and bucket in CAPPED_BUCKETS:
            self.usage.count(today, body)
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
        check_params(q, {"user.fields", "expansions", "tweet.fields"})
        fields = fields_of(q, "user.fields", USER_FIELDS)
        view = truth.account_view(cur, user_id, self.clock.today)
        if view is None:
            return user_missing(user_id)
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
        check_params(q, LIST_PARAMS | extra)
        if not cur.execute("SELECT 1 FROM x_accounts WHERE user_id = ?", [user_id]).fetchone():
            return user_missing(user_id)
        if kind == "tweets":
            where, params = "author_id = ?", [user_id]
        else:
            where, params = "account_id = ? AND author_id <> ? AND mentions_brand", [user_id] * 2
        where, params = self._reach(cur, where, params, Settings.from_env().reach(kind))
        token = q.get("pagination_token")
        return self._page(cur, q, where, params, token, (5, 100))

    def _reach(self, cur: Any, where: str, params: list, reach: int) -> tuple[str, list]:
        """Only the ``reach`` most recent visible items are served, whatever the filters
        (3,200 posts, 800 mentions: limits.py)."""
        now = self.clock.now
        oldest = cur.execute(
            f"SELECT id_num FROM x_tweets WHERE {where} AND {truth.VISIBLE} "
            "ORDER BY id_num DESC LIMIT 1 OFFSET ?",
            [*params, now, now, max(0, reach - 1)],
        ).fetchone()
        if oldest is None:  # fewer than ``reach``: all of them
            return where, params
        return f"{where} AND id_num >= ?", [*params, oldest[0]]

    def _search(self, cur: Any, q: Any) -> dict[str, Any]:
        check_params(q, LIST_PARAMS | {"query", "next_token", "sort_order"})
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
        if q.get("start_time") and time_param(q, "start_time") < floor:
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
        size = int_param(q, "max_results", 10)
        if not bounds[0] <= size <= bounds[1]:
            raise BadRequest(
                invalid(
                    "max_results",
                    size,
                    f"The `max_results` query parameter "
                    f"value [{size}] is not between {bounds[0]} and {bounds[1]}",
                )
            )
        fields = fields_of(q, "tweet.fields", TWEET_FIELDS)
        expansions = fields_of(q, "expansions", EXPANSIONS)
        now = self.clock.now
        sql = f"SELECT * FROM x_tweets WHERE {where} AND {truth.VISIBLE}"
        args = [*params, now, now]
        for name, op in (("since_id", ">"), ("until_id", "<")):
            if q.get(name):
                sql += f" AND id_num {op} ?"
                args.append(int_param(q, name, 0))
        if q.get("start_time"):
            sql, args = sql + " AND created_at >= ?", [*args, time_param(q, "start_time")]
        if q.get("end_time"):
            sql, args = sql + " AND created_at < ?", [*args, time_param(q, "end_time")]
        if q.get("exclude") and "replies" in q["exclude"]:
            sql += " AND replied_to_id IS NULL"
        if q.get("exclude") and "retweets" in q["exclude"]:
            sql += " AND retweeted_id IS NULL"
        if token:
            sql, args = sql + " AND id_num < ?", [*args, decode_token(token)]
        found = rows(cur, sql + " ORDER BY id_num DESC LIMIT ?", [*args, size + 1])
        page = found[:size]
        if not page:
            return {"meta": {"result_count": 0}}
        counts = truth.reply_counts(cur, [t["tweet_id"] for t in page], now)
        body: dict[str, Any] = {"data": [tweet(t, fields, now, counts) for t in page]}
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
        wanted = sorted({ref["id"] for t in page for ref in references(t)})
        if not wanted:
            return
        marks = ",".join("?" * len(wanted))
        refs = rows(cur, f"SELECT * FROM x_tweets WHERE tweet_id IN ({marks})", wanted)
        seen = {r["tweet_id"]: r for r in refs}
        alive = [r for r in refs if r["created_at"] <= now and not gone(r, now)]
        if alive:
            counts = truth.reply_counts(cur, [r["tweet_id"] for r in alive], now)
            body["includes"] = {"tweets": [tweet(r, fields, now, counts) for r in alive]}
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
            if tid not in seen or gone(seen[tid], now)
        ]
        if errors:
            body["errors"] = errors
