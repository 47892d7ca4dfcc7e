"""Query parameters of the emulated X API: the known field names and their validation.

X rejects unknown parameters and field values with a 400 naming them; these checks are apart
from ``api.py`` so the routes read as queries on the world store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .render import BadRequest, invalid

TWEET_FIELDS = frozenset(
    [
        "attachments",
        "author_id",
        "card_uri",
        "context_annotations",
        "conversation_id",
        "created_at",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
USER_FIELDS = frozenset(
    [
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_image_url",
        "protected",
        "public_metrics",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ]
)
EXPANSIONS = frozenset(
    [
        "attachments.media_keys",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    ]
)
LIST_PARAMS = {
    "max_results",
    "tweet.fields",
    "expansions",
    "user.fields",
    "media.fields",
    "place.fields",
    "poll.fields",
    "since_id",
    "until_id",
    "start_time",
    "end_time",
}


def check_params(q: Any, allowed: set[str]) -> None:
    """X answers 400 for any query parameter the endpoint does not know."""
    for name in q:
        if name not in allowed:
            raise BadRequest(
                invalid(
                    name,
                    q[name],
                    f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]",
                )
            )


def fields_of(q: Any, name: str, allowed: frozenset[str]) -> set[str]:
    """The comma list ``name`` (``tweet.fields``...); an unknown value is a 400."""
    values = {v.strip() for v in (q.get(name) or "").split(",") if v.strip()}
    for value in sorted(values - allowed):
        raise BadRequest(
            invalid(
                name,
                value,
                f"The `{name}` query parameter value [{value}] "
                f"is not one of [{','.join(sorted(allowed))}]",
            )
        )
    return values


def int_param(q: Any, name: str, default: int) -> int:
    """A non-negative integer parameter, ``default`` when absent; anything else is a 400."""
    raw = q.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadRequest(
            invalid(name, raw, f"The `{name}` query parameter value [{raw}] is not a valid number")
        )
    return int(raw)


def time_param(q: Any, name: str) -> datetime:
    """An RFC 3339 time parameter as naive UTC (the world's clock); a bad one is a 400."""
    raw = q[name]
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(invalid(name, raw, f"Invalid '{name}':'{raw}'")) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
