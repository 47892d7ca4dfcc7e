"""World rows -> YouTube Data API v3 resources (channel, playlistItem, video, comment, thread).

Only the requested ``part``s are rendered, numbers in ``statistics`` are strings and every
timestamp is RFC 3339 with ``Z``, as the real API emits them.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any

from .queries import as_rfc3339
from .world import playlist_item_id

THUMB = "https://i.ytimg.com/vi/{id}/default.jpg"
EMBEDDED_REPLIES = 5  # commentThreads.list embeds at most this many replies


def etag(*parts: Any) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:27]


def duration_iso(seconds: int) -> str:
    """ISO 8601 duration as YouTube writes it: PT#H#M#S, zero parts omitted."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    out = (
        "PT"
        + (f"{h}H" if h else "")
        + (f"{m}M" if m else "")
        + (f"{s}S" if s or not (h or m) else "")
    )
    return out


def channel(ch: dict[str, Any], parts: set[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "youtube#channel",
        "etag": etag(ch["channel_id"]),
        "id": ch["channel_id"],
    }
    if "snippet" in parts:
        item["snippet"] = {
            "title": ch["title"],
            "description": ch["description"],
            "customUrl": ch["handle"].lower(),
            "publishedAt": as_rfc3339(ch["published_at"]),
            "thumbnails": {
                "default": {
                    "url": f"https://yt3.ggpht.com/{ch['channel_id']}=s88",
                    "width": 88,
                    "height": 88,
                }
            },
            "localized": {"title": ch["title"], "description": ch["description"]},
            "country": ch["country"],
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": ch["uploads_playlist_id"]}
        }
    if "statistics" in parts:
        item["statistics"] = {
            "viewCount": str(ch["view_count"]),
            "subscriberCount": str(ch["subscriber_count"]),
            "hiddenSubscriberCount": False,
            "videoCount": str(ch["video_count"]),
        }
    return item


def _video_snippet(v: dict[str, Any], title: str) -> dict[str, Any]:
    """The snippet fields a video and its playlist item share, in YouTube's key order."""
    return {
        "publishedAt": as_rfc3339(v["published_at"]),
        "channelId": v["channel_id"],
        "title": v["title"],
        "description": v["description"],
        "thumbnails": {
            "default": {"url": THUMB.format(id=v["video_id"]), "width": 120, "height": 90}
        },
        "channelTitle": title,
    }


def playlist_item(v: dict[str, Any], playlist_id: str, title: str, parts: set[str]) -> dict:
    item: dict[str, Any] = {
        "kind": "youtube#playlistItem",
        "etag": etag(playlist_id, v["video_id"]),
        "id": playlist_item_id(playlist_id, v["video_id"]),
    }
    published = as_rfc3339(v["published_at"])
    if "snippet" in parts:
        item["snippet"] = {
            **_video_snippet(v, title),
            "playlistId": playlist_id,
            "position": int(v["position"]),
            "resourceId": {"kind": "youtube#video", "videoId": v["video_id"]},
            "videoOwnerChannelTitle": title,
            "videoOwnerChannelId": v["channel_id"],
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {"videoId": v["video_id"], "videoPublishedAt": published}
    if "status" in parts:
        item["status"] = {"privacyStatus": "public"}
    return item


def video(v: dict[str, Any], title: str, parts: set[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "youtube#video",
        "etag": etag(v["video_id"], v["view_count"]),
        "id": v["video_id"],
    }
    if "snippet" in parts:
        item["snippet"] = {
            **_video_snippet(v, title),
            "tags": list(v["tags"]),
            "categoryId": "26",
            "liveBroadcastContent": "none",
            "defaultLanguage": v["lang"],
            "localized": {"title": v["title"], "description": v["description"]},
            "defaultAudioLanguage": v["lang"],
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "duration": duration_iso(v["duration_s"]),
            "dimension": "2d",
            "definition": "hd",
            "caption": "false",
            "licensedContent": False,
            "contentRating": {},
            "projection": "rectangular",
        }
    if "statistics" in parts:
        stats = {
            "viewCount": str(v["view_count"]),
            "likeCount": str(v["like_count"]),
            "favoriteCount": "0",
        }
        if v["comment_count"] is not None:  # absent when comments are disabled
            stats["commentCount"] = str(v["comment_count"])
        item["statistics"] = stats
    if "status" in parts:
        item["status"] = {
            "uploadStatus": "processed",
            "privacyStatus": "public",
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": False,
        }
    if "paidProductPlacementDetails" in parts:  # the creator's "paid promotion" box
        placement = bool(v.get("is_disclosed"))
        item["paidProductPlacementDetails"] = {"hasPaidProductPlacement": placement}
    return item


def comment(c: dict[str, Any], plain: bool) -> dict[str, Any]:
    body = c["text"] if plain else html.escape(c["text"]).replace("\n", "<br>")
    snippet: dict[str, Any] = {
        "channelId": c["channel_id"],
        "videoId": c["video_id"],
        "textDisplay": body,
        "textOriginal": c["text"],
        "authorDisplayName": c["author_name"],
        "authorProfileImageUrl": f"https://yt3.ggpht.com/{c['author_channel_id']}=s48",
        "authorChannelUrl": f"http://www.youtube.com/{c['author_name']}",
        "authorChannelId": {"value": c["author_channel_id"]},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": int(c["like_count"]),
        "publishedAt": as_rfc3339(c["published_at"]),
        "updatedAt": as_rfc3339(c["published_at"]),
    }
    if c["parent_id"]:
        snippet = {"parentId": c["parent_id"], **snippet}
    return {
        "kind": "youtube#comment",
        "etag": etag(c["comment_id"]),
        "id": c["comment_id"],
        "snippet": snippet,
    }


def thread(
    top: dict[str, Any], replies: list[dict], total: int, parts: set[str], plain: bool
) -> dict:
    item: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": etag(top["comment_id"], total),
        "id": top["comment_id"],
    }
    if "snippet" in parts:
        item["snippet"] = {
            "channelId": top["channel_id"],
            "videoId": top["video_id"],
            "topLevelComment": comment(top, plain),
            "canReply": True,
            "totalReplyCount": total,
            "isPublic": True,
        }
    if "replies" in parts and replies:
        item["replies"] = {"comments": [comment(r, plain) for r in replies[:EMBEDDED_REPLIES]]}
    return item
