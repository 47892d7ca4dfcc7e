"""HTTP and record helpers of the Google Business Profile source, on the shared ApiClient.

Google answers errors with the google.rpc envelope ``{"error": {code, message, status,
details}}``: quota (429 RESOURCE_EXHAUSTED, per minute) and 5xx are retried, honouring
``Retry-After`` when sent; a bad or expired token (401) is renewed once through Google's token
endpoint (``ingestion.google_oauth``) or fails; a location the token may not read (403
PERMISSION_DENIED) or an unknown location / retired version (404) fail the source at once, with
the location and Google's own message, because retrying cannot fix them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import requests

from ingestion.google_oauth import GoogleClient, GoogleOAuth, google_token
from ingestion.http import (
    Answer,
    ApiClient,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    error_object,
    retry_after_s,
    token_pages,
)
from ingestion.privacy import Pseudonymiser
from ingestion.quarantine import (
    InvalidRecord,
    nested_obj,
    opt_bool,
    opt_id,
    opt_str,
    parse_timestamp,
    req_id,
)
from ingestion.tables import add_unknown_fields

from . import settings as s

_FRACTION = re.compile(r"(\.\d{6})\d+")
TRANSLATED_MARK = "(Translated by Google)"
ORIGINAL_MARK = "\n\n(Original)\n"


def google_error(resp: requests.Response) -> dict[str, Any]:
    """The google.rpc ``error`` object of an answer ({} when the body is not one)."""
    err = error_object(resp)
    if not err:
        return {}
    details = err.get("details") if isinstance(err.get("details"), list) else []
    reasons = [d.get("reason") for d in details if isinstance(d, dict) and d.get("reason")]
    return {**err, "reason": reasons[0] if reasons else None}


def describe(resp: requests.Response, err: dict[str, Any]) -> str:
    """``HTTP 401 UNAUTHENTICATED (ACCESS_TOKEN_EXPIRED): 'Request had ...'`` for messages."""
    status = err.get("status") or "?"
    reason = f" ({err['reason']})" if err.get("reason") else ""
    return f"HTTP {resp.status_code} {status}{reason}: {err.get('message')!r}"


def classify(resp: requests.Response, account: str) -> Verdict:
    """Google's dialect -> ok / retry (after Retry-After if given) / fail naming the location."""
    code = resp.status_code
    if code < 400:
        try:
            resp.json()
        except ValueError as exc:  # a truncated page: transient transport fault
            return Verdict.retry(f"HTTP {code} with an unreadable JSON body ({exc})")
        return Verdict.ok()
    err = google_error(resp)
    what = describe(resp, err)
    status = err.get("status")
    if code == 429 or code >= 500 or status in s.RETRY_STATUSES:
        return Verdict.retry(what, retry_after_s(resp.headers))
    if code == 401 or status == "UNAUTHENTICATED":  # renewed once, if it can be
        error: SourceError = TokenRejected(s.SOURCE_NAME, account, f"access token rejected: {what}")
    elif code == 403 or status == "PERMISSION_DENIED":
        error = SourceAuthError(
            s.SOURCE_NAME,
            account,
            f"permission denied on this location: {what}; the token's Google account must be "
            "an owner or manager of the location",
        )
    elif code == 404:
        error = SourceError(
            s.SOURCE_NAME,
            account,
            f"not found: {what}; check the location in config/brands.yaml and the API version",
        )
    else:
        error = SourceError(s.SOURCE_NAME, account, f"request refused: {what}")
    return Verdict.fail(error)


def make_client(
    oauth: GoogleOAuth | str | None,
    base_url: str,
    api_version: str,
    policy: RetryPolicy,
    account: str,
) -> ApiClient:
    """The shared retrying client on ``{base_url}/{api_version}`` with the source's one OAuth
    token (a bare string is an access token without renewal); no token at all fails here."""
    if not isinstance(oauth, GoogleOAuth):
        oauth = GoogleOAuth(access_token=oauth)
    token = google_token(s.SOURCE_NAME, oauth, s.OAUTH_SCOPE)
    token.account = account
    return GoogleClient(
        s.SOURCE_NAME,
        f"{base_url.rstrip('/')}/{api_version.strip('/')}",
        classify,
        policy=policy,
        headers={"Accept": "application/json"},
        token=token,
    )


def review_pages(
    client: ApiClient,
    location: str,
    page_size: int,
    first: tuple[Answer, dict[str, Any]] | None = None,
) -> Iterator[tuple[Answer, dict[str, Any]]]:
    """Every page of a location's reviews, newest ``updateTime`` first, until no nextPageToken;
    from ``first`` (the first page, already read this run) and its token when given."""
    params: dict[str, Any] = {"pageSize": min(page_size, s.PAGE_SIZE), "orderBy": s.ORDER_BY}
    if first is not None:
        yield first
        params["pageToken"] = first[1].get("nextPageToken")
        if not params["pageToken"]:
            return
    yield from token_pages(client, f"{location}/reviews", params, location)


