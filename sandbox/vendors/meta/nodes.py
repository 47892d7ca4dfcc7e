"""Graph API nodes: how each world row renders as a Page, post, IG media or comment.

Fields are looked up in per-node tables so an unknown field gets Meta's own code 100 error,
and aggregates (comment counts, replies) are fetched once per page of rows, not per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.vendors.meta import metrics
from sandbox.vendors.meta.context import Ctx, MetaError, meta_time
from sandbox.vendors.meta.fields import FieldSpec
from sandbox.vendors.meta.refusals import check_business_media

ABSENT = object()
NODE_TYPES = {
    "page": "Page",
    "iguser": "IGUser",
    "post": "Post",
    "media": "IGMedia",
    "comment": "Comment",
    "igcomment": "IGComment",
}
SCENE = "https://scontent.sandbox.example"
# Fields of a post / IG media that read its comment count; of a comment, that read its replies.
COUNTED = frozenset({"comments", "comments_count", "insights", "like_count", "shares", "reactions"})
REPLIED = frozenset({"comment_count", "replies"})
ID_SPEC = FieldSpec("id")


# --- insights -------------------------------------------------------------------------------


def check_metrics(
    cat: metrics.Catalogue, platform: str, names: list[str], live: dict[str, Any]
) -> None:
    """Deprecated or unknown metrics get Meta's code 100, before any data is read."""
    deprecated = cat.deprecated(platform)
    for name in names:
        if name in deprecated:
            raise MetaError(100, deprecated[name])
        if name not in live:
            raise MetaError(100, "(#100) The value must be a valid insights metric")


def post_insights(
    ctx: Ctx,
    kind: str,
    post: dict[str, Any],
    names: list[str] | None,
) -> list[dict[str, Any]]:
    """Lifetime insights entries of a post or IG media (all live ones when names is None)."""
    base = ctx.base(post)
    if kind == "post":
        specs, values = ctx.cat.fb_post(), metrics.fb_post_metrics(ctx.cat, base)
        check_metrics(ctx.cat, "facebook", names or [], specs)
    else:
        check_business_media(ctx, kind, post)
        specs, values = ctx.cat.ig_media(), metrics.ig_media_metrics(ctx.cat, post, base)
        check_metrics(ctx.cat, "instagram", names or [], specs)
        for name in names or []:
            if name not in values:
                raise MetaError(
                    100,
                    f"(#100) The Media Insights API does not support the "
                    f"{name} metric for this media product type.",
                )
    return [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": values[name]}],
            "title": specs[name].get("title", name),
            "description": specs[name].get("description", ""),
            "id": f"{post['post_id']}/insights/{name}/lifetime",
        }
        for name in (names or list(values))
    ]


def _insights_field(ctx: Ctx, kind: str, row: dict[str, Any], spec: FieldSpec) -> Any:
    names = [m for m in spec.modifiers.get("metric", "").split(",") if m] or None
    return {"data": post_insights(ctx, kind, row, names)}


# --- field tables ---------------------------------------------------------------------------

Renderer = Callable[[Ctx, dict[str, Any], FieldSpec], Any]


def _page_ig(ctx: Ctx, row: dict[str, Any], _spec: FieldSpec) -> Any:
    found = ctx.cur.execute(
        "SELECT account_id FROM accounts WHERE brand_id = ? AND platform = 'instagram'",
        [row["brand_id"]],
    ).fetchone()
    return {"id": found[0]} if found else ABSENT


PAGE: dict[str, Renderer] = {
    "id": lambda c, r, s: r["account_id"],
    "name": lambda c, r, s: r["name"],
    "username": lambda c, r, s: r["username"],
    "category": lambda c, r, s: r["category"],
    "link": lambda c, r, s: f"https://www.facebook.com/{r['username']}",
    "followers_count": lambda c, r, s: c.followers(r),
    "fan_count": lambda c, r, s: int(c.followers(r) * 0.93),
    "instagram_business_account": _page_ig,
}
IGUSER: dict[str, Renderer] = {
    "id": lambda c, r, s: r["account_id"],
    "username": lambda c, r, s: r["username"],
    "name": lambda c, r, s: r["name"],
    "followers_count": lambda c, r, s: c.followers(r),
    "follows_count": lambda c, r, s: r["follows_count"],
    "media_count": lambda c, r, s: c.cur.execute(
        "SELECT count(*) FROM posts WHERE account_id = ? AND created_time <= ?",
        [r["account_id"], c.now],
    ).fetchone()[0],
}


