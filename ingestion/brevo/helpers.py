"""Brevo over the shared client: error classification, offset paging, campaign rows.

Brevo answers errors with ``{"code", "message"}``: 429 (``x-sib-ratelimit-reset``: seconds
until the window resets, https://developers.brevo.com/docs/limit-headers) and 5xx are retried;
401 ``unauthorized`` (a key unknown, revoked or from another account) fails the account at
once, naming the secret to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from ingestion.http import (
    Answer,
    ApiClient,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    Verdict,
    json_body,
    retry_after_s,
)
from ingestion.incremental import CursorTrail
from ingestion.quarantine import InvalidRecord, parse_int

from . import settings as s

HREF = re.compile(r"""href=["']([^"']+)["']""")


def classify(resp: requests.Response, account: str) -> Verdict:
    """Turn one Brevo answer into ok / retry / fail (``account``: the brand)."""
    if resp.status_code == 200:
        if not isinstance(json_body(resp), dict):
            return Verdict.retry("HTTP 200 with an unreadable JSON body")
        return Verdict.ok()
    body = json_body(resp)
    body = body if isinstance(body, dict) else {}
    why = f"HTTP {resp.status_code} {body.get('code', '')}: {body.get('message', resp.text[:200])}"
    if resp.status_code == 429:
        reset = resp.headers.get("x-sib-ratelimit-reset")
        wait = float(reset) if reset and reset.replace(".", "", 1).isdigit() else None
        return Verdict.retry(why, wait if wait is not None else retry_after_s(resp.headers))
    if resp.status_code >= 500:
        return Verdict.retry(why, retry_after_s(resp.headers))
    if resp.status_code in (401, 403):
        hint = (
            "the Brevo API key was refused: copy the account's current key (Brevo: SMTP & API "
            f"> API keys) into sources.brevo.api_keys under {account!r} (SOURCES__BREVO__API_KEYS)"
        )
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, account, f"{why}; {hint}"))
    return Verdict.fail(SourceError(s.SOURCE_NAME, account, why))


def make_client(api_key: str, base_url: str, policy: RetryPolicy) -> ApiClient:
    return ApiClient(
        source=s.SOURCE_NAME,
        base_url=f"{base_url.rstrip('/')}/{s.API_VERSION}",
        classify=classify,
        policy=policy,
        headers={"api-key": api_key, "Accept": "application/json"},
    )


def brevo_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:mm:ss.SSSZ`` (UTC), the shape startDate / endDate take."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def campaign_pages(
    client: ApiClient, brand: str, params: dict[str, Any], page_size: int
) -> Iterator[tuple[Answer, list[Any]]]:
    """Every page of ``GET /emailCampaigns``: ``offset`` += ``limit`` while below ``count``."""
    offset = 0
    trail = CursorTrail(s.SOURCE_NAME, brand, "emailCampaigns")
    while True:
        query = {**params, "limit": page_size, "offset": offset}
        answer = client.request("GET", "emailCampaigns", account=brand, params=query)
        body = answer.json()
        campaigns = body.get("campaigns") or []
        if not isinstance(campaigns, list):
            raise SourceError(s.SOURCE_NAME, brand, "campaigns is not a list")
        trail.read(campaigns, f"offset {offset}")
        yield answer, campaigns
        offset += len(campaigns)
        if not campaigns or offset >= int(body.get("count") or 0):
            return


def parse_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidRecord(f"{name!r} is not a date-time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRecord(f"{name!r} is not a date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def campaign_id(raw: Any) -> int:
    if not isinstance(raw, dict):
        raise InvalidRecord(f"campaign is a {type(raw).__name__}, not an object")
    return parse_int(raw.get("id"), "id")


def links_of(raw: dict[str, Any]) -> list[str]:
    """The distinct link URLs of the campaign's HTML, in order of appearance."""
    html = raw.get("htmlContent") or ""
    seen: dict[str, None] = {}
    for url in HREF.findall(html if isinstance(html, str) else ""):
        if url.startswith(("http://", "https://")):
            seen[url.replace("&amp;", "&")] = None
    return list(seen)


def utm_of(url: str) -> dict[str, Any]:
    """The link's path and UTM parameters (lower-cased names; None when absent)."""
    parts = urlsplit(url)
    query = {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
    return {"link_path": parts.path or "/", **{f: query.get(f) for f in s.UTM_FIELDS}}


def stats_row(raw: dict[str, Any]) -> dict[str, int]:
    """globalStats as columns; a missing or non-integer count is InvalidRecord."""
    stats = (raw.get("statistics") or {}).get("globalStats")
    if not isinstance(stats, dict) or not stats:
        raise InvalidRecord("statistics.globalStats is missing")
    return {col: parse_int(stats.get(name), name) for name, col in s.STAT_FIELDS.items()}
