"""TikTok Display API v2 over the shared retrying client: classifier, paging, row builders.

TikTok answers every call with ``{"data":…,"error":{"code","message","log_id"}}``; the
``error.code`` (not only the HTTP status) says what happened, so ``classify`` reads the body:
``rate_limit_exceeded`` is retried after ``Retry-After`` when the server sends one, else after
one rate window (``settings.TikTokHttp``); ``internal_error`` after the shared backoff;
``access_token_invalid`` / ``scope_not_authorized`` fail the source at once; anything else
(``invalid_params``...) fails with TikTok's message and ``log_id``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pyarrow as pa
import requests

from ingestion.http import (
    Answer,
    ApiClient,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    json_body,
    retry_after_s,
)
from ingestion.oauth import BearerToken
from ingestion.quarantine import InvalidRecord, opt_int, opt_str, req_id, req_ts
from ingestion.tables import arrow_schema

from . import settings as s

AUTH_HINTS = {
    "access_token_invalid": "renew the token in sources.tiktok.access_tokens (env "
    "SOURCES__TIKTOK__ACCESS_TOKENS, a JSON object open_id -> token), or set "
    "sources.tiktok.refresh_tokens, client_key and client_secret so it renews itself",
    "scope_not_authorized": "re-authorise the account with the scopes user.info.basic, "
    "user.info.stats and video.list",
}
AUTH_HINTS["scope_permission_missed"] = AUTH_HINTS["scope_not_authorized"]


def describe(resp: requests.Response) -> tuple[str | None, str]:
    """TikTok's ``error.code`` and a one-line description (code, HTTP status, message, log_id)."""
    body = json_body(resp)
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    code = err.get("code") if isinstance(err.get("code"), str) else None
    text = (
        f"TikTok error {code!r} (HTTP {resp.status_code}): {err.get('message')!r}, "
        f"log_id {err.get('log_id') or resp.headers.get('x-tt-logid')}"
    )
    return code, text


def classify(
    resp: requests.Response, account: str, rate_limit_wait_s: float = s.RATE_WINDOW_S
) -> Verdict:
    """ok / retry / fail for one TikTok answer, by its envelope's ``error.code``."""
    body = json_body(resp)
    if resp.status_code < 400 and body is None:  # truncated or non-JSON body: transport fault
        return Verdict.retry(f"HTTP {resp.status_code} with an unreadable JSON body")
    code, text = describe(resp)
    if resp.status_code < 400 and code == "ok":
        if isinstance(body.get("data"), dict):
            return Verdict.ok()
        return Verdict.fail(SourceError(s.SOURCE_NAME, account, f"answer without data: {text}"))
    if code == "rate_limit_exceeded" or resp.status_code == 429:
        named = retry_after_s(resp.headers)
        return Verdict.retry(text, rate_limit_wait_s if named is None else named)
    if code in s.RETRY_CODES or resp.status_code >= 500:
        return Verdict.retry(text)
    if code in s.AUTH_CODES or resp.status_code == 401:
        hint = AUTH_HINTS.get(code or "", AUTH_HINTS["access_token_invalid"])
        # expired or revoked token (the same code): renewed once when a refresh token is set
        kind = TokenRejected if code == "access_token_invalid" else SourceAuthError
        return Verdict.fail(kind(s.SOURCE_NAME, account, f"{text}; {hint}"))
    return Verdict.fail(
        SourceError(s.SOURCE_NAME, account, f"{resp.request.method} failed: {text}")
    )


def token_for(
    open_id: str, access_tokens: Mapping[str, str] | str | None, access_token: str | None
) -> str:
    """The account's token: ``access_tokens[open_id]``, else the single ``access_token``."""
    tokens: Any = access_tokens
    if isinstance(tokens, str):
        try:
            tokens = json.loads(tokens)
        except ValueError:
            raise SourceAuthError(
                s.SOURCE_NAME, open_id, "sources.tiktok.access_tokens is not a JSON object"
            ) from None
    token = tokens.get(open_id) if isinstance(tokens, Mapping) else None
    token = token or access_token
    if not token:
        raise SourceAuthError(
            s.SOURCE_NAME,
            open_id,
            f'no access token: set sources.tiktok.access_tokens."{open_id}" (or the single '
            "sources.tiktok.access_token) in .dlt/secrets.toml, or env "
            'SOURCES__TIKTOK__ACCESS_TOKENS=\'{"<open_id>": "<token>"}\'',
        )
    return str(token)


def make_client(
    base_url: str, token: BearerToken, policy: RetryPolicy, rate_limit_wait_s: float
) -> ApiClient:
    """One session per account: the Display API identifies the user by the Bearer token,
    which ``token`` sets on each request (renewing it when it can, ingestion/tiktok/auth.py)."""
    return ApiClient(
        source=s.SOURCE_NAME,
        base_url=base_url,
        classify=partial(classify, rate_limit_wait_s=rate_limit_wait_s),
        policy=policy,
        token=token,  # no session Content-Type: the token refresh posts a form on this session
    )


