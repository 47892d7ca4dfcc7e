"""Insights of a Page or IG account (``GET /{id}/insights``): daily follower series.

The series come from the world's follower history (``followers_on``); what a window may span
and how ``paging`` walks it follow the Graph API's Page and IG User insights edges: at most 93
days between since and until for a Page, 30 for an IG user ("There cannot be more than 93 days
(8035200 s) between since and until"), and ``paging.previous``/``next``
carrying since/until as unix seconds, as Meta's do
(developers.facebook.com/docs/graph-api/reference/insights).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request

from sandbox.vendors.meta.context import Ctx, MetaError, day_end
from sandbox.vendors.meta.nodes import check_metrics
from sandbox.vendors.meta.paging import parse_when


def account_insights(
    ctx: Ctx, request: Request, kind: str, account: dict[str, Any]
) -> dict[str, Any]:
    """Daily follower series: Page totals (93 days per call), IG gains (last 30 days)."""
    q = request.query_params
    platform = "facebook" if kind == "page" else "instagram"
    live = ctx.cat.fb_page_day() if kind == "page" else ctx.cat.ig_user_day()
    names = [m for m in (q.get("metric") or "").split(",") if m]
    if not names:
        raise MetaError(100, "(#100) The parameter metric is required")
    check_metrics(ctx.cat, platform, names, live)
    since, until = _window(ctx, request, kind)
    first = max(since, ctx.start if kind == "page" else ctx.today - timedelta(days=29))
    last = min(until - timedelta(days=1), ctx.today)
    days = [first + timedelta(days=i) for i in range(max(0, (last - first).days + 1))]
    data = [
        {
            "name": name,
            "period": "day",
            "values": _values(ctx, kind, account, days),
            "title": live[name].get("title", name),
            "description": live[name].get("description", ""),
            "id": f"{account['account_id']}/insights/{name}/day",
        }
        for name in names
    ]
    return {"data": data, "paging": _paging(ctx, request, since, until)}


def _window(ctx: Ctx, request: Request, kind: str) -> tuple[date, date]:
    """[since, until) of the request: the last two days by default, at most 93 (30 for IG)."""
    q = request.query_params
    until_dt = parse_when(q.get("until"))
    since_dt = parse_when(q.get("since"))
    until = until_dt.date() if until_dt else ctx.today + timedelta(days=1)
    since = since_dt.date() if since_dt else until - timedelta(days=2)
    span = 93 if kind == "page" else 30
    if (until - since).days > span:
        # Page: HTTP 400, code 1, no "(#n)" prefix, as in keboola/ex-facebook-graph-api's
        # recorded answer (test/keboola/facebook/api/request_test.clj); IG: code 100 (unverified).
        code, prefix = (1, "") if kind == "page" else (100, "(#100) ")
        raise MetaError(
            code,
            f"{prefix}There cannot be more than {span} days "
            f"({span * 86400} s) between since and until",
        )
    return since, until


def _values(ctx: Ctx, kind: str, account: dict[str, Any], days: list[date]) -> list[dict]:
    """Page: followers at each day's end; IG: the day's gain."""
    if kind == "page":
        return [{"value": ctx.followers(account, d), "end_time": day_end(d)} for d in days]
    return [
        {
            "value": ctx.followers(account, d) - ctx.followers(account, d - timedelta(days=1)),
            "end_time": day_end(d),
        }
        for d in days
    ]


def unix(day: date) -> int:
    """A day in ``paging`` links: unix seconds of its 08:00 UTC (midnight Pacific)."""
    return int(datetime.combine(day, time(8), UTC).timestamp())


def _paging(ctx: Ctx, request: Request, since: date, until: date) -> dict[str, str]:
    """``previous`` (the window before) and, until today is reached, ``next``."""
    base = request.url.remove_query_params(["since", "until"])
    width = until - since
    paging = {
        "previous": str(base.include_query_params(since=unix(since - width), until=unix(since)))
    }
    if until <= ctx.today:
        end = min(until + width, ctx.today + timedelta(days=1))
        paging["next"] = str(base.include_query_params(since=unix(until), until=unix(end)))
    return paging
