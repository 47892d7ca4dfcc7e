"""The emulated LinkedIn Community Management API (``/rest/...``, Rest.li protocol 2.0).

Served under ``/linkedin`` in the sandbox, so a source's base URL is
``http://127.0.0.1:PORT/linkedin`` where production uses ``https://api.linkedin.com``. Every
request needs ``LinkedIn-Version: YYYYMM`` (8 digits accepted too), ``X-Restli-Protocol-Version:
2.0.0`` and ``Authorization: Bearer <token>``; errors use LinkedIn's body
(``{"status", "serviceErrorCode", "code", "message"}``). Pages are offset pages
(``start``/``count``) whose ``paging.links`` carry ``rel: next`` while more rows follow. The
numbers come from ``stats.py``, which the manifest shares.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.http import bearer_token, token_set
from sandbox.vendors.linkedin import oauth, share_stats, stats
from sandbox.vendors.linkedin.comments import CommentIndex
from sandbox.vendors.linkedin.errors import (
    LinkedInError,
    LinkedInErrors,
    bad_request,
    int_param,
    not_found,
)
from sandbox.vendors.linkedin.headers import check_protocol, check_version
from sandbox.vendors.linkedin.render import paging, render_comment, render_post, time_range
from sandbox.vendors.linkedin.restli import RestliSyntaxError, parse
from sandbox.vendors.linkedin.world import org_urn
from sandbox.world.index import Lazy
from sandbox.world.store import rows, world_info

DEFAULT_TOKENS = "sandbox-linkedin-token"
# Versions served besides the current month's: each is supported "for a minimum of one year"
# (https://learn.microsoft.com/en-us/linkedin/marketing/versioning); see headers.check_version.
DEFAULT_VERSION_MONTHS = 12
MAX_COUNT = 100
DEFAULT_COUNT = 10
ORG_RE = re.compile(r"^urn:li:organization:(\d+)$")
COMMENT_RE = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:\d+),(\d+)\)$")
EDGE_TYPES = {"COMPANY_FOLLOWED_BY_MEMBER", "CompanyFollowedByMember"}


class LinkedInApi:
    """Routes and checks of the LinkedIn emulation over the world store."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        clock: Any,
        tokens: str | None = None,
        version_months: int | None = None,
    ) -> None:
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_LINKEDIN_TOKENS", DEFAULT_TOKENS)
        self.token_book = oauth.token_book(self.tokens)  # 60-day tokens, refresh grant
        months = version_months
        if months is None:
            months = int(
                os.environ.get("SANDBOX_LINKEDIN_VERSION_MONTHS") or DEFAULT_VERSION_MONTHS
            )
        self.version_months = months
        cur = con.cursor()
        try:
            self.start: date = world_info(cur)["start_date"]
        finally:
            cur.close()
        self.errors = LinkedInErrors()
        self.comments_index = Lazy(lambda: CommentIndex(self.con))

    def routes(self) -> list[Route]:
        return [
            Route("/rest/{path:path}", self.handle),
            Route(oauth.TOKEN_PATH, self.access_token, methods=["POST"]),
            Route("/{path:path}", self.unknown),
        ]

    async def access_token(self, request: Request) -> JSONResponse:
        """www.linkedin.com's token endpoint, mounted here (oauth.py has the reference)."""
        return await oauth.access_token(request, self.token_book)

    def unknown(self, request: Request) -> JSONResponse:
        err = not_found()
        return JSONResponse(err.body(), status_code=err.status)

    def handle(self, request: Request) -> JSONResponse:
        try:
            version = check_version(request, self.clock.today, self.version_months)
            check_protocol(request)
            oauth.check_token(bearer_token(request), self.token_book)
            cur = self.con.cursor()
            try:
                body = self._dispatch(cur, request, version)
            finally:
                cur.close()
            return JSONResponse(body, headers={"x-restli-protocol-version": "2.0.0"})
        except LinkedInError as err:
            return JSONResponse(err.body(), status_code=err.status)

    def _dispatch(self, cur: Any, request: Request, version: str) -> dict[str, Any]:
        parts = [p for p in request.path_params["path"].split("/") if p]
        head = parts[0] if parts else ""
        if parts == ["posts"]:
            return self.posts(cur, request, version)
        if head == "posts" and len(parts) == 2:
            return self.post(cur, parts[1], version)
        if parts == ["organizationalEntityShareStatistics"]:
            return self.share_statistics(cur, request, version)
        if parts == ["organizationalEntityFollowerStatistics"]:
            return self.follower_statistics(cur, request, version)
        if head == "networkSizes" and len(parts) == 2:
            return self.network_size(cur, request, parts[1])
        if head == "socialActions" and len(parts) == 3 and parts[2] == "comments":
            return self.comments(cur, request, parts[1])
        if head == "organizations" and len(parts) == 2:
            return self.organization(cur, parts[1])
        raise not_found()

    # --- helpers ----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now

    def org_of(self, cur: Any, urn: str | None, resource: str, version: str) -> dict[str, Any]:
        """The organization an ``author``/``organizationalEntity`` URN names, if we admin it."""
        m = ORG_RE.match(urn or "")
        if not m:
            raise bad_request(f"Invalid organization URN: {urn!r}")
        org = stats.organization(cur, m.group(1))
        if org is None:
            raise LinkedInError(
                403,
                "ACCESS_DENIED",
                f"Not enough permissions to access: {resource}.FINDER-{version}",
                100,
            )
        return org

    def stats_org(
        self, cur: Any, request: Request, resource: str, version: str
    ) -> tuple[Any, dict[str, Any], str]:
        """Query, organization and its URN of a statistics finder (``q=organizationalEntity``)."""
        self.finder(request, "organizationalEntity")
        q = request.query_params
        org = self.org_of(cur, q.get("organizationalEntity"), resource, version)
        return q, org, org_urn(org["organization_id"])

    def finder(self, request: Request, expected: str) -> None:
        q = request.query_params.get("q")
        if q != expected:
            raise bad_request(f"Invalid or missing finder q={q!r}: expected q={expected}")

    @staticmethod
    def page_args(request: Request) -> tuple[int, int]:
        q = request.query_params
        start = int_param(q.get("start"), "start", 0)
        count = int_param(q.get("count"), "count", DEFAULT_COUNT)
        if start < 0 or count < 0:
            raise bad_request("start and count must not be negative")
        return start, min(count, MAX_COUNT)

    def time_buckets(self, raw: str, today: date) -> list[tuple[date, date]]:
        """``timeIntervals`` -> buckets; a start over 12 months ago is a 400.

        The statistics finders return data "only within the past 12 months, using a rolling
        12-month window" (https://learn.microsoft.com/en-us/linkedin/marketing/
        community-management/organizations/share-statistics); Airbyte's source-linkedin-pages
        manifest explains LinkedIn's 400 "Invalid timeIntervals parameter" by that bound. It
        also names a start "at least 2 days prior to the request date", but its own requests
        end 2 days ago and LinkedIn's reference says nothing of it, so no such rule is served
        here (docs/sources/linkedin.md, "Limits").
        """
        invalid = bad_request("Invalid timeIntervals parameter")
        try:
            spec = parse(raw)
            time_range = spec["timeRange"]
            start_ms = int(time_range["start"])
            end_ms = int(time_range["end"]) if "end" in time_range else None
            granularity = spec.get("timeGranularityType", "DAY")
        except (RestliSyntaxError, KeyError, TypeError, ValueError):
            raise invalid from None
        if granularity not in ("DAY", "MONTH"):
            raise invalid
        first = stats.from_ms(start_ms).date()
        if first < stats.window_start(today):
            raise invalid
        if end_ms is not None and end_ms <= start_ms:
            raise invalid
        last = today if end_ms is None else min(today, stats.from_ms(end_ms - 1).date())
        return stats.bucket_edges(max(first, self.start), last, granularity)

    # --- posts ------------------------------------------------------------------------------

    def posts(self, cur: Any, request: Request, version: str) -> dict[str, Any]:
        self.finder(request, "author")
        q = request.query_params
        org = self.org_of(cur, q.get("author"), "posts", version)
        start, count = self.page_args(request)
        sort = q.get("sortBy", "LAST_MODIFIED")
        if sort not in ("LAST_MODIFIED", "CREATED"):
            raise bad_request(f"Invalid value for param sortBy: {sort}")
        order = "last_modified DESC" if sort == "LAST_MODIFIED" else "created_at DESC"
        now = self.now
        where = "organization_id = ? AND published_at <= ?"
        params: list[Any] = [org["organization_id"], now]
        total = cur.execute(f"SELECT count(*) FROM linkedin_posts WHERE {where}", params).fetchone()
        found = rows(
            cur,
            "SELECT *, CASE WHEN edited_at <= ? THEN edited_at ELSE published_at END "
            f"AS last_modified FROM linkedin_posts WHERE {where} "
            f"ORDER BY {order}, post_urn DESC LIMIT {count} OFFSET {start}",
            [now, *params],
        )
        return {
            "paging": paging(request, "/rest/posts", start, count, total[0]),
            "elements": [render_post(p, self.now) for p in found],
        }

    def post(self, cur: Any, urn: str, version: str) -> dict[str, Any]:
        found = rows(
            cur,
            "SELECT * FROM linkedin_posts WHERE post_urn = ? AND published_at <= ?",
            [urn, self.now],
        )
        if not found:
            raise not_found(f"Post {urn} not found")
        return render_post(found[0], self.now)

    # --- statistics -------------------------------------------------------------------------

    def share_statistics(self, cur: Any, request: Request, version: str) -> dict[str, Any]:
        resource = "organizationalEntityShareStatistics"
        q, org, entity = self.stats_org(cur, request, resource, version)
        wanted = share_stats.requested_posts(q)
        now = self.now
        posts = stats.visible_posts(cur, org["organization_id"], now)
        by_urn = {p["post_urn"]: p for p in posts}
        share_stats.check_visible(wanted, by_urn)
        selected = [by_urn[urn] for _, urn in wanted] if wanted else posts
        raw_intervals = q.get("timeIntervals")
        if raw_intervals is None:
            counts = stats.comment_counts(cur, org["organization_id"], now)
            elements = share_stats.lifetime_elements(entity, wanted, selected, counts, now)
        else:
            buckets = self.time_buckets(raw_intervals, self.clock.today)
            since = stats.midnight(buckets[0][0]) if buckets else now
            times = stats.comment_times(cur, org["organization_id"], since, now)
            elements = share_stats.bucket_elements(entity, wanted, selected, times, buckets, now)
        return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}

    def follower_statistics(self, cur: Any, request: Request, version: str) -> dict[str, Any]:
        resource = "organizationalEntityFollowerStatistics"
        q, org, entity = self.stats_org(cur, request, resource, version)
        today = self.clock.today
        raw_intervals = q.get("timeIntervals")
        if raw_intervals is None:
            element = {"organizationalEntity": entity, **stats.facets(org, self.start, today)}
            return {"paging": {"start": 0, "count": 10, "links": []}, "elements": [element]}
        elements = []
        for a, b in self.time_buckets(raw_intervals, today):
            organic = paid = 0
            day = a
            while day < b and day <= today:
                o, p = stats.follower_gain(org, self.start, day)
                organic, paid = organic + o, paid + p
                day += timedelta(days=1)
            elements.append(
                {
                    "organizationalEntity": entity,
                    "timeRange": time_range(a, b),
                    "followerGains": {"organicFollowerGain": organic, "paidFollowerGain": paid},
                }
            )
        return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}

    def network_size(self, cur: Any, request: Request, urn: str) -> dict[str, Any]:
        edge = request.query_params.get("edgeType")
        if edge not in EDGE_TYPES:
            raise bad_request(f"Invalid value for param edgeType: {edge}")
        m = ORG_RE.match(urn)
        org = stats.organization(cur, m.group(1)) if m else None
        if org is None:
            raise not_found(f"Organization {urn} not found")
        return {"firstDegreeSize": stats.followers(org, self.start, self.clock.today)}

    def organization(self, cur: Any, organization_id: str) -> dict[str, Any]:
        org = stats.organization(cur, organization_id)
        if org is None:
            raise not_found(f"Organization {organization_id} not found")
        lang, country = org["locale"].split("_")
        out = {
            "id": int(org["organization_id"]),
            "$URN": org_urn(org["organization_id"]),
            "localizedName": org["name"],
            "name": {
                "localized": {org["locale"]: org["name"]},
                "preferredLocale": {"country": country, "language": lang},
            },
            "vanityName": org["vanity_name"],
            "primaryOrganizationType": "NONE",
        }
        if org["website"]:
            out["localizedWebsite"] = org["website"]
        return out

    # --- comments ---------------------------------------------------------------------------

    def comments(self, cur: Any, request: Request, urn: str) -> dict[str, Any]:
        """Top-level comments of a post (share, ugcPost or activity URN), or the replies of a
        comment (comment URN), oldest first: pages of the comment index, no query."""
        now = self.now
        m = COMMENT_RE.match(urn)
        if m:
            found = cur.execute(
                "SELECT comment_id FROM linkedin_comments "
                "WHERE comment_urn = ? AND created_at <= ?",
                [urn, now],
            ).fetchone()
        else:
            column = "activity_urn" if urn.startswith("urn:li:activity:") else "post_urn"
            found = cur.execute(
                f"SELECT post_urn FROM linkedin_posts WHERE {column} = ? AND published_at <= ?",
                [urn, now],
            ).fetchone()
        if not found:
            raise not_found(f"Entity {urn} not found")
        start, count = self.page_args(request)
        index = self.comments_index.get()
        matches = index.replies.visible(m.group(2), now) if m else index.tops.visible(found[0], now)
        joined = [c for c in matches if c["post_urn"] in index.activity]  # as the JOIN on posts
        page = [
            {
                **c,
                "activity_urn": index.activity[c["post_urn"]],
                "replies": len(index.replies.visible(c["comment_id"], now)),
            }
            for c in joined[start : start + count]
        ]
        path = f"/rest/socialActions/{quote(urn, safe='')}/comments"
        return {
            "paging": paging(request, path, start, count, len(matches)),
            "elements": [render_comment(c) for c in page],
        }
