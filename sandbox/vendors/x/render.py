"""Rendering of the emulated X API: problem JSON, tweet objects, entities, paging tokens."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from . import truth

PROBLEMS = "https://api.x.com/2/problems"


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any):
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    if kind != "about:blank":
        body.pop("status")
    return status, body


def invalid(param: str, value: Any, message: str) -> tuple[int, dict[str, Any]]:
    return 400, {
        "errors": [{"parameters": {param: [str(value)]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": f"{PROBLEMS}/invalid-request",
    }


class BadRequest(Exception):
    def __init__(self, answer: tuple[int, dict[str, Any]]) -> None:
        self.answer = answer


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def encode_token(num: int) -> str:
    digits, out = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    num ^= 0x5A17C0DE5A17C0DE
    while num:
        num, r = divmod(num, 36)
        out = digits[r] + out
    return out or "0"


def decode_token(token: str) -> int:
    try:
        return int(token, 36) ^ 0x5A17C0DE5A17C0DE
    except ValueError:
        raise BadRequest(
            invalid("pagination_token", token, f"The pagination token [{token}] is invalid")
        ) from None


def gone(row: dict[str, Any], now: datetime) -> bool:
    return row["deleted_at"] is not None and row["deleted_at"] <= now


def user_missing(user_id: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "value": user_id,
                "detail": f"Could not find user with id: [{user_id}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": user_id,
                "type": f"{PROBLEMS}/resource-not-found",
            }
        ]
    }


LONG = 280  # a longer text is a long post: ``text`` cut, the whole in ``note_tweet.text``
REFERENCES = (
    ("replied_to_id", "replied_to"),
    ("quoted_id", "quoted"),
    ("retweeted_id", "retweeted"),
)


def references(t: dict[str, Any]) -> list[dict[str, str]]:
    """``referenced_tweets`` of a tweet: replied to, quoted, reposted (``.get``: a store of an
    older generator has no quote or repost columns)."""
    return [{"type": kind, "id": t[col]} for col, kind in REFERENCES if t.get(col)]


def tweet(t: dict[str, Any], fields: set[str], now: datetime, counts: dict) -> dict[str, Any]:
    """One tweet object with the requested ``tweet.fields`` (id, text, edit history always)."""
    out: dict[str, Any] = {
        "id": t["tweet_id"],
        "text": t["text"][:LONG],
        "edit_history_tweet_ids": [t["tweet_id"]],
    }
    if "note_tweet" in fields and len(t["text"]) > LONG:
        out["note_tweet"] = {"text": t["text"], **({"entities": e} if (e := entities(t)) else {})}
    if "created_at" in fields:
        out["created_at"] = iso(t["created_at"])
    if "author_id" in fields:
        out["author_id"] = t["author_id"]
    if "conversation_id" in fields:
        out["conversation_id"] = t["conversation_id"]
    if "lang" in fields:
        out["lang"] = t["lang"]
    if "in_reply_to_user_id" in fields and t["in_reply_to_user_id"]:
        out["in_reply_to_user_id"] = t["in_reply_to_user_id"]
    if "referenced_tweets" in fields and (refs := references(t)):
        out["referenced_tweets"] = refs
    if "public_metrics" in fields:
        out["public_metrics"] = truth.public_metrics(t, now, counts.get(t["tweet_id"], 0))
    if "entities" in fields and (ents := entities(t, LONG)):
        out["entities"] = ents
    return out


def entities(t: dict[str, Any], upto: int | None = None) -> dict[str, Any]:
    """Hashtags, the leading @mention and the t.co link found in the text (its first ``upto``
    characters: the ``text`` of a long post; all of it: its ``note_tweet``)."""
    body, ents = t["text"][:upto], {}
    tags = []
    for tag in t["hashtags"] or []:
        at = body.find(tag)
        if at >= 0:
            tags.append({"start": at, "end": at + len(tag), "tag": tag.lstrip("#")})
    if tags:
        ents["hashtags"] = tags
    handle = re.match(r"@(\w+)", body)
    if handle:
        uid = t["in_reply_to_user_id"] or t["account_id"]
        ents["mentions"] = [
            {"start": 0, "end": handle.end(), "username": handle.group(1), "id": uid}
        ]
    if t["tco_url"] and (at := body.find(t["tco_url"])) >= 0:
        shown = t["link_url"].split("://", 1)[-1]
        ents["urls"] = [
            {
                "start": at,
                "end": at + len(t["tco_url"]),
                "url": t["tco_url"],
                "expanded_url": t["link_url"],
                "display_url": shown[:23] + "…",
            }
        ]
    return ents
