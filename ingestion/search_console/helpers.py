"""Search Console over the shared client: error classification, ``startRow`` paging, rows.

Errors are the Discovery APIs' envelope: google.rpc's ``{"error": {code, status, message}}``
plus ``errors: [{domain, reason, message}]``. Quota (https://developers.google.com/
webmaster-tools/limits) answers 429 RESOURCE_EXHAUSTED or the legacy 403 with domain
``usageLimits`` (``rateLimitExceeded``, ``userRateLimitExceeded``, ``quotaExceeded``): both are
retried with backoff. Any other 403 (no permission on the site) fails the source at once; a 401
renews the token once (``ingestion.google_oauth``) or fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from ingestion.google_oauth import GoogleClient
from ingestion.http import (
    Answer,
    ApiClient,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    error_object,
    retry_after_s,
)
from ingestion.incremental import CursorTrail
from ingestion.oauth import BearerToken
from ingestion.quarantine import InvalidRecord, parse_int

from . import settings as s

RETRYABLE_STATUS = frozenset({"RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"})
QUOTA_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


def _reasons(err: dict[str, Any]) -> set[str]:
    return {str(e.get("reason")) for e in err.get("errors") or [] if isinstance(e, dict)}


def classify(resp: requests.Response, account: str) -> Verdict:
    """Turn one Search Console answer into ok / retry / fail (``account``: the site URL)."""
    if resp.status_code == 200:
        try:
            resp.json()
        except ValueError as exc:
            return Verdict.retry(f"HTTP 200 with an unreadable JSON body ({exc})")
        return Verdict.ok()
    err = error_object(resp)
    status, message = err.get("status", ""), err.get("message", resp.text[:200])
    why = f"HTTP {resp.status_code} {status}: {message}"
    quota = resp.status_code == 403 and bool(_reasons(err) & QUOTA_REASONS)
    if resp.status_code in (429, 500, 502, 503, 504) or status in RETRYABLE_STATUS or quota:
        return Verdict.retry(why, retry_after_s(resp.headers))
    if resp.status_code == 401 or status == "UNAUTHENTICATED":
        return Verdict.fail(TokenRejected(s.SOURCE_NAME, f"site {account}", why))
    if resp.status_code == 403:
        hint = "add the Google user as a user of this property in Search Console"
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, f"site {account}", f"{why}; {hint}"))
    return Verdict.fail(SourceError(s.SOURCE_NAME, f"site {account}", why))


def make_client(token: BearerToken, base_url: str, policy: Any) -> ApiClient:
    """The client of every site: one OAuth token, renewed when it dies."""
    return GoogleClient(
        source=s.SOURCE_NAME,
        base_url=base_url,
        classify=classify,
        policy=policy,
        token=token,
        account_label="site {}",
    )


def site_path(site_url: str) -> str:
    """``webmasters/v3/sites/https%3A%2F%2Fwww.example.com%2F``: the site URL encoded whole."""
    return f"{s.API_PATH}/{quote(site_url, safe='')}"


def site_today(client: ApiClient, site_url: str) -> date:
    """Check the site is readable (``sites.get``) and return the API's today: the Pacific day
    of the server's clock (the source's own clock may differ from the server's)."""
    answer = client.request("GET", site_path(site_url), account=site_url)
    body = answer.json()
    level = body.get("permissionLevel") if isinstance(body, dict) else None
    if level == "siteUnverifiedUser":
        raise SourceAuthError(s.SOURCE_NAME, f"site {site_url}", "the user is not verified")
    return pacific_day(answer.fetched_at)


def pacific_day(at: datetime) -> date:
    return at.astimezone(ZoneInfo(s.TIME_ZONE)).date()


def query_pages(
    client: ApiClient,
    site_url: str,
    window: tuple[date, date],
    dimensions: Sequence[str],
    data_state: str,
    page_size: int,
) -> Iterator[tuple[Answer, dict[str, Any]]]:
    """Every page of one Search Analytics query: ``startRow`` += the rows read, until a page
    comes back empty. The API gives no total and does not promise full pages ("does not
    guarantee to return all data rows"), so a short page is not taken for the end: one more
    request per query, no row lost."""
    start_row = 0
    path = f"{site_path(site_url)}/searchAnalytics/query"
    trail = CursorTrail(s.SOURCE_NAME, f"site {site_url}", "searchAnalytics.query")
    while True:
        body = {
            "startDate": window[0].isoformat(),
            "endDate": window[1].isoformat(),
            "dimensions": list(dimensions),
            "type": "web",
            "dataState": data_state,
            "aggregationType": "auto",
            "rowLimit": page_size,
            "startRow": start_row,
        }
        answer = client.request("POST", path, account=site_url, json=body)
        data = answer.json()
        if not isinstance(data, dict):
            raise SourceError(s.SOURCE_NAME, f"site {site_url}", "answer is not an object")
        rows = data.get("rows") or []
        trail.read(rows, f"startRow {start_row}")
        yield answer, data
        start_row += len(rows)
        if not rows:
            return


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRecord(f"{name!r} is not a number: {value!r}")
    return float(value)


def row_record(raw: Any, dimensions: Sequence[str]) -> dict[str, Any]:
    """One answer row as a flat record; InvalidRecord if malformed."""
    if not isinstance(raw, dict):
        raise InvalidRecord(f"row is a {type(raw).__name__}, not an object")
    keys = raw.get("keys")
    if not isinstance(keys, list) or len(keys) != len(dimensions):
        raise InvalidRecord(f"expected {len(dimensions)} keys, got {keys!r}")
    out: dict[str, Any] = {}
    for name, value in zip(dimensions, keys, strict=True):
        if not isinstance(value, str) or not value:
            raise InvalidRecord(f"key {name!r} is not a string: {value!r}")
        out[name] = value
    try:
        out["date"] = date.fromisoformat(out["date"])
    except ValueError:
        raise InvalidRecord(f"'date' is not YYYY-MM-DD: {out['date']!r}") from None
    out["clicks"] = parse_int(raw.get("clicks"), "clicks")
    out["impressions"] = parse_int(raw.get("impressions"), "impressions")
    out["ctr"] = _number(raw.get("ctr"), "ctr")
    out["position"] = _number(raw.get("position"), "position")
    return out


def row_id(site_url: str, raw: Any) -> str:
    """A readable quarantine id: the site and the row's keys."""
    keys = raw.get("keys") if isinstance(raw, dict) else None
    return "|".join([site_url, *map(str, keys or ["?"])])
