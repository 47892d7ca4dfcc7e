"""Row builders: one Trustpilot JSON object -> one raw row, validated, people pseudonymised.

Builders raise ``InvalidRecord`` (or a shape error) on a record that breaks the contract; the
resource quarantines it with the reason. Consumer id and display name and the replying staff
member's name are HMAC-hashed here, before anything is loaded; ``displayLocation`` is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from ingestion.quarantine import (
    InvalidRecord,
    as_date,
    nested_obj,
    opt_bool,
    opt_int,
    opt_str,
    parse_timestamp,
    req_id,
    req_ts,
)
from ingestion.tables import add_unknown_fields, arrow_table_with_extras

from . import settings as s

Hasher = Callable[[object], str | None]


def _opt_ts(record: Mapping[str, Any], key: str) -> datetime | None:
    value = record.get(key)
    return None if value is None else parse_timestamp(value, key)


def _stars(record: Mapping[str, Any]) -> int:
    stars = opt_int(record, "stars")
    if stars is None:
        raise InvalidRecord("missing required 'stars'")
    if not 1 <= stars <= 5:
        raise InvalidRecord(f"'stars' is not between 1 and 5: {stars!r}")
    return stars


def review_row(
    raw: Any, bu_id: str, brand_id: str, fetched_at: datetime, hasher: Hasher
) -> dict[str, Any]:
    """A ``reviews`` row; unknown top-level fields ride along as extra text columns, keyed
    (their meaning is unreviewed: they may name the consumer)."""
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"review is a {type(raw).__name__}, not an object")
    consumer = nested_obj(raw.get("consumer"), "consumer")
    reply = nested_obj(raw.get("companyReply"), "companyReply")
    reply_at = req_ts(reply, "createdAt") if reply else None
    row = {
        "review_id": req_id(raw, "id"),
        "business_unit_id": bu_id,
        "brand_id": brand_id,
        "stars": _stars(raw),
        "title": opt_str(raw, "title"),
        "text": opt_str(raw, "text"),
        "language": opt_str(raw, "language"),
        "created_at": req_ts(raw, "createdAt"),
        "updated_at": _opt_ts(raw, "updatedAt"),
        "experienced_at": _opt_ts(raw, "experiencedAt"),
        "consumer_id_hash": hasher(opt_str(consumer, "id")),
        "consumer_name_hash": hasher(opt_str(consumer, "displayName")),
        "consumer_number_of_reviews": opt_int(consumer, "numberOfReviews"),
        "is_verified": opt_bool(raw, "isVerified"),
        "number_of_likes": opt_int(raw, "numberOfLikes"),
        "status": opt_str(raw, "status"),
        "has_reply": bool(reply),
        "reply_text": opt_str(reply, "text") if reply else None,
        "reply_author_hash": hasher(opt_str(reply, "authorBusinessUserName")) if reply else None,
        "reply_created_at": reply_at,
        "fetched_at": fetched_at,
    }
    return add_unknown_fields(row, raw, s.KNOWN_REVIEW_FIELDS, protect=hasher)


def snapshot_row(row: dict[str, Any]) -> dict[str, Any]:
    """The dated metrics of a review as listed today (likes move; stars/reply can change)."""
    return {
        "review_id": row["review_id"],
        "snapshot_date": as_date(row["fetched_at"]),
        "business_unit_id": row["business_unit_id"],
        "stars": row["stars"],
        "number_of_likes": row["number_of_likes"],
        "has_reply": row["has_reply"],
        "is_edited": row["updated_at"] is not None,
        "fetched_at": row["fetched_at"],
    }


def business_unit_row(raw: Any, bu_id: str, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """A ``business_units`` snapshot row, dated by the server clock."""
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"business unit is a {type(raw).__name__}, not an object")
    got = req_id(raw, "id")
    if got != bu_id:
        raise InvalidRecord(f"'id' {got!r} is not the business unit requested ({bu_id})")
    score = nested_obj(raw.get("score"), "score")
    counts = nested_obj(raw.get("numberOfReviews"), "numberOfReviews")
    return {
        "business_unit_id": bu_id,
        "brand_id": brand_id,
        "display_name": opt_str(raw, "displayName"),
        "website_url": opt_str(raw, "websiteUrl"),
        "country": opt_str(raw, "country"),
        "status": opt_str(raw, "status"),
        "trust_score": _number(score, "trustScore"),
        "stars": _number(score, "stars"),
        "number_of_reviews": opt_int(counts, "total"),
        "used_for_trust_score": opt_int(counts, "usedForTrustScoreCalculation"),
        "one_star": opt_int(counts, "oneStar"),
        "two_stars": opt_int(counts, "twoStars"),
        "three_stars": opt_int(counts, "threeStars"),
        "four_stars": opt_int(counts, "fourStars"),
        "five_stars": opt_int(counts, "fiveStars"),
        "snapshot_date": as_date(fetched_at),
        "fetched_at": fetched_at,
    }


def _number(record: Mapping[str, Any], key: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRecord(f"{key!r} is not a number: {value!r}")
    return float(value)


def redact(raw: Any, hasher: Hasher) -> Any:
    """A review payload safe for the quarantine table: people hashed, location dropped."""
    if not isinstance(raw, Mapping):
        return raw
    out = dict(raw)
    consumer = out.get("consumer")
    if isinstance(consumer, Mapping):
        out["consumer"] = {
            **{k: v for k, v in consumer.items() if k not in ("displayLocation", "links")},
            "id": hasher(consumer.get("id")),
            "displayName": hasher(consumer.get("displayName")),
        }
    reply = out.get("companyReply")
    if isinstance(reply, Mapping) and "authorBusinessUserName" in reply:
        out["companyReply"] = {
            **reply,
            "authorBusinessUserName": hasher(reply.get("authorBusinessUserName")),
        }
    return out


def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table with the raw table's typed columns (+ extra fields as text)."""
    return arrow_table_with_extras(s.COLUMNS[table], rows)
