"""YouTube resources -> rows of the ``raw_youtube`` tables (contract: docs/sources/youtube.md).

Builders validate while flattening and raise ``InvalidRecord`` (quarantined by the resource).
Statistics arrive as strings (``"1520"``) and become integers here. Commenter channel ids and
display names are hashed; ``is_from_channel`` is decided on the clear id first.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingestion.quarantine import (
    BAD_RECORD,
    InvalidRecord,
    as_date,
    nested_obj,
    opt_bool,
    opt_int,
    opt_str,
    parse_int,
    reason_of,
    req_id,
    req_ts,
)

from . import settings as s
from .helpers import duration_seconds

Hasher = Callable[[object], str | None]


@dataclass(frozen=True)
class VideoRef:
    """A listed upload: what the later resources need."""

    video_id: str
    published_at: datetime


def channel_row(raw: Any, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """A ``channels.list`` item -> channels snapshot row (dated by the server clock)."""
    snippet = nested_obj(nested_obj(raw, "channel").get("snippet"), "snippet")
    stats = nested_obj(raw.get("statistics"), "statistics")
    playlists = nested_obj(
        nested_obj(raw.get("contentDetails"), "contentDetails").get("relatedPlaylists"), "p"
    )
    published = snippet.get("publishedAt")
    return {
        "channel_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "title": opt_str(snippet, "title"),
        "custom_url": opt_str(snippet, "customUrl"),
        "country": opt_str(snippet, "country"),
        "published_at": req_ts(snippet, "publishedAt") if published else None,
        "uploads_playlist_id": req_id(playlists, "uploads"),
        "subscriber_count": opt_int(stats, "subscriberCount"),
        "hidden_subscriber_count": opt_bool(stats, "hiddenSubscriberCount"),
        "view_count": opt_int(stats, "viewCount"),
        "video_count": opt_int(stats, "videoCount"),
        "snapshot_date": as_date(fetched_at),
        "fetched_at": fetched_at,
    }


def playlist_item(raw: Any, channel_id: str, fetched_at: datetime) -> tuple[dict, VideoRef]:
    """A ``playlistItems.list`` item -> playlist_items row and the video it points to."""
    snippet = nested_obj(nested_obj(raw, "playlistItem").get("snippet"), "snippet")
    details = nested_obj(raw.get("contentDetails"), "contentDetails")
    video_id = opt_str(details, "videoId") or req_id(
        nested_obj(snippet.get("resourceId"), "r"), "videoId"
    )
    published = req_ts(details, "videoPublishedAt")
    row = {
        "playlist_item_id": req_id(raw, "id"),
        "playlist_id": opt_str(snippet, "playlistId"),
        "channel_id": channel_id,
        "video_id": video_id,
        "published_at": req_ts(snippet, "publishedAt") if "publishedAt" in snippet else None,
        "video_published_at": published,
        "fetched_at": fetched_at,
    }
    return row, VideoRef(video_id, published)


VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
"""A YouTube video id: 11 characters of the URL-safe base64 alphabet."""


def video_id_of(raw: Any) -> str | None:
    """The id of a raw ``videos.list`` item rejected for another field: its comments are still
    read, so one bad field does not lose them."""
    video_id = raw.get("id") if isinstance(raw, Mapping) else None
    return video_id if isinstance(video_id, str) and VIDEO_ID.fullmatch(video_id) else None


def playlist_video_id_of(raw: Any) -> str | None:
    """The video id of a raw playlist item rejected for another field (``Listing.orphans``)."""
    details = raw.get("contentDetails") if isinstance(raw, Mapping) else None
    video_id = details.get("videoId") if isinstance(details, Mapping) else None
    return video_id if isinstance(video_id, str) and VIDEO_ID.fullmatch(video_id) else None


def video_rows(raw: Any, fetched_at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ``videos.list`` item -> (videos row, video_stats row); statistics strings -> ints."""
    video_id = req_id(raw, "id")
    snippet = nested_obj(raw.get("snippet"), "snippet")
    details = nested_obj(raw.get("contentDetails"), "contentDetails")
    stats = nested_obj(raw.get("statistics"), "statistics")
    channel_id = req_id(snippet, "channelId")
    duration = opt_str(details, "duration")
    seconds = duration_seconds(duration)
    if duration and seconds is None:
        raise InvalidRecord(f"'duration' is not an ISO 8601 duration: {duration!r}")
    tags = snippet.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise InvalidRecord(f"'tags' is not a list of strings: {tags!r}")
    video = {
        "video_id": video_id,
        "channel_id": channel_id,
        "published_at": req_ts(snippet, "publishedAt"),
        "title": opt_str(snippet, "title"),
        "description": opt_str(snippet, "description"),
        "tags": json.dumps(tags, ensure_ascii=False) if tags is not None else None,
        "category_id": opt_str(snippet, "categoryId"),
        "default_language": opt_str(snippet, "defaultLanguage"),
        "default_audio_language": opt_str(snippet, "defaultAudioLanguage"),
        "duration": duration,
        "duration_seconds": seconds,
        "is_short": None if seconds is None else seconds <= s.SHORTS_MAX_SECONDS,
        "definition": opt_str(details, "definition"),
        "caption": opt_str(details, "caption"),
        "live_broadcast_content": opt_str(snippet, "liveBroadcastContent"),
        "fetched_at": fetched_at,
    }
    if stats.get("viewCount") is None:
        raise InvalidRecord("missing required 'statistics.viewCount'")
    snapshot = {
        "video_id": video_id,
        "channel_id": channel_id,
        "snapshot_date": as_date(fetched_at),
        "view_count": opt_int(stats, "viewCount"),
        "like_count": opt_int(stats, "likeCount"),  # absent when the owner hides likes
        "favorite_count": opt_int(stats, "favoriteCount"),
        "comment_count": opt_int(stats, "commentCount"),  # absent when comments are disabled
        "fetched_at": fetched_at,
    }
    return video, snapshot


