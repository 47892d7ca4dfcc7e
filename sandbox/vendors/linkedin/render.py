"""Rendering of the emulated LinkedIn API: posts, comments, ``paging`` and time ranges.

Pure functions of a world row (and the clock's ``now``), apart from the routes in ``api.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from sandbox.vendors.linkedin import stats
from sandbox.vendors.linkedin.world import org_urn


def render_post(post: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A post as the Posts API serves it at ``now`` (edits count once made)."""
    edited = post["edited_at"] is not None and post["edited_at"] <= now
    last_modified = post["edited_at"] if edited else post["published_at"]
    out: dict[str, Any] = {
        "id": post["post_urn"],
        "author": org_urn(post["organization_id"]),
        "commentary": post["edited_text"] if edited else post["text"],
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": edited},
        "isReshareDisabledByAuthor": False,
        "createdAt": stats.epoch_ms(post["created_at"]),
        "publishedAt": stats.epoch_ms(post["published_at"]),
        "lastModifiedAt": stats.epoch_ms(last_modified),
    }
    fmt, media = post["format"], list(post["media_urns"] or [])
    if fmt == "article":
        out["content"] = {
            "article": {
                "source": post["link_url"],
                "title": post["article_title"],
                "description": "",
            }
        }
    elif fmt == "multi_image":
        out["content"] = {"multiImage": {"images": [{"id": m, "altText": ""} for m in media]}}
    elif media:
        item: dict[str, Any] = {"id": media[0]}
        if fmt == "image":
            item["altText"] = ""
        else:
            item["title"] = "Guide.pdf" if fmt == "document" else "Video"
        out["content"] = {"media": item}
    return out


def render_comment(c: dict[str, Any]) -> dict[str, Any]:
    """A comment row (with its post's ``activity_urn`` and ``replies``) as the API serves it."""
    created = {"actor": c["actor_urn"], "time": stats.epoch_ms(c["created_at"])}
    out: dict[str, Any] = {
        "id": c["comment_id"],
        "commentUrn": c["comment_urn"],
        "$URN": c["comment_urn"],
        "actor": c["actor_urn"],
        "object": c["activity_urn"],
        "message": {"text": c["message"], "attributes": []},
        "created": created,
        "lastModified": dict(created),
        "likesSummary": {
            "totalLikes": c["like_count"],
            "aggregatedTotalLikes": c["like_count"],
            "likedByCurrentUser": False,
            "selectedLikes": [],
        },
        "commentsSummary": {"totalFirstLevelComments": c["replies"], "selectedComments": []},
    }
    if c["agent_urn"]:
        out["agent"] = c["agent_urn"]
    if c["parent_id"]:
        out["parentComment"] = f"urn:li:comment:({c['activity_urn']},{c['parent_id']})"
    return out


def paging(request: Request, path: str, start: int, count: int, total: int) -> dict[str, Any]:
    """LinkedIn's ``paging``; hrefs are relative to the API host, like LinkedIn's."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("start",)]
    params = [(k, v) for k, v in params if k != "count"] + [("count", str(count))]
    links = []
    if count and start + count < total:
        nxt = urlencode(params + [("start", str(start + count))])
        links.append({"rel": "next", "type": "application/json", "href": f"{path}?{nxt}"})
    if start > 0:
        prev = urlencode(params + [("start", str(max(0, start - count)))])
        links.append({"rel": "prev", "type": "application/json", "href": f"{path}?{prev}"})
    return {"start": start, "count": count, "links": links, "total": total}


def time_range(a: date, b: date) -> dict[str, int]:
    """A statistics element's ``timeRange``: epoch ms of the two midnights."""
    return {
        "start": stats.epoch_ms(stats.midnight(a)),
        "end": stats.epoch_ms(stats.midnight(b)),
    }
