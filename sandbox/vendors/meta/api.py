"""The emulated Meta Graph API (Facebook Pages + Instagram business accounts), under ``/meta``.

Real path shapes (``/v23.0/{id}/{edge}`` below ``https://graph.facebook.com``, here below
``/meta``), token auth, cursor paging and Meta's error envelopes over the world store
(developers.facebook.com/docs/graph-api/guides/error-handling); every page is a keyset query
on a per-request cursor, and a multi-id lookup reads what its ids need in a few batched queries
(``batch``).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, timedelta
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.clock import Clock
from sandbox.faults import ErrorResponse, FaultConfig, PathErrors
from sandbox.http import bearer_token, token_set
from sandbox.tokens import EXPIRED, TokenBook
from sandbox.vendors.meta import metrics
from sandbox.vendors.meta.batch import (
    comments_where,
    edge_request,
    expanded_edges,
    prefetch_lookup,
)
from sandbox.vendors.meta.context import Ctx, MetaError, Tables
from sandbox.vendors.meta.fields import FieldsError, FieldSpec, parse_fields
from sandbox.vendors.meta.insights import account_insights
from sandbox.vendors.meta.nodes import post_insights, render_rows
from sandbox.vendors.meta.paging import envelope, keyset_page, parse_when
from sandbox.vendors.meta.refusals import WITHOUT, check_permissions, token_permissions_missing
from sandbox.world.store import world_info

DEFAULT_TOKENS = "sandbox-meta-token"
MAX_IDS = 50


class MetaErrors(PathErrors):
    """Meta's dialect for the fault middleware: throttling is an error *code* in the body
    (4, 17, 32, 613, 80001...) with HTTP 400/403, not a 429
    (developers.facebook.com/docs/graph-api/overview/rate-limiting)."""

    name = "meta"
    THROTTLES = {
        4: (403, "(#4) Application request limit reached"),
        17: (400, "(#17) User request limit reached"),
        32: (400, "(#32) Page request limit reached"),
        613: (400, "(#613) Calls to this api have exceeded the rate limit."),
        80001: (
            400,
            "(#80001) There have been too many calls to this Page account. Wait a bit "
            "and try again.",
        ),
    }

    def __init__(self, api: MetaApi) -> None:
        self.api = api

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        codes = list(self.THROTTLES)
        code = cfg.throttle_code if cfg.throttle_code in self.THROTTLES else codes[n % len(codes)]
        status, message = self.THROTTLES[code]
        err = MetaError(code, message, status=status, transient=True)
        return (
            status,
            envelope(err),
            self.api.usage_headers(path, full=True, regain=cfg.regain_minutes),
        )

    def server_error(self, n: int, path: str) -> ErrorResponse:
        code, message = [
            (1, "An unexpected error has occurred. Please retry your request later."),
            (2, "Service temporarily unavailable"),
        ][n % 2]
        err = MetaError(code, message, status=500, transient=True)
        return 500, envelope(err), self.api.usage_headers(path)

    def token_expired(self, path: str) -> ErrorResponse:
        err = self.api.expired_error()
        return err.status, envelope(err), self.api.usage_headers(path)


class MetaApi:
    """Routes and state (usage counters) of the Graph API emulation."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        clock: Clock,
        catalogue: metrics.Catalogue | None = None,
        tokens: str | None = None,
    ) -> None:
        self.con, self.clock = con, clock
        self.cat = catalogue or metrics.load_catalogue()
        self.tokens = token_set(tokens, "SANDBOX_META_TOKENS", DEFAULT_TOKENS)
        # No refresh grant (a long-lived user token is renewed only with the user, by
        # fb_exchange_token: developers.facebook.com/docs/facebook-login/guides/access-tokens/
        # get-long-lived): the book lets a test make the token expire mid-run (subcode 463).
        self.token_book = TokenBook("meta", set(self.tokens), 60 * 86_400)
        cur = con.cursor()
        self.start: date = world_info(cur)["start_date"]
        cur.close()
        self.tables = Tables(con)
        self.platforms = {k: a["platform"] for k, a in self.tables.accounts.items()}
        self.errors = MetaErrors(self)
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._calls_day: date | None = None

    def routes(self) -> list[Route]:
        return [Route("/{version}/{path:path}", self.handle), Route("/{version}", self.handle)]

    # --- cross-cutting ----------------------------------------------------------------------

    def scope_of(self, path: str) -> str | None:
        """The page / IG account a path is about (for the BUC usage header)."""
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == self.errors.name:  # the mount prefix: /meta/v23.0/{id}/...
            parts = parts[1:]
        if len(parts) < 2:
            return None
        head = parts[1].split("_")[0]
        if head in self.platforms:
            return head
        cur = self.con.cursor()
        try:
            found = cur.execute(
                "SELECT account_id FROM posts WHERE post_id = ? UNION ALL "
                "SELECT account_id FROM comments WHERE comment_id = ? LIMIT 1",
                [parts[1], parts[1]],
            ).fetchone()
        finally:
            cur.close()
        return found[0] if found else None

    def usage_headers(
        self, path: str, full: bool = False, regain: int = 0, calls: int = 1
    ) -> dict[str, str]:
        """``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (percentages; 100 when throttled)
        after ``calls`` more calls (the ids of a multi-id lookup)."""
        scope = self.scope_of(path)
        with self._lock:
            if self._calls_day != self.clock.today:
                self._calls, self._calls_day = {}, self.clock.today
            self._calls["*"] = self._calls.get("*", 0) + calls
            if scope:
                self._calls[scope] = self._calls.get(scope, 0) + calls
            app_pct = 100 if full else min(99, self._calls["*"] * 100 // 20000)
            buc_pct = 100 if full else min(99, self._calls.get(scope or "", 0) * 100 // 4800)
        headers = {
            "X-App-Usage": json.dumps(
                {"call_count": app_pct, "total_time": app_pct // 2, "total_cputime": app_pct // 2}
            )
        }
        if scope:
            kind = "pages" if self.platforms.get(scope) == "facebook" else "instagram"
            headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    scope: [
                        {
                            "type": kind,
                            "call_count": buc_pct,
                            "total_cputime": buc_pct // 2,
                            "total_time": buc_pct // 2,
                            "estimated_time_to_regain_access": regain if full else 0,
                        }
                    ]
                }
            )
        else:
            headers["X-Business-Use-Case-Usage"] = "{}"
        return headers

    def expired_error(self) -> MetaError:
        when = self.clock.now - timedelta(days=1)
        return MetaError(
            190,
            "Error validating access token: Session has expired on "
            f"{when:%A, %d-%b-%y} 17:00:00 PDT. The current time is "
            f"{self.clock.now:%A, %d-%b-%y %H:%M:%S} UTC.",
            subcode=463,
        )

    def _auth(self, request: Request) -> frozenset[str]:
        """The permissions the request's token lacks (``refusals``), or Meta's auth error."""
        token = request.query_params.get("access_token") or bearer_token(
            request, ("bearer ", "oauth ")
        )
        if not token:
            raise MetaError(104, "An access token is required to request this resource.")
        state = self.token_book.status(token.split(WITHOUT)[0])
        if token.startswith("expired") or state == EXPIRED:
            raise self.expired_error()  # 190 / 463, as Meta answers an expired token
        return token_permissions_missing(token, self.tokens)

    def handle(self, request: Request) -> JSONResponse:
        """Every Graph request: version, auth, then dispatch; errors in Meta's envelope."""
        path = request.url.path
        try:
            version = request.path_params["version"]
            low, high, latest = self.cat.versions
            m = re.fullmatch(r"v(\d+)\.0", version)
            if not m or not low <= int(m.group(1)) <= high:
                raise MetaError(
                    2635,
                    f"(#2635) You are calling a deprecated version of the "
                    f"Graph API. Please update to the latest version: "
                    f"v{latest}.0.",
                )
            missing = self._auth(request)
            cur = self.con.cursor()
            try:
                now, today = self.clock.now, self.clock.today
                ctx = Ctx(cur, now, today, self.cat, self.start, self.tables)
                route = request.path_params.get("path", "")
                body = self._dispatch(ctx, request, route, missing)
            finally:
                cur.close()
            status = 200
        except FieldsError as exc:
            status, body = 400, envelope(MetaError(100, f"(#100) {exc}"))
        except MetaError as err:
            status, body = err.status, envelope(err)
        # A multi-id lookup counts one call per id toward the usage headers. Meta documents that
        # each request of a batch counts separately (developers.facebook.com/docs/graph-api/
        # batch-requests#limits) but not how ``?ids=`` is counted (developers.facebook.com/docs/
        # graph-api/overview/rate-limiting): the sandbox assumes the costlier answer, so a
        # lookup of 50 posts saves round trips, not quota (docs/sources/meta.md).
        calls = len([i for i in request.query_params.get("ids", "").split(",") if i]) or 1
        return JSONResponse(body, status_code=status, headers=self.usage_headers(path, calls=calls))

    # --- dispatch ---------------------------------------------------------------------------

    def _resolve(self, ctx: Ctx, obj_id: str) -> tuple[str, dict[str, Any]]:
        found = ctx.lookup(obj_id)
        if found is not None:
            return found
        raise MetaError(
            100,
            f"Unsupported get request. Object with ID '{obj_id}' does not "
            "exist, cannot be loaded due to missing permissions, or does not "
            "support this operation. Please read the Graph API documentation "
            "at https://developers.facebook.com/docs/graph-api",
            subcode=33,
            type_="GraphMethodException",
        )

    def _dispatch(
        self, ctx: Ctx, request: Request, path: str, missing: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        parts = [p for p in path.split("/") if p]
        q = request.query_params
        fields = parse_fields(q.get("fields"))
        if not parts:
            ids = [i for i in (q.get("ids") or "").split(",") if i]
            if not ids:
                raise MetaError(100, "(#100) Missing parameter: ids")
            if len(ids) > MAX_IDS:
                raise MetaError(100, f"(#100) Too many IDs. Maximum: {MAX_IDS}.")
            ctx.prefetch_objects(ids)
            kinds = [self._resolve(ctx, obj_id)[0] for obj_id in ids]
            check_permissions(missing, list(dict.fromkeys(kinds)), "", fields)
            prefetch_lookup(ctx, request, ids, fields)
            out = {}
            for obj_id in ids:
                kind, row = self._resolve(ctx, obj_id)
                out[obj_id] = render_rows(ctx, kind, [row], fields)[0]
                self._expand_edges(ctx, request, kind, row, fields, out[obj_id])
            return out
        kind, row = self._resolve(ctx, parts[0])
        check_permissions(missing, [kind], parts[1] if len(parts) > 1 else "", fields)
        if len(parts) == 1:
            obj = render_rows(ctx, kind, [row], fields)[0]
            self._expand_edges(ctx, request, kind, row, fields, obj)
            return obj
        edge = (kind, parts[1]) if len(parts) == 2 else (kind, "")
        if edge in {
            ("page", "published_posts"),
            ("page", "posts"),
            ("page", "feed"),
            ("iguser", "media"),
        }:
            return self._list_posts(ctx, request, kind, row, fields)
        if edge in {
            ("post", "comments"),
            ("comment", "comments"),
            ("media", "comments"),
            ("igcomment", "replies"),
        }:
            return self._list_comments(ctx, request, kind, row, fields)
        if edge in {("post", "insights"), ("media", "insights")}:
            names = [m for m in (q.get("metric") or "").split(",") if m] or None
            return {"data": post_insights(ctx, kind, row, names)}
        if edge in {("page", "insights"), ("iguser", "insights")}:
            return account_insights(ctx, request, kind, row)
        raise MetaError(2500, f"Unknown path components: /{'/'.join(parts[1:])}")

    # --- lists ------------------------------------------------------------------------------

    def _list_posts(
        self, ctx: Ctx, request: Request, kind: str, account: dict[str, Any], fields: list
    ) -> dict[str, Any]:
        q = request.query_params
        where, params = "account_id = ? AND created_time <= ?", [account["account_id"], ctx.now]
        for name, op in (("since", ">="), ("until", "<=")):
            when = parse_when(q.get(name))
            if when is not None:
                where += f" AND created_time {op} ?"
                params.append(when)
        found, paging = keyset_page(ctx, request, "posts", "post_id", where, params, True)
        node = "post" if kind == "page" else "media"
        data = render_rows(ctx, node, found, fields)
        return {"data": data, "paging": paging} if paging else {"data": data}

    def _expand_edges(
        self,
        ctx: Ctx,
        request: Request,
        kind: str,
        row: dict[str, Any],
        fields: list[FieldSpec],
        obj: dict[str, Any],
    ) -> None:
        """Field expansion of the comments edge (``comments.limit(n){id,message}``): the first
        page of ``GET /{id}/comments`` with those modifiers as parameters, its ``paging.next``
        pointing at that edge, as the Graph API nests edges
        (developers.facebook.com/docs/graph-api/guides/field-expansion)."""
        for spec in expanded_edges(kind, fields):
            edge = edge_request(ctx, request, spec, row["post_id"])
            obj["comments"] = self._list_comments(ctx, edge, kind, row, spec.children or [])

    def _list_comments(
        self, ctx: Ctx, request: Request, kind: str, row: dict[str, Any], fields: list
    ) -> dict[str, Any]:
        where, params = comments_where(ctx, kind, row, request)
        newest = request.query_params.get("order") == "reverse_chronological"
        found, paging = keyset_page(ctx, request, "comments", "comment_id", where, params, newest)
        node = "comment" if kind in ("post", "comment") else "igcomment"
        data = render_rows(ctx, node, found, fields)
        return {"data": data, "paging": paging} if paging else {"data": data}
