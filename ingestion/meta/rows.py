"""Raw Graph objects -> rows of the ``raw_meta`` tables (contract: docs/sources/meta.md section 4).

Every builder validates while it flattens and raises InvalidRecord with the reason, so the
resource can quarantine the record instead of loading a half-understood row. Person fields are
hashed here; ``is_from_page``/``is_from_owner`` are computed from the clear ids first.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ingestion.quarantine import (
    InvalidRecord,
    as_date,
    nested_obj,
    opt_bool,
    opt_id,
    opt_int,
    opt_str,
    parse_int,
    parse_timestamp,
    req_id,
    req_ts,
)

Hasher = Callable[[object], str | None]


@dataclass(frozen=True)
class PostRef:
    """What later resources need from a listed post: id, age, comment count, metric set."""

    post_id: str
    account_id: str
    created_time: datetime
    comments_count: int | None
    product_type: str | None = None
    media_type: str | None = None


def _summary_count(raw: dict[str, Any], key: str) -> int | None:
    summary = nested_obj(nested_obj(raw.get(key), key).get("summary"), f"{key}.summary")
    return opt_int(summary, "total_count") if summary else None


def fb_post(raw: Any, page_id: str, fetched_at: datetime) -> tuple[dict[str, Any], PostRef]:
    """A ``published_posts`` item -> facebook_posts row and its PostRef."""
    post_id = req_id(raw, "id")
    created = req_ts(raw, "created_time")
    attachments = nested_obj(raw.get("attachments"), "attachments").get("data") or []
    if not isinstance(attachments, list):
        raise InvalidRecord(f"'attachments.data' is not a list: {attachments!r}")
    att = nested_obj(attachments[0], "attachments.data[0]") if attachments else {}
    row = {
        "post_id": post_id,
        "page_id": page_id,
        "message": opt_str(raw, "message"),
        "created_time": created,
        "permalink_url": opt_str(raw, "permalink_url"),
        "status_type": opt_str(raw, "status_type"),
        "full_picture": opt_str(raw, "full_picture"),
        "attachment_type": opt_str(att, "type"),
        "attachment_media_type": opt_str(att, "media_type"),
        "link_url": opt_str(raw, "link") or opt_str(att, "unshimmed_url") or opt_str(att, "url"),
        "fetched_at": fetched_at,
    }
    nested_obj(raw.get("shares"), "shares")
    return row, PostRef(post_id, page_id, created, _summary_count(raw, "comments"))


POST_ID = re.compile(r"\d+(_\d+)?")
"""A Graph post or media id: ``<page id>_<post id>`` (Facebook) or digits (Instagram)."""


def post_id_of(raw: Any) -> str | None:
    """The id of a raw post or media rejected for another field: its comments are still read
    (``Listing.orphans``), so one bad field does not lose them."""
    post_id = raw.get("id") if isinstance(raw, dict) else None
    return post_id if isinstance(post_id, str) and POST_ID.fullmatch(post_id) else None


def ig_media(raw: Any, ig_user_id: str, fetched_at: datetime) -> tuple[dict[str, Any], PostRef]:
    """A ``/media`` item -> instagram_media row and its PostRef."""
    media_id = req_id(raw, "id")
    created = req_ts(raw, "timestamp")
    product = opt_str(raw, "media_product_type")
    media_type = opt_str(raw, "media_type")
    opt_int(raw, "like_count")
    row = {
        "media_id": media_id,
        "ig_user_id": ig_user_id,
        "caption": opt_str(raw, "caption"),
        "media_type": media_type,
        "media_product_type": product,
        "permalink": opt_str(raw, "permalink"),
        "shortcode": opt_str(raw, "shortcode"),
        "timestamp": created,
        "username": opt_str(raw, "username"),
        "is_comment_enabled": opt_bool(raw, "is_comment_enabled"),
        "fetched_at": fetched_at,
    }
    count = opt_int(raw, "comments_count")
    return row, PostRef(media_id, ig_user_id, created, count, product, media_type)


def page_row(raw: Any, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """The Page object -> facebook_pages snapshot row (dated by the server clock)."""
    return {
        "page_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "name": opt_str(raw, "name"),
        "username": opt_str(raw, "username"),
        "category": opt_str(raw, "category"),
        "link": opt_str(raw, "link"),
        "followers_count": opt_int(raw, "followers_count"),
        "fan_count": opt_int(raw, "fan_count"),
        "snapshot_date": as_date(fetched_at),
        "fetched_at": fetched_at,
    }


def ig_account_row(raw: Any, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """The IG user object -> instagram_accounts snapshot row."""
    return {
        "ig_user_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "username": opt_str(raw, "username"),
        "name": opt_str(raw, "name"),
        "followers_count": opt_int(raw, "followers_count"),
        "follows_count": opt_int(raw, "follows_count"),
        "media_count": opt_int(raw, "media_count"),
        "snapshot_date": as_date(fetched_at),
        "fetched_at": fetched_at,
    }


def _insight_values(insights: Any) -> Iterator[tuple[str, Any]]:
    """(metric, raw value) of an insights edge; dict values flattened as ``name.key``."""
    for entry in nested_obj(insights, "insights").get("data") or []:
        entry = nested_obj(entry, "insights.data[]")
        name = req_id(entry, "name")
        values = entry.get("values")
        if isinstance(values, list) and values:
            value = nested_obj(values[0], f"{name}.values[0]").get("value")
        elif isinstance(entry.get("total_value"), dict):
            value = entry["total_value"].get("value")
        else:
            continue  # Meta sends no value when data is unavailable: that is not a zero
        if isinstance(value, dict):
            for key, sub in value.items():
                yield f"{name}.{key}", sub
        elif value is not None:
            yield name, value


def fb_metric_values(obj: Any) -> Iterator[tuple[str, Any]]:
    """Counts from the post's own fields (reactions, comments, shares) then its insights."""
    obj = nested_obj(obj, "post")
    for key in ("reactions", "comments"):
        summary = nested_obj(nested_obj(obj.get(key), key).get("summary"), f"{key}.summary")
        if "total_count" in summary:
            yield key, summary["total_count"]
    if "reactions" in obj or "shares" in obj:  # shares is omitted by Meta when zero
        yield "shares", nested_obj(obj.get("shares"), "shares").get("count", 0)
    yield from _insight_values(obj.get("insights"))