def split_translation(comment: str | None) -> tuple[str | None, str | None]:
    """(what the person wrote, Google's machine translation or None) of a ``comment``.

    Google has no language field and no separate translation: a review (or reply) in another
    language than the business's comes back as one string, seen from the live API in two
    shapes (public GBP integrations split both): ``(Translated by Google) <translation>\n\n
    (Original)\n<original>`` and ``<original>\n\n(Translated by Google)\n<translation>``.
    Anything else, a malformed envelope included, is kept whole as the original.
    """
    if comment is None:
        return None, None
    body = comment.strip()
    if body.startswith(TRANSLATED_MARK):  # the first marker: the original keeps every char
        translation, marker, original = body[len(TRANSLATED_MARK) :].partition(ORIGINAL_MARK)
        if marker and original.strip():
            return original.strip(), translation.strip() or None
        return comment, None
    original, marker, translation = body.rpartition(f"\n\n{TRANSLATED_MARK}")
    if marker and original.strip() and translation.strip():
        return original.strip(), translation.strip()
    return comment, None


def parse_rfc3339(value: Any, key: str) -> datetime:
    """Google's RFC 3339 (``Z``, up to nanoseconds) as an aware UTC datetime."""
    if isinstance(value, str):
        value = _FRACTION.sub(r"\1", value)
    return parse_timestamp(value, key)


def req_time(record: Mapping[str, Any], key: str) -> datetime:
    value = record.get(key)
    if value is None:
        raise InvalidRecord(f"missing required {key!r}")
    return parse_rfc3339(value, key)


def review_row(
    raw: Any,
    location: str,
    brand_id: str | None,
    fetched_at: datetime,
    hasher: Pseudonymiser,
) -> dict[str, Any]:
    """One ``reviews`` row; raises InvalidRecord naming what is wrong. Reviewer pseudonymised,
    photo URL dropped (only whether there is one is kept); review and reply text are what was
    written, Google's translation of the review is kept apart (``split_translation``)."""
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"record is a {type(raw).__name__}, not an object")
    name = req_id(raw, "name")
    if not name.startswith(f"{location}/reviews/"):
        raise InvalidRecord(f"'name' {name!r} is not a review of {location}")
    star = raw.get("starRating")
    if star is None:
        raise InvalidRecord("missing required 'starRating'")
    if not isinstance(star, str) or star not in s.STAR_RATINGS:
        raise InvalidRecord(f"'starRating' is not a star rating enum: {star!r}")
    reviewer = nested_obj(raw.get("reviewer"), "reviewer")
    reply = nested_obj(raw.get("reviewReply"), "reviewReply")
    comment, translation = split_translation(opt_str(raw, "comment"))
    row = {
        "review_name": name,
        "review_id": opt_id(raw, "reviewId") or name.rsplit("/", 1)[-1],
        "location_name": location,
        "brand_id": brand_id,
        "reviewer_name_hash": hasher(opt_str(reviewer, "displayName")),
        "reviewer_is_anonymous": bool(opt_bool(reviewer, "isAnonymous")),
        "reviewer_has_photo": opt_str(reviewer, "profilePhotoUrl") is not None,
        "star_rating": star,
        "rating": s.STAR_RATINGS[star],
        "comment": comment,  # the reviewer's own words, never Google's translation
        "comment_translation": translation,
        "comment_is_translated": translation is not None,
        "create_time": req_time(raw, "createTime"),
        "update_time": req_time(raw, "updateTime"),
        "reply_comment": split_translation(opt_str(reply, "comment"))[0] if reply else None,
        "reply_update_time": req_time(reply, "updateTime") if reply else None,
        "fetched_at": fetched_at,
    }
    # A field of unknown meaning may name the reviewer: keyed, never in clear.
    return add_unknown_fields(row, raw, s.KNOWN_REVIEW_FIELDS, protect=hasher)


def redact_review(raw: Any, hasher: Pseudonymiser) -> Any:
    """A quarantine payload without the reviewer's name (hashed) or photo URL (dropped)."""
    if not isinstance(raw, Mapping):
        return raw
    out = dict(raw)
    reviewer = out.get("reviewer")
    if isinstance(reviewer, Mapping):
        reviewer = dict(reviewer)
        if "displayName" in reviewer:
            reviewer["displayName"] = hasher(reviewer["displayName"])
        reviewer.pop("profilePhotoUrl", None)
        out["reviewer"] = reviewer
    return out


def stats_row(
    body: Mapping[str, Any], location: str, brand_id: str | None, fetched_at: datetime
) -> dict[str, Any]:
    """The location's daily ``averageRating`` / ``totalReviewCount`` snapshot (page summary)."""
    avg = body.get("averageRating")
    total = body.get("totalReviewCount", 0 if not body.get("reviews") else None)
    if avg is not None and (isinstance(avg, bool) or not isinstance(avg, int | float)):
        raise InvalidRecord(f"'averageRating' is not a number: {avg!r}")
    if total is None:
        raise InvalidRecord("missing required 'totalReviewCount'")
    if isinstance(total, bool) or not isinstance(total, int | str) or not str(total).isdigit():
        raise InvalidRecord(f"'totalReviewCount' is not a count: {total!r}")
    total = int(total)
    return {
        "location_name": location,
        "snapshot_date": fetched_at.date(),
        "brand_id": brand_id,
        "average_rating": float(avg) if avg is not None and total else None,
        "total_review_count": total,
        "fetched_at": fetched_at,
    }
