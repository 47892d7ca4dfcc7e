"""Multi-id lookups (``GET /?ids=a,b,...``) in a constant number of queries.

The Graph API answers a multi-id lookup as the lookups of each id, and the emulation still
renders it id by id (same errors, same order, same nested paging). What would cost queries per
id is read beforehand for all ids at once and left in the request's ``Ctx``: the objects, the
comment counts, the first page of every expanded ``comments`` edge and the replies on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from sandbox.vendors.meta.context import Ctx, MetaError
from sandbox.vendors.meta.fields import FieldSpec, format_fields
from sandbox.vendors.meta.nodes import COUNTED, DEFAULTS, REPLIED
from sandbox.vendors.meta.paging import page_limit, page_sql
from sandbox.world.store import rows

# Modifiers of an expanded edge that are parameters of the edge itself.
EDGE_MODIFIERS = ("limit", "filter", "order")


def expanded_edges(kind: str, fields: list[FieldSpec]) -> Iterator[FieldSpec]:
    """The ``comments{...}`` fields of a post or IG media that expand into the edge's page."""
    for spec in fields:
        if spec.name == "comments" and spec.children is not None and kind in ("post", "media"):
            yield spec


def edge_request(ctx: Ctx, request: Request, spec: FieldSpec, post_id: str) -> Request:
    """``GET /{post_id}/comments`` with the expanded field's modifiers as parameters, as the
    Graph API nests edges (developers.facebook.com/docs/graph-api/guides/field-expansion)."""
    memo = ctx.memo.get(("edge", id(spec)))
    if memo is None or memo[0] is not spec:  # the spec is kept alive with its query
        memo = ctx.memo[("edge", id(spec))] = (spec, edge_query(request, spec))
    root = request.scope.get("root_path", "")  # the mount prefix, /meta
    path = f"{root}/{request.path_params['version']}/{post_id}/comments"
    scope = {
        **request.scope,
        "path": path,
        "raw_path": path.encode(),
        "query_string": memo[1],
    }
    return Request(scope)


def edge_query(request: Request, spec: FieldSpec) -> bytes:
    """The query string of an expanded edge: the same for every post of a lookup."""
    params = {k: v for k, v in spec.modifiers.items() if k in EDGE_MODIFIERS}
    params["fields"] = format_fields(spec.children or [])
    if request.query_params.get("access_token"):
        params["access_token"] = request.query_params["access_token"]
    return urlencode(params).encode()


def toplevel_only(kind: str, request: Request) -> bool:
    """Whether a post's comments edge lists top-level comments only (IG always does)."""
    return kind == "media" or request.query_params.get("filter", "toplevel") != "stream"


def comments_where(
    ctx: Ctx, kind: str, row: dict[str, Any], request: Request
) -> tuple[str, list[Any]]:
    """(where, params) of the comments edge of a post, IG media or comment."""
    where, params = "created_time <= ?", [ctx.now]
    if kind in ("post", "media"):
        where += " AND post_id = ?"
        params.append(row["post_id"])
        if toplevel_only(kind, request):
            where += " AND parent_id IS NULL"
    else:
        where += " AND parent_id = ?"
        params.append(row["comment_id"])
    return where, params


def _names(kind: str, specs: list[FieldSpec]) -> set[str]:
    return {s.name for s in specs} if specs else set(DEFAULTS[kind])


def prefetch_lookup(ctx: Ctx, request: Request, ids: list[str], fields: list[FieldSpec]) -> None:
    """Warm ``ctx`` for rendering ``ids`` one by one: a few queries, whatever the ids."""
    ctx.prefetch_objects(ids)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj_id in dict.fromkeys(ids):
        found = ctx.lookup(obj_id)
        if found is not None:
            by_kind.setdefault(found[0], []).append(found[1])
    for kind in ("post", "media"):
        posts = by_kind.get(kind, [])
        if not posts:
            continue
        if _names(kind, fields) & COUNTED:
            ctx.prefetch_counts([p["post_id"] for p in posts])
        for spec in expanded_edges(kind, fields):
            _prefetch_first_pages(ctx, request, kind, posts, spec)


def _prefetch_first_pages(
    ctx: Ctx, request: Request, kind: str, posts: list[dict[str, Any]], spec: FieldSpec
) -> None:
    """The first page of every post's expanded comments edge, in one window query."""
    edge = edge_request(ctx, request, spec, posts[0]["post_id"])
    q = edge.query_params
    if q.get("after") or q.get("before"):
        return
    try:
        limit = page_limit(edge)
    except MetaError:  # reported when the edge itself is rendered
        return
    descending = q.get("order") == "reverse_chronological"
    direction = "DESC" if descending else "ASC"
    toplevel = " AND parent_id IS NULL" if toplevel_only(kind, edge) else ""
    post_ids = list(dict.fromkeys(p["post_id"] for p in posts))
    pages: dict[str, list[dict[str, Any]]] = {p: [] for p in post_ids}
    for row in rows(
        ctx.cur,
        f"SELECT * FROM comments WHERE created_time <= ? AND post_id IN (SELECT unnest(?))"
        f"{toplevel} QUALIFY row_number() OVER (PARTITION BY post_id ORDER BY created_time "
        f"{direction}, comment_id {direction}) <= {limit + 1} "
        f"ORDER BY post_id, created_time {direction}, comment_id {direction}",
        [ctx.now, post_ids],
    ):
        pages[row["post_id"]].append(row)
    for post in posts:
        where, params = comments_where(ctx, kind, post, edge)
        sql = page_sql("comments", "comment_id", where, descending, limit)
        ctx.seed(sql, params, pages[post["post_id"]])
    children = spec.children or []
    node = "comment" if kind == "post" else "igcomment"
    if _names(node, children) & REPLIED:
        ctx.prefetch_replies([c["comment_id"] for page in pages.values() for c in page[:limit]])