def _attachments(c: Ctx, r: dict[str, Any], s: FieldSpec) -> Any:
    if r["media_type"] is None:
        return ABSENT
    kind = {"photo": "photo", "video": "video_inline", "album": "album", "link": "share"}
    url = r["link_url"] if r["media_type"] == "link" else _permalink(r)
    return {"data": [{"media_type": r["media_type"], "type": kind[r["media_type"]], "url": url}]}


def _ext(r: dict[str, Any]) -> str:
    return "mp4" if r["media_type"] == "VIDEO" else "jpg"


def _permalink(r: dict[str, Any]) -> str:
    """Facebook links reels under /reel/, every other post under the page's /posts/."""
    page, num = r["post_id"].split("_")
    if r.get("format") == "reel":
        return f"https://www.facebook.com/reel/{num}"
    return f"https://www.facebook.com/{page}/posts/{num}"


def _summary(total: int, spec: FieldSpec, extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"data": []}
    if spec.modifiers.get("summary", "").lower() in ("true", "1", "total_count"):
        out["summary"] = {"total_count": total, **extra}
    return out


POST: dict[str, Renderer] = {
    "id": lambda c, r, s: r["post_id"],
    "message": lambda c, r, s: r["text"] or ABSENT,
    "created_time": lambda c, r, s: meta_time(r["created_time"]),
    "permalink_url": lambda c, r, s: _permalink(r),
    "status_type": lambda c, r, s: r["status_type"],
    "full_picture": lambda c, r, s: f"{SCENE}/{r['post_id']}.jpg" if r["media_type"] else ABSENT,
    "shares": lambda c, r, s: {"count": c.base(r)["shares"]} if c.base(r)["shares"] else ABSENT,
    "attachments": _attachments,
    "reactions": lambda c, r, s: _summary(c.base(r)["likes"], s, {"viewer_reaction": "NONE"}),
    "comments": lambda c, r, s: _summary(
        c.comment_count(r["post_id"]), s, {"order": "ranked", "can_comment": True}
    ),
    "from": lambda c, r, s: {"id": r["account_id"], "name": c.account(r["account_id"])["name"]},
    "is_published": lambda c, r, s: True,
    "insights": lambda c, r, s: _insights_field(c, "post", r, s),
}
MEDIA: dict[str, Renderer] = {
    "id": lambda c, r, s: r["post_id"],
    "caption": lambda c, r, s: r["text"] or ABSENT,
    "comments_count": lambda c, r, s: c.comment_count(r["post_id"]),
    # Expanded with sub-fields by MetaApi._expand_edges; bare, an empty edge.
    "comments": lambda c, r, s: {"data": []},
    "like_count": lambda c, r, s: c.base(r)["likes"],
    "media_type": lambda c, r, s: r["media_type"],
    "media_product_type": lambda c, r, s: r["media_product_type"],
    "permalink": lambda c, r, s: "https://www.instagram.com/{}/{}/".format(
        "reel" if r["media_product_type"] == "REELS" else "p", r["shortcode"]
    ),
    "shortcode": lambda c, r, s: r["shortcode"],
    "timestamp": lambda c, r, s: meta_time(r["created_time"]),
    "username": lambda c, r, s: c.account(r["account_id"])["username"],
    "owner": lambda c, r, s: {"id": r["account_id"]},
    "is_comment_enabled": lambda c, r, s: bool(r["is_comment_enabled"]),
    "media_url": lambda c, r, s: f"{SCENE}/{r['post_id']}.{_ext(r)}",
    "thumbnail_url": lambda c, r, s: (
        f"{SCENE}/{r['post_id']}_thumb.jpg" if r["media_type"] == "VIDEO" else ABSENT
    ),
    "insights": lambda c, r, s: _insights_field(c, "media", r, s),
}
COMMENT: dict[str, Renderer] = {
    "id": lambda c, r, s: r["comment_id"],
    "message": lambda c, r, s: r["message"],
    "created_time": lambda c, r, s: meta_time(r["created_time"]),
    "like_count": lambda c, r, s: r["like_count"],
    "comment_count": lambda c, r, s: len(c.replies(r["comment_id"])),
    "parent": lambda c, r, s: {"id": r["parent_id"]} if r["parent_id"] else ABSENT,
    "from": lambda c, r, s: {"id": r["author_id"], "name": r["author_name"]},
    "is_hidden": lambda c, r, s: False,
    "can_comment": lambda c, r, s: r["parent_id"] is None,
}
IGCOMMENT: dict[str, Renderer] = {
    "id": lambda c, r, s: r["comment_id"],
    "text": lambda c, r, s: r["message"],
    "timestamp": lambda c, r, s: meta_time(r["created_time"]),
    "username": lambda c, r, s: r["author_name"],
    "like_count": lambda c, r, s: r["like_count"],
    "from": lambda c, r, s: {"id": r["author_id"], "username": r["author_name"]},
    "parent_id": lambda c, r, s: r["parent_id"] or ABSENT,
    "hidden": lambda c, r, s: False,
    "media": lambda c, r, s: {"id": r["post_id"]},
    "replies": lambda c, r, s: (
        {"data": render_rows(c, "igcomment", c.replies(r["comment_id"]), s.children or [])}
        if r["parent_id"] is None
        else ABSENT
    ),
}
FIELDS = {
    "page": PAGE,
    "iguser": IGUSER,
    "post": POST,
    "media": MEDIA,
    "comment": COMMENT,
    "igcomment": IGCOMMENT,
}
DEFAULTS = {
    "page": ["id", "name"],
    "iguser": ["id"],
    "post": ["created_time", "message", "id"],
    "media": ["id"],
    "comment": ["created_time", "from", "message", "id"],
    "igcomment": ["timestamp", "text", "id"],
}
NESTED = {
    "from": ("id", "name", "username"),
    "parent": ("id",),
    "owner": ("id",),
    "media": ("id",),
    "instagram_business_account": ("id",),
}