def comment_row(
    raw: Any,
    channel_id: str,
    fetched_at: datetime,
    hasher: Hasher,
    *,
    thread_id: str | None = None,
    total_reply_count: int | None = None,
) -> dict[str, Any]:
    """A ``youtube#comment`` (top-level or reply) -> comments row, author pseudonymised."""
    comment_id = req_id(raw, "id")
    snippet = nested_obj(raw.get("snippet"), "snippet")
    author = opt_str(nested_obj(snippet.get("authorChannelId"), "authorChannelId"), "value")
    parent = opt_str(snippet, "parentId")
    return {
        "comment_id": comment_id,
        "thread_id": thread_id or parent or comment_id,
        "video_id": req_id(snippet, "videoId"),
        "channel_id": channel_id,
        "parent_id": parent,
        "text": opt_str(snippet, "textOriginal") or opt_str(snippet, "textDisplay"),
        "like_count": opt_int(snippet, "likeCount"),
        "total_reply_count": total_reply_count,
        "published_at": req_ts(snippet, "publishedAt"),
        "updated_at": req_ts(snippet, "updatedAt") if snippet.get("updatedAt") else None,
        "author_channel_id_hash": hasher(author),
        "author_display_name_hash": hasher(opt_str(snippet, "authorDisplayName")),
        "is_from_channel": author == channel_id,  # decided on the clear id, before hashing
        "fetched_at": fetched_at,
    }


def thread_parts(raw: Any) -> tuple[dict[str, Any], int, list[Any]]:
    """(top-level comment, totalReplyCount, embedded replies) of a ``commentThread``."""
    snippet = nested_obj(nested_obj(raw, "commentThread").get("snippet"), "snippet")
    top = nested_obj(snippet.get("topLevelComment"), "topLevelComment")
    if not top:
        raise InvalidRecord("missing required 'snippet.topLevelComment'")
    total = opt_int(snippet, "totalReplyCount") or 0
    replies = nested_obj(raw.get("replies"), "replies").get("comments") or []
    if not isinstance(replies, list):
        raise InvalidRecord(f"'replies.comments' is not a list (got a {type(replies).__name__})")
    return top, total, replies


def parse_percent(value: Any, key: str) -> float:
    """A percentage metric (``averageViewPercentage``): a non-negative number, else invalid."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidRecord(f"{key!r} is not a percentage: {value!r}")
    return float(value)


def report_rows(
    data: dict[str, Any],
    metrics: Mapping[str, str],
    fixed: dict[str, Any],
    record_key: str,
    fetched_at: datetime,
    dimension: str = "day",
) -> tuple[list[dict[str, Any]], list[tuple[str, Any, str]]]:
    """A one-dimension result table -> (rows, [(record id, raw row, reason)] to quarantine).

    ``dimension`` is ``day`` (a day report: ``fixed`` holds the channel and the video) or
    ``video`` (a top-videos report of one day: ``fixed`` holds the channel and the ``day``).
    Columns are found by their ``columnHeaders`` name (the API's order, not the request's);
    ``metrics`` maps API metric -> raw column; a bad row is quarantined as ``<video>/<day>``
    (``<fixed[record_key]>/<day>`` for a day report).
    """
    headers = [
        nested_obj(h, "columnHeaders[]").get("name") for h in data.get("columnHeaders") or []
    ]
    missing = [n for n in (dimension, *metrics) if n not in headers]
    if missing:
        raise InvalidRecord(f"report lacks columns {missing}")
    at = headers.index(dimension)
    good, bad = [], []
    for raw in data.get("rows") or []:
        try:
            rec = dict(zip(headers, raw, strict=True))
            if dimension == "day":
                row = {**fixed, "day": date.fromisoformat(req_id(rec, "day"))}
            else:
                row = {**fixed, "video_id": req_id(rec, dimension)}
            for metric, col in metrics.items():
                parse = parse_percent if metric in s.FLOAT_METRICS else parse_int
                row[col] = parse(rec[metric], metric)
            row["fetched_at"] = fetched_at
            good.append(row)
        except BAD_RECORD as exc:
            key = raw[at] if isinstance(raw, list) and len(raw) > at else "?"
            rid = f"{fixed[record_key]}/{key}" if dimension == "day" else f"{key}/{fixed['day']}"
            bad.append((rid, raw, reason_of(exc)))
    return good, bad


def redact(raw: Any, hasher: Hasher) -> Any:
    """A copy of a payload with author ids, names, urls and avatars hashed (for quarantine)."""
    if isinstance(raw, list):
        return [redact(item, hasher) for item in raw]
    if not isinstance(raw, dict):
        return raw
    out = copy.copy(raw)
    for key, value in raw.items():
        if key == "authorChannelId" and isinstance(value, dict):
            out[key] = {"value": hasher(value.get("value"))}
        elif key in ("authorDisplayName", "authorChannelUrl", "authorProfileImageUrl"):
            out[key] = hasher(value)
        elif isinstance(value, dict | list):
            out[key] = redact(value, hasher)
    return out
