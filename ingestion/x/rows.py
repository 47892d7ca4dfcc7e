"""Row builders of the X source: validate a raw object, pseudonymise people, flatten.

A builder raises InvalidRecord (or a shape error) and the resource quarantines the record.
Person ids: a brand account's id stays verbatim (an organisation, and the join key of the
registry); anyone else's becomes HMAC-SHA256 hex (ingestion.privacy), in every column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ingestion.quarantine import InvalidRecord, opt_id, opt_str, parse_int, req_id, req_ts

from . import settings as s

Person = Callable[[str | None], str | None]


def person_key(brand_ids: set[str], hasher: Callable[[object], str | None]) -> Person:
    """Brand ids verbatim, every other user id hashed."""

    def key(user_id: str | None) -> str | None:
        if user_id is None:
            return None
        return user_id if user_id in brand_ids else hasher(user_id)

    return key


def _references(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    refs = raw.get("referenced_tweets") or []
    if not isinstance(refs, list):
        raise InvalidRecord(f"'referenced_tweets' is not a list: {refs!r}")
    out = []
    for ref in refs:
        out.append({"type": req_id(ref, "type"), "id": req_id(ref, "id")})
    return out


def _note(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``note_tweet`` of a long post (over 280 characters): its full text and entities, where
    ``text`` is cut (https://docs.x.com/x-api/fundamentals/data-dictionary, Tweet object)."""
    note = raw.get("note_tweet")
    if note is None:
        return None
    if not isinstance(note, Mapping) or not isinstance(note.get("text"), str):
        raise InvalidRecord("'note_tweet' without a text")
    return note


def _entity_values(raw: Mapping[str, Any], kind: str, key: str) -> str | None:
    note = _note(raw)
    entities = note.get("entities") if note and "entities" in note else raw.get("entities")
    if not isinstance(entities, Mapping) or not entities.get(kind):
        return None
    values = [item.get(key) for item in entities[kind] if isinstance(item, Mapping)]
    return json.dumps([v for v in values if isinstance(v, str)], ensure_ascii=False)


def tweet_row(
    raw: Any, user_id: str, fetched_at: datetime, person: Person, brand_ids: set[str]
) -> dict[str, Any]:
    """Columns shared by posts, mentions and replies."""
    tweet_id = req_id(raw, "id")
    author = req_id(raw, "author_id")
    refs = _references(raw)
    by_type = {ref["type"]: ref["id"] for ref in refs}
    note = _note(raw)
    return {
        "tweet_id": tweet_id,
        "user_id": user_id,
        "text": note["text"] if note else opt_str(raw, "text"),
        "created_at": req_ts(raw, "created_at"),
        "lang": opt_str(raw, "lang"),
        "conversation_id": opt_id(raw, "conversation_id"),
        "author_id": person(author),
        "is_from_brand": author in brand_ids,
        "in_reply_to_user_id": person(opt_id(raw, "in_reply_to_user_id")),
        "replied_to_id": by_type.get("replied_to"),
        "quoted_id": by_type.get("quoted"),
        "retweeted_id": by_type.get("retweeted"),
        "referenced_tweets": json.dumps(refs) if refs else None,
        "fetched_at": fetched_at,
    }


def post_rows(
    raw: Any, user_id: str, brand_id: str, fetched_at: datetime, person: Person, brand_ids: set
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``posts`` row and the ``post_metrics`` snapshot of one of the brand's tweets."""
    row = tweet_row(raw, user_id, fetched_at, person, brand_ids)
    row.update(
        brand_id=brand_id,
        hashtags=_entity_values(raw, "hashtags", "tag"),
        urls=_entity_values(raw, "urls", "expanded_url"),
    )
    metrics = raw.get("public_metrics")
    if not isinstance(metrics, Mapping):
        raise InvalidRecord(f"missing required 'public_metrics' (got {metrics!r})")
    snap: dict[str, Any] = {
        "tweet_id": row["tweet_id"],
        "user_id": user_id,
        "snapshot_date": fetched_at.date(),
    }
    for name in s.PUBLIC_METRICS:
        value = metrics.get(name)
        snap[name] = None if value is None else parse_int(value, f"public_metrics.{name}")
    snap["fetched_at"] = fetched_at
    return row, snap


def account_row(raw: Any, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """Daily snapshot of a brand account (``GET /2/users/{id}``)."""
    metrics = raw.get("public_metrics") if isinstance(raw, Mapping) else None
    if not isinstance(metrics, Mapping):
        raise InvalidRecord("missing required 'public_metrics'")
    return {
        "user_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "username": opt_str(raw, "username"),
        "name": opt_str(raw, "name"),
        "created_at": req_ts(raw, "created_at") if raw.get("created_at") else None,
        "followers_count": parse_int(metrics.get("followers_count"), "followers_count"),
        "following_count": parse_int(metrics.get("following_count", 0), "following_count"),
        "tweet_count": parse_int(metrics.get("tweet_count", 0), "tweet_count"),
        "listed_count": parse_int(metrics.get("listed_count", 0), "listed_count"),
        "snapshot_date": fetched_at.date(),
        "fetched_at": fetched_at,
    }


def redact(raw: Any, person: Person) -> Any:
    """A raw tweet for the quarantine payload, with its user ids pseudonymised."""
    if not isinstance(raw, Mapping):
        return raw
    out = dict(raw)
    for key in ("author_id", "in_reply_to_user_id"):
        if isinstance(out.get(key), str):
            out[key] = person(out[key])
    entities = out.get("entities")
    if isinstance(entities, Mapping) and entities.get("mentions"):
        out["entities"] = {k: v for k, v in entities.items() if k != "mentions"}
    return out


# Partial errors naming these resources carry content ids (kept, like tweet ids everywhere);
# any other (a user) carries a person's id, pseudonymised like every user id.
CONTENT_RESOURCES = frozenset({"tweet", "media"})
ERROR_FIELDS = ("title", "type", "resource_type", "parameter", "section")


def partial_error(err: Any, person: Person) -> tuple[Any, str, str | None]:
    """A partial error beside ``data`` as (quarantine payload, reason, record id).

    Shape: https://docs.x.com/x-api/fundamentals/response-codes-and-errors (partial errors:
    ``value``, ``detail``, ``title``, ``resource_type``, ``parameter``, ``resource_id``,
    ``type``). The ``detail`` repeats the id in clear, so it is kept only for content.
    """
    if not isinstance(err, Mapping):
        kind = type(err).__name__
        return {"unreadable": kind}, f"unreadable error entry (a {kind})", None
    raw_id = err.get("resource_id") or err.get("value")
    content = err.get("resource_type") in CONTENT_RESOURCES
    rid = None if raw_id is None else str(raw_id) if content else person(str(raw_id))
    payload = {key: err[key] for key in ERROR_FIELDS if key in err}
    payload["resource_id"] = rid
    detail = f": {err.get('detail')}" if content and err.get("detail") else ""
    return payload, f"{err.get('title')}{detail} ({err.get('type')})", rid
