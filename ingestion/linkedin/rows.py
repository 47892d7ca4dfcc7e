"""Raw LinkedIn objects -> rows of the ``raw_linkedin`` tables (contract: docs/sources/linkedin.md).

Every builder validates while it flattens and raises InvalidRecord with the reason, so the
resource quarantines the record instead of loading a half-understood row. LinkedIn timestamps
are epoch **milliseconds**. Person URNs are hashed here; ``is_from_organization`` is computed
from the clear actor first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ingestion.quarantine import (
    InvalidRecord,
    describe,
    nested_obj,
    opt_bool,
    opt_str,
    parse_int,
    req_id,
)
from ingestion.tables import add_unknown_fields

from . import settings as s

Hasher = Callable[[object], str | None]
POST_URN = re.compile(r"^urn:li:(share|ugcPost):\d+$")
URL = re.compile(r"https?://[^\s<>\"{}|\\^`\[\]]+")
HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
MENTION = re.compile(r"@\[([^\]]*)\]\((urn:li:[^)]*)\)")
ESCAPED = re.compile(r"\\(.)")


@dataclass(frozen=True)
class PostRef:
    """What later resources need from a listed post."""

    post_urn: str
    organization_id: str
    published_at: datetime
    last_modified_at: datetime


def from_ms(value: Any, key: str) -> datetime:
    """Epoch milliseconds -> aware UTC datetime; anything else is a bad record."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRecord(f"{key!r} is not epoch milliseconds: {value!r}")
    try:
        return datetime.fromtimestamp(value / 1000.0, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidRecord(f"{key!r} is not epoch milliseconds: {value!r}") from None


def req_ms(record: Mapping[str, Any], key: str) -> datetime:
    if not isinstance(record, Mapping):
        raise InvalidRecord(f"record is a {type(record).__name__}, not an object")
    if record.get(key) is None:
        raise InvalidRecord(f"missing required {key!r}")
    return from_ms(record[key], key)


def opt_ms(record: Mapping[str, Any], key: str) -> datetime | None:
    value = record.get(key) if isinstance(record, Mapping) else None
    return None if value is None else from_ms(value, key)


def opt_count(record: Mapping[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    count = parse_int(value, key)
    if count < 0:
        raise InvalidRecord(f"{key!r} is negative: {value!r}")
    return count


def plain_text(commentary: str | None) -> str | None:
    """LinkedIn "little text" -> plain text: hashtags as ``#tag``, mentions as their name."""
    if commentary is None:
        return None
    out = HASHTAG.sub(lambda m: "#" + m.group(1), commentary)
    out = MENTION.sub(lambda m: m.group(1), out)
    return ESCAPED.sub(lambda m: m.group(1), out)


def _content(raw: Mapping[str, Any]) -> dict[str, Any]:
    """content_type, media_urn, media_count, article_url, article_title of a post."""
    content = nested_obj(raw.get("content"), "content")
    out: dict[str, Any] = {
        "content_type": "text",
        "media_urn": None,
        "media_count": 0,
        "article_url": None,
        "article_title": None,
    }
    if not content:
        return out
    if "article" in content:
        article = nested_obj(content["article"], "content.article")
        out.update(
            content_type="article",
            article_url=opt_str(article, "source"),
            article_title=opt_str(article, "title"),
        )
    elif "multiImage" in content:
        images = nested_obj(content["multiImage"], "content.multiImage").get("images") or []
        if not isinstance(images, list):
            got = describe(images)
            raise InvalidRecord(f"'content.multiImage.images' is not a list (got {got})")
        first = nested_obj(images[0], "content.multiImage.images[0]") if images else {}
        out.update(
            content_type="multi_image", media_urn=opt_str(first, "id"), media_count=len(images)
        )
    elif "media" in content:
        media = nested_obj(content["media"], "content.media")
        urn = opt_str(media, "id")
        kind = urn.split(":")[2] if urn and urn.count(":") >= 3 else "media"
        out.update(content_type=kind, media_urn=urn, media_count=1)
    elif "poll" in content:
        out["content_type"] = "poll"
    else:
        out["content_type"] = "other"
    return out


def organization(
    org: Mapping[str, Any],
    size: Mapping[str, Any],
    organization_id: str,
    brand_id: str,
    fetched_at: datetime,
) -> dict[str, Any]:
    """The daily organization snapshot: the lookup's names and networkSizes' follower count."""
    followers = size.get("firstDegreeSize")
    return {
        "organization_id": organization_id,
        "brand_id": brand_id,
        "organization_urn": f"urn:li:organization:{organization_id}",
        "name": org.get("localizedName"),
        "vanity_name": org.get("vanityName"),
        "website": org.get("localizedWebsite"),
        "followers_count": None if followers is None else parse_int(followers, "firstDegreeSize"),
        "snapshot_date": fetched_at.date(),
        "fetched_at": fetched_at,
    }


def post(
    raw: Any, organization_id: str, fetched_at: datetime, protect: Hasher | None = None
) -> tuple[dict[str, Any], PostRef]:
    """A ``/rest/posts`` element -> linkedin_posts row and its PostRef; a field of unknown
    meaning is loaded through ``protect`` (the keyed hash), never in clear."""
    urn = req_id(raw, "id")
    match = POST_URN.match(urn)
    if not match:
        raise InvalidRecord(f"'id' is not a share or ugcPost URN: {urn!r}")
    published = opt_ms(raw, "publishedAt")
    created = req_ms(raw, "createdAt")
    published = published or created
    last_modified = opt_ms(raw, "lastModifiedAt") or published
    commentary = opt_str(raw, "commentary")
    text = plain_text(commentary)
    content = _content(raw)
    link = content["article_url"]
    if link is None and text:
        found = URL.search(text)
        link = found.group(0).rstrip(".,;:!?)") if found else None
    lifecycle_info = nested_obj(raw.get("lifecycleStateInfo"), "lifecycleStateInfo")
    distribution = nested_obj(raw.get("distribution"), "distribution")
    reshare = nested_obj(raw.get("reshareContext"), "reshareContext")
    row = {
        "post_urn": urn,
        "organization_id": organization_id,
        "post_type": match.group(1),
        "author_urn": opt_str(raw, "author"),
        "commentary": commentary,
        "commentary_text": text,
        **content,
        "link_url": link,
        "visibility": opt_str(raw, "visibility"),
        "lifecycle_state": opt_str(raw, "lifecycleState"),
        "feed_distribution": opt_str(distribution, "feedDistribution"),
        "is_edited": opt_bool(lifecycle_info, "isEditedByAuthor"),
        "is_reshare_disabled": opt_bool(raw, "isReshareDisabledByAuthor"),
        "reshare_parent_urn": opt_str(reshare, "parent"),
        "created_at": created,
        "published_at": published,
        "last_modified_at": last_modified,
        "fetched_at": fetched_at,
    }
    add_unknown_fields(row, raw, s.KNOWN_POST_FIELDS, protect=protect)
    return row, PostRef(urn, organization_id, published, last_modified)


def statistics(element: Any) -> dict[str, Any]:
    """``totalShareStatistics`` -> the metric columns (absent counts stay NULL, not 0)."""
    stats = nested_obj(
        nested_obj(element, "element").get("totalShareStatistics"), "totalShareStatistics"
    )
    if not stats:
        raise InvalidRecord("missing 'totalShareStatistics'")
    out: dict[str, Any] = {
        column: opt_count(stats, key) for key, column in s.SHARE_STATISTICS.items()
    }
    engagement = stats.get("engagement")
    if engagement is not None:
        if isinstance(engagement, bool) or not isinstance(engagement, int | float):
            raise InvalidRecord(f"'engagement' is not a number: {engagement!r}")
        engagement = float(engagement)
    out["engagement"] = engagement
    return out


def post_of(element: Any) -> str:
    """The ``share`` or ``ugcPost`` URN a per-post statistics element is about."""
    if not isinstance(element, Mapping):
        raise InvalidRecord(f"record is a {type(element).__name__}, not an object")
    urn = element.get("share") or element.get("ugcPost")
    if not isinstance(urn, str) or not POST_URN.match(urn):
        raise InvalidRecord(f"statistics element names no share/ugcPost URN: {urn!r}")
    return urn


def day_of(element: Any) -> date:
    """The UTC day a time-bound element covers (its ``timeRange.start``)."""
    time_range = nested_obj(nested_obj(element, "element").get("timeRange"), "timeRange")
    return req_ms(time_range, "start").date()


def follower_gains(element: Any) -> tuple[int, int]:
    gains = nested_obj(nested_obj(element, "element").get("followerGains"), "followerGains")
    if not gains:
        raise InvalidRecord("missing 'followerGains'")
    organic, paid = gains.get("organicFollowerGain"), gains.get("paidFollowerGain")
    return (
        parse_int(organic if organic is not None else 0, "organicFollowerGain"),
        parse_int(paid if paid is not None else 0, "paidFollowerGain"),
    )


def facet_rows(element: Any) -> list[tuple[str, str, int | None, int | None]]:
    """(facet, value, organic, paid) of every facet list of a lifetime follower element."""
    record = nested_obj(element, "element")
    out = []
    for list_name, (facet, key) in s.FACETS.items():
        entries = record.get(list_name)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise InvalidRecord(f"{list_name!r} is not a list (got {describe(entries)})")
        for i, entry in enumerate(entries):
            entry = nested_obj(entry, f"{list_name}[{i}]")
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                raise InvalidRecord(f"{list_name}[{i}] has no {key!r} (got {describe(entry)})")
            counts = nested_obj(entry.get("followerCounts"), f"{list_name}[{i}].followerCounts")
            out.append(
                (
                    facet,
                    value,
                    opt_count(counts, "organicFollowerCount"),
                    opt_count(counts, "paidFollowerCount"),
                )
            )
    return out


def comment(
    raw: Any,
    post_urn: str,
    organization_id: str,
    fetched_at: datetime,
    hasher: Hasher,
) -> dict[str, Any]:
    """A ``socialActions/{urn}/comments`` element -> linkedin_comments row (actor hashed)."""
    urn = req_id(raw, "commentUrn")
    comment_id = raw.get("id")
    if comment_id is not None and not isinstance(comment_id, str | int):
        raise InvalidRecord(f"'id' is not an id: {comment_id!r}")
    actor = req_id(raw, "actor")
    agent = raw.get("agent")
    if agent is not None and not isinstance(agent, str):
        raise InvalidRecord(f"'agent' is not a URN (got a {type(agent).__name__})")
    created = nested_obj(raw.get("created"), "created")
    modified = nested_obj(raw.get("lastModified"), "lastModified")
    likes = nested_obj(raw.get("likesSummary"), "likesSummary")
    replies = nested_obj(raw.get("commentsSummary"), "commentsSummary")
    message = nested_obj(raw.get("message"), "message")
    like_count = opt_count(likes, "totalLikes")
    if like_count is None:
        like_count = opt_count(likes, "aggregatedTotalLikes")
    row = {
        "comment_urn": urn,
        "comment_id": str(comment_id) if comment_id is not None else None,
        "post_urn": post_urn,
        "organization_id": organization_id,
        "parent_comment_urn": opt_str(raw, "parentComment"),
        "message": opt_str(message, "text"),
        "created_at": req_ms(created, "time"),
        "last_modified_at": opt_ms(modified, "time"),
        "like_count": like_count,
        "reply_count": opt_count(replies, "totalFirstLevelComments"),
        "author_type": actor.split(":")[2] if actor.count(":") >= 3 else None,
        "author_urn_hash": hasher(actor),
        "agent_urn_hash": hasher(agent),
        "is_from_organization": actor == f"urn:li:organization:{organization_id}",
        "fetched_at": fetched_at,
    }
    # A field LinkedIn adds to comments could name a member: it is loaded as a keyed hash.
    return add_unknown_fields(row, raw, s.KNOWN_COMMENT_FIELDS, protect=hasher)


def redact(raw: Any, hasher: Hasher) -> Any:
    """A comment payload with its person URNs hashed, for the quarantine table."""
    if not isinstance(raw, Mapping):
        return raw
    out = dict(raw)
    for key in ("actor", "agent"):
        if isinstance(out.get(key), str):
            out[key] = hasher(out[key])
    for key in ("created", "lastModified"):
        stamp = out.get(key)
        if isinstance(stamp, Mapping):
            stamp = dict(stamp)
            for person in ("actor", "impersonator"):
                if isinstance(stamp.get(person), str):
                    stamp[person] = hasher(stamp[person])
            out[key] = stamp
    out.pop("$URN", None)
    return out


def post_urn_of(raw: Any) -> str | None:
    """The URN of a raw post rejected for another field: its comments are still read."""
    urn = raw.get("id") if isinstance(raw, Mapping) else None
    return urn if isinstance(urn, str) and POST_URN.match(urn) else None


def record_urn(raw: Any) -> str | None:
    """The comment URN of a raw comment, when it has a usable one (quarantine record id)."""
    urn = raw.get("commentUrn") if isinstance(raw, Mapping) else None
    return urn if isinstance(urn, str) and urn else None


def range_start(element: Any) -> Any:
    """``timeRange.start`` of a time-bound element, whatever it is (quarantine record id)."""
    if isinstance(element, Mapping) and isinstance(element.get("timeRange"), Mapping):
        return element["timeRange"].get("start")
    return None
