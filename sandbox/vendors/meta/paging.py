"""Graph API plumbing: error envelopes, opaque cursors, keyset paging, time parameters.

A page is one keyset query (``created_time`` then id) on the request's cursor; the cursor is the
base64 of the sort key of the row at the page edge and of the sandbox day it was issued on.
Meta: "The cursor will always point to the item, however it will be invalidated if the item is
deleted or removed. Therefore, your app shouldn't store cursors or assume that they will be
valid in the future" (developers.facebook.com/docs/graph-api/results). The sandbox enforces the
last sentence: a cursor is valid on the day it was issued only, so a client that stores cursors
across runs fails here as it eventually would against Meta.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request

from sandbox.http import b64_json, b64_json_load
from sandbox.vendors.meta.context import Ctx, MetaError

_trace = itertools.count(1)


def fbtrace_id() -> str:
    """An fbtrace_id-looking string (deterministic sequence)."""
    digest = hashlib.blake2b(str(next(_trace)).encode(), digest_size=9).digest()
    return base64.b64encode(digest).decode()[:11].replace("+", "A").replace("/", "B")


def envelope(err: MetaError) -> dict[str, Any]:
    body: dict[str, Any] = {"message": err.message, "type": err.type, "code": err.code}
    if err.subcode is not None:
        body["error_subcode"] = err.subcode
    if err.transient:
        body["is_transient"] = True
    body.update(err.extra)
    body["fbtrace_id"] = fbtrace_id()
    return {"error": body}


def encode_cursor(created: datetime, key: str, issued: date) -> str:
    return b64_json([created.isoformat(), key, issued.isoformat()], compact=True)


def decode_cursor(cursor: str, today: date) -> tuple[datetime, str]:
    """The sort key of a cursor issued today; one from an earlier day is refused.

    Meta does not document the code of an invalidated cursor on Page/IG edges; the answer seen
    from the Marketing API is ``(#2642) Invalid cursors values``
    (github.com/facebook/facebook-java-business-sdk/issues/292), used here for expired ones.
    """
    try:
        created, key, issued = b64_json_load(cursor)
        when, issued_on = datetime.fromisoformat(created), date.fromisoformat(issued)
    except (ValueError, TypeError) as exc:
        raise MetaError(100, "(#100) The cursor is invalid or expired") from exc
    if issued_on != today:
        raise MetaError(2642, "(#2642) Invalid cursors values")
    return when, str(key)


def parse_when(value: str | None) -> datetime | None:
    """``since``/``until`` as a unix timestamp or an ISO date/datetime (naive UTC)."""
    if not value:
        return None
    try:
        if value.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))
        return parsed.replace(tzinfo=None) - (parsed.utcoffset() or timedelta(0))
    except ValueError as exc:
        raise MetaError(100, f"(#100) Invalid time value: {value}") from exc


def page_limit(request: Request) -> int:
    """The page size of ``limit`` (25 by default, 1..100)."""
    try:
        return max(1, min(100, int(request.query_params.get("limit", 25))))
    except ValueError as exc:
        raise MetaError(100, "(#100) Param limit must be a number") from exc


def page_sql(table: str, key: str, where: str, descending: bool, limit: int) -> str:
    """The keyset query of one page (``where`` includes the cursor condition, if any)."""
    direction = "DESC" if descending else "ASC"
    return (
        f"SELECT * FROM {table} WHERE {where} ORDER BY created_time "
        f"{direction}, {key} {direction} LIMIT {limit + 1}"
    )


def keyset_page(
    ctx: Ctx,
    request: Request,
    table: str,
    key: str,
    where: str,
    params: list[Any],
    newest_first: bool,
) -> tuple[list[dict], dict[str, Any]]:
    """One keyset page of ``table`` plus Meta's ``paging`` object."""
    q = request.query_params
    limit = page_limit(request)
    after, before = q.get("after"), q.get("before")
    forward = before is None
    descending = newest_first == forward
    cond, extra = "", []
    if after or before:
        created, last = decode_cursor(after or before or "", ctx.today)
        op = "<" if descending else ">"
        cond = f" AND (created_time {op} ? OR (created_time = ? AND {key} {op} ?))"
        extra = [created, created, last]
    found = ctx.rows(page_sql(table, key, where + cond, descending, limit), params + extra)
    more = len(found) > limit
    found = found[:limit] if forward else list(reversed(found[:limit]))
    if not found:
        return [], {}
    first = encode_cursor(found[0]["created_time"], found[0][key], ctx.today)
    last = encode_cursor(found[-1]["created_time"], found[-1][key], ctx.today)
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    base = request.url.remove_query_params(["after", "before"])
    if more or not forward:
        paging["next"] = str(base.include_query_params(after=last))
    else:
        del paging["cursors"]["after"]
    if after or (not forward and more):
        paging["previous"] = str(base.include_query_params(before=first))
    return found, paging