def validate(kind: str, specs: list[FieldSpec], cat: metrics.Catalogue) -> list[FieldSpec]:
    """Reject unknown fields (and deprecated metrics in ``insights.metric(...)``) up front."""
    specs = specs or [FieldSpec(name) for name in DEFAULTS[kind]]
    for spec in specs:
        if spec.name not in FIELDS[kind]:
            raise MetaError(
                100,
                f"(#100) Tried accessing nonexisting field ({spec.name}) on "
                f"node type ({NODE_TYPES[kind]})",
            )
        if spec.name == "replies" and spec.children:
            validate("igcomment", spec.children, cat)
        elif spec.name == "comments" and spec.children and kind in ("post", "media"):
            validate("comment" if kind == "post" else "igcomment", spec.children, cat)
        elif spec.name in NESTED and spec.children:
            for child in spec.child_names():
                if child not in NESTED[spec.name]:
                    raise MetaError(100, f"(#100) Tried accessing nonexisting field ({child})")
        elif spec.name == "insights":
            names = [m for m in spec.modifiers.get("metric", "").split(",") if m]
            platform = "facebook" if kind == "post" else "instagram"
            live = cat.fb_post() if kind == "post" else cat.ig_media()
            check_metrics(cat, platform, names, live)
    return specs


def _plan(ctx: Ctx, kind: str, specs: list[FieldSpec]) -> list[tuple]:
    """(spec, renderer, sub-fields kept or None) per validated field, once per request: a
    lookup renders the same field list for thousands of rows."""
    memo = ctx.memo.get((kind, id(specs)))
    if memo is not None and memo[0] is specs:  # the specs are kept alive with their plan
        return memo[1]
    table = FIELDS[kind]
    plan = [
        (
            spec,
            table[spec.name],
            set(spec.child_names()) if spec.name in NESTED and spec.children else None,
        )
        for spec in validate(kind, specs, ctx.cat)
    ]
    ctx.memo[(kind, id(specs))] = (specs, plan)
    return plan


def render_rows(
    ctx: Ctx,
    kind: str,
    items: list[dict[str, Any]],
    specs: list[FieldSpec],
) -> list[dict[str, Any]]:
    """Render a page of rows, prefetching the aggregates the requested fields need."""
    plan = _plan(ctx, kind, specs)
    names = {p[0].name for p in plan}
    if kind in ("post", "media") and names & COUNTED:
        ctx.prefetch_counts([r["post_id"] for r in items])
    if kind in ("comment", "igcomment") and names & REPLIED:
        ctx.prefetch_replies([r["comment_id"] for r in items])
    id_of = FIELDS[kind]["id"]
    out = []
    for row in items:
        obj: dict[str, Any] = {}
        for spec, render, keep in plan:
            value = render(ctx, row, spec)
            if value is ABSENT:
                continue
            if keep is not None and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k in keep}
            obj[spec.name] = value
        if "id" not in obj:
            obj["id"] = id_of(ctx, row, ID_SPEC)
        out.append(obj)
    return out