def user_info(client: ApiClient, open_id: str) -> Answer:
    """``GET /v2/user/info/``; fails if the token belongs to another account."""
    ans = client.request(
        "GET", s.USER_INFO_PATH, account=open_id, params={"fields": ",".join(s.USER_FIELDS)}
    )
    user = ans.json()["data"].get("user")
    got = user.get("open_id") if isinstance(user, dict) else None
    if isinstance(got, str) and got != open_id:  # a malformed user is quarantined later
        raise SourceAuthError(
            s.SOURCE_NAME,
            open_id,
            f"the access token belongs to open_id {got!r}, not to this account: set "
            f'sources.tiktok.access_tokens."{open_id}" to this account\'s own token',
        )
    return ans


def video_pages(
    client: ApiClient,
    open_id: str,
    fields: Sequence[str],
    page_size: int,
    since: datetime | None,
    before: datetime | None = None,
) -> Iterator[tuple[list[Any], Answer]]:
    """Pages of ``POST /v2/video/list/`` newest first, until ``has_more`` is false or the
    next page can only hold videos created before ``since``; from the videos created at or
    before ``before`` when given (the cursor is a time: where a page window resumes)."""
    since_ms = int(since.timestamp() * 1000) if since else None
    cursor: int | None = int(before.timestamp() * 1000) + 1 if before else None
    while True:
        body: dict[str, Any] = {"max_count": min(page_size, s.MAX_COUNT)}
        if cursor is not None:
            body["cursor"] = cursor
        ans = client.request(
            "POST",
            s.VIDEO_LIST_PATH,
            account=open_id,
            params={"fields": ",".join(fields)},
            json=body,
        )
        data = ans.json()["data"]
        videos = data.get("videos") or []
        if not isinstance(videos, list):
            raise SourceError(s.SOURCE_NAME, open_id, f"data.videos is not a list: {data!r:.200}")
        yield videos, ans
        if not data.get("has_more"):
            return
        nxt = data.get("cursor")
        if isinstance(nxt, bool) or not isinstance(nxt, int) or (cursor and nxt >= cursor):
            raise SourceError(
                s.SOURCE_NAME, open_id, f"paging stuck: cursor {nxt!r} after {cursor!r}"
            )
        if since_ms is not None and nxt <= since_ms:
            return
        cursor = nxt


def account_row(user: Any, open_id: str, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """A ``tiktok_accounts`` snapshot row, dated by the server clock."""
    if req_id(user, "open_id") != open_id:
        raise InvalidRecord(f"open_id {user.get('open_id')!r} is not {open_id!r}")
    row = {
        "open_id": open_id,
        "brand_id": brand_id,
        "union_id": opt_str(user, "union_id"),
        "display_name": opt_str(user, "display_name"),
        **{k: opt_int(user, k) for k in ("follower_count", "following_count")},
        **{k: opt_int(user, k) for k in ("likes_count", "video_count")},
        "snapshot_date": fetched_at.astimezone(UTC).date(),
        "fetched_at": fetched_at,
    }
    return row | extras(user, set(s.USER_FIELDS))


def video_rows(
    raw: Any, open_id: str, fetched_at: datetime, requested: Collection[str] = s.VIDEO_FIELDS
) -> tuple[dict[str, Any], dict[str, Any], datetime]:
    """(``tiktok_videos`` row, ``tiktok_video_metrics`` row, create_time) of one listed video."""
    video_id = req_id(raw, "id")
    created = req_ts(raw, "create_time")
    if isinstance(raw["create_time"], str):
        raise InvalidRecord(f"'create_time' is not epoch seconds: {raw['create_time']!r}")
    video = {
        "video_id": video_id,
        "open_id": open_id,
        "title": opt_str(raw, "title"),
        "video_description": opt_str(raw, "video_description"),
        "create_time": created,
        "cover_image_url": opt_str(raw, "cover_image_url"),
        "share_url": opt_str(raw, "share_url"),
        "duration": opt_int(raw, "duration"),
        "fetched_at": fetched_at,
    }
    metrics = {
        "video_id": video_id,
        "open_id": open_id,
        "snapshot_date": fetched_at.astimezone(UTC).date(),
        **{k: opt_int(raw, k) for k in s.COUNT_FIELDS},
        "fetched_at": fetched_at,
    }
    return video | extras(raw, {*s.VIDEO_FIELDS}, requested), metrics, created


def extras(
    raw: Mapping[str, Any], known: set[str], requested: Collection[str] = ()
) -> dict[str, Any]:
    """Scalar fields asked for beyond the known ones (``video_fields``): new columns.

    TikTok returns only the fields asked for (``fields``,
    https://developers.tiktok.com/doc/tiktok-api-v2-video-list); any other field is of unknown
    meaning and dropped, never loaded in clear (this source holds no pseudonymisation key).
    """
    return {
        k: v
        for k, v in raw.items()
        if k in requested and k not in known and isinstance(v, str | int | float | bool)
    }


def to_arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow with the table's declared types; extra fields appended as inferred columns."""
    declared = s.COLUMNS[table]
    schema = arrow_schema(declared)
    out = pa.Table.from_pylist([{k: r.get(k) for k in declared} for r in records], schema=schema)
    for name in sorted({k for r in records for k in r} - set(declared)):
        values = [r.get(name) for r in records]
        try:
            column = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: keep them, as text
            column = pa.array([None if v is None else str(v) for v in values], pa.string())
        out = out.append_column(name, column)
    return out