def ig_metric_values(obj: Any) -> Iterator[tuple[str, Any]]:
    """like_count and comments_count from the media fields, then its insights."""
    obj = nested_obj(obj, "media")
    for key in ("like_count", "comments_count"):
        if obj.get(key) is not None:
            yield key, obj[key]
    yield from _insight_values(obj.get("insights"))


def check_metric(metric: str, value: Any) -> int:
    """An insight value as an integer, or InvalidRecord naming the metric."""
    return parse_int(value, metric)


def series_day(end_time: Any) -> date:
    """The day a daily Graph value covers.

    Meta stamps a day's value with the end of that day in Pacific time (next day 07:00/08:00
    UTC); shifting back 9 hours maps that, a next-day 00:00Z or a same-day 23:59:59Z stamp to the
    covered day.
    """
    return (parse_timestamp(end_time, "end_time") - timedelta(hours=9)).date()


def series_values(data: Any, metric: str) -> Iterator[Any]:
    """The raw ``values`` items of ``metric`` in a Page/IG insights answer (checked later)."""
    for entry in nested_obj(data, "insights").get("data") or []:
        if isinstance(entry, dict) and entry.get("name") == metric:
            yield from entry.get("values") or []


def series_point(value: Any, metric: str) -> tuple[date, int]:
    """One daily value -> (covered day, integer value)."""
    value = nested_obj(value, f"{metric}.values[]")
    if value.get("end_time") is None:
        raise InvalidRecord(f"missing required 'end_time' in {metric} values")
    return series_day(value["end_time"]), check_metric(metric, value.get("value"))


def fb_comment(
    raw: Any, post_id: str, page_id: str, fetched_at: datetime, hasher: Hasher
) -> dict[str, Any]:
    """A Facebook comment (replies are flattened by ``filter=stream``) -> facebook_comments row."""
    author = nested_obj(raw.get("from") if isinstance(raw, dict) else None, "from")
    author_id = opt_id(author, "id")
    parent = nested_obj(raw.get("parent"), "parent") if isinstance(raw, dict) else {}
    return {
        "comment_id": req_id(raw, "id"),
        "post_id": post_id,
        "page_id": page_id,
        "parent_id": opt_id(parent, "id"),
        "message": opt_str(raw, "message"),
        "created_time": req_ts(raw, "created_time"),
        "like_count": opt_int(raw, "like_count"),
        "comment_count": opt_int(raw, "comment_count"),
        "author_id_hash": hasher(author_id),
        "author_name_hash": hasher(opt_str(author, "name")),
        "is_from_page": author_id == page_id,  # decided on clear ids, before hashing
        "fetched_at": fetched_at,
    }


def ig_comment(
    raw: Any,
    media_id: str,
    ig_user_id: str,
    fetched_at: datetime,
    hasher: Hasher,
    *,
    parent_id: str | None = None,
    owner_username: str | None = None,
) -> dict[str, Any]:
    """An Instagram comment or reply -> instagram_comments row."""
    author = nested_obj(raw.get("from") if isinstance(raw, dict) else None, "from")
    author_id = opt_id(author, "id")
    username = opt_str(raw, "username") or opt_str(author, "username")
    own = author_id == ig_user_id or (
        author_id is None and owner_username is not None and username == owner_username
    )
    return {
        "comment_id": req_id(raw, "id"),
        "media_id": media_id,
        "ig_user_id": ig_user_id,
        "parent_id": opt_id(raw, "parent_id") or parent_id,
        "text": opt_str(raw, "text"),
        "timestamp": req_ts(raw, "timestamp"),
        "like_count": opt_int(raw, "like_count"),
        "author_id_hash": hasher(author_id),
        "author_username_hash": hasher(username),
        "is_from_owner": own,
        "fetched_at": fetched_at,
    }


def redact_person_fields(raw: Any, hasher: Hasher) -> Any:
    """A copy of a comment payload with author ids, names and usernames hashed (for quarantine)."""
    if isinstance(raw, list):
        return [redact_person_fields(item, hasher) for item in raw]
    if not isinstance(raw, dict):
        return raw
    out = copy.copy(raw)
    for key, value in raw.items():
        if key == "from" and isinstance(value, dict):
            out[key] = {
                k: hasher(v) if k in ("id", "name", "username") else v for k, v in value.items()
            }
        elif key in ("username", "name"):
            out[key] = hasher(value)
        elif isinstance(value, dict | list):
            out[key] = redact_person_fields(value, hasher)
    return out
