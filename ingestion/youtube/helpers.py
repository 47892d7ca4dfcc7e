"""HTTP for the YouTube source: Google's error dialect, quota handling, paging. Built on
``ingestion.http.ApiClient`` (the one retry loop of the project).

Google answers errors as ``{"error": {"code", "message", "errors": [{"reason", "domain"}]}}``
and the reason decides: ``rateLimitExceeded`` / ``userRateLimitExceeded`` / HTTP 429 are
retried with backoff (or the ``Retry-After`` the server sends); ``quotaExceeded`` is retried only
``quota_retries`` times for the same request, because the real daily quota comes back only at
midnight Pacific, and then the source fails saying when it does; 5xx / ``backendError`` and
truncated bodies are retried; ``authError`` (bad or expired token) is ``TokenRejected``: the
client renews the OAuth token once (``ingestion.google_oauth``) or fails; permission and other
client errors fail at once with a message naming the source, the channel and Google's error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from ingestion.google_oauth import GoogleClient
from ingestion.http import (
    Answer,
    ApiClient,
    Classifier,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    retry_after_s,
    safe_url,
    token_pages,
)
from ingestion.oauth import BearerToken

from . import settings as s

PACIFIC = ZoneInfo("America/Los_Angeles")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


class CommentsDisabled(SourceError):
    """``commentsDisabled`` 403: the video's comments are off. Recorded, never fatal."""

    def __init__(self, account: str, reason: str, message: str) -> None:
        self.reason, self.google_message = reason, message
        super().__init__(s.SOURCE_NAME, account, f"{reason}: {message}")


def google_error(resp: requests.Response) -> tuple[str, str]:
    """(first ``errors[].reason``, ``message``) of a Google error body; ("", text) otherwise."""
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return "", resp.text[:200]
    if not isinstance(err, dict):
        return "", str(err)[:200]
    items = err.get("errors") if isinstance(err.get("errors"), list) else []
    reason = next((i.get("reason") for i in items if isinstance(i, dict) and i.get("reason")), "")
    return str(reason or err.get("status") or ""), str(err.get("message") or "")


def quota_reset(now: datetime | None = None) -> datetime:
    """The next midnight in Pacific time, when YouTube's daily quota comes back."""
    local = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=PACIFIC).astimezone(UTC)


def make_classifier(quota_retries: int = s.QUOTA_RETRIES) -> Classifier:
    """A ``classify`` for Google APIs; counts quotaExceeded answers per URL (stateful)."""
    quota_hits: dict[str, int] = {}

    def classify(resp: requests.Response, account: str) -> Verdict:
        url = safe_url(resp.url or "")
        if resp.status_code < 400:
            try:
                resp.json()
            except ValueError:
                return Verdict.retry(f"HTTP {resp.status_code} with an unreadable (truncated) body")
            quota_hits.pop(url, None)
            return Verdict.ok()
        reason, message = google_error(resp)
        what = f"Google error {resp.status_code} {reason or '?'}: {message!r} ({url})"
        if reason == "quotaExceeded":
            quota_hits[url] = quota_hits.get(url, 0) + 1
            if quota_hits[url] > quota_retries:
                reset = quota_reset()
                return Verdict.fail(
                    SourceError(
                        s.SOURCE_NAME,
                        account,
                        f"daily API quota exhausted; {what}; it resets at midnight Pacific "
                        f"({reset:%Y-%m-%d %H:%M} UTC): re-run after that",
                    )
                )
            return Verdict.retry(what)
        if reason in s.RATE_REASONS or resp.status_code == 429:
            return Verdict.retry(what, retry_after_s(resp.headers))
        if resp.status_code >= 500 or reason in s.TRANSIENT_REASONS:
            return Verdict.retry(what, retry_after_s(resp.headers))
        if reason == "commentsDisabled":
            return Verdict.fail(CommentsDisabled(account, reason, message))
        if resp.status_code == 401 or reason in s.AUTH_REASONS:  # renewed once, if it can be
            return Verdict.fail(
                TokenRejected(
                    s.SOURCE_NAME, account, f"access token rejected (invalid or expired): {what}"
                )
            )
        if resp.status_code == 403 or reason in s.PERMISSION_REASONS:
            return Verdict.fail(
                SourceAuthError(
                    s.SOURCE_NAME,
                    account,
                    f"permission denied: {what}; the token must be authorised for this channel "
                    "(scopes youtube.readonly and yt-analytics.readonly)",
                )
            )
        return Verdict.fail(SourceError(s.SOURCE_NAME, account, f"request failed: {what}"))

    return classify


def make_client(
    base_url: str,
    prefix: str,
    *,
    token: BearerToken | None,
    api_key: str | None,
    policy: RetryPolicy,
    quota_retries: int,
) -> ApiClient:
    """A client for one Google host; the OAuth token when there is one (shared by the Data and
    Analytics clients, so one renewal serves both), else the API key as ``key=``."""
    client = GoogleClient(
        source=s.SOURCE_NAME,
        base_url=f"{base_url.rstrip('/')}/{prefix}",
        classify=make_classifier(quota_retries),
        policy=policy,
        token=token,
    )
    if token is None and api_key:
        client.session.params = {"key": api_key}  # type: ignore[assignment]
    return client


@dataclass
class Page:
    """One decoded page and the server's clock."""

    data: Any
    fetched_at: datetime


def get(client: ApiClient, path: str, params: dict[str, Any], account: str) -> Page:
    """GET with retries; the body must be a JSON object."""
    answer: Answer = client.request("GET", path, account=account, params=params)
    data = answer.json()
    if not isinstance(data, dict):
        raise SourceError(s.SOURCE_NAME, account, f"{path}: answer is not an object: {data!r:.200}")
    return Page(data, answer.fetched_at)


def paginate(client: ApiClient, path: str, params: dict[str, Any], account: str) -> Iterator[Page]:
    """Every page of a Data API list, following ``nextPageToken`` until the last page."""
    for answer, body in token_pages(client, path, params, account):
        yield Page(body, answer.fetched_at)


def report_pages(
    client: ApiClient, params: dict[str, Any], account: str, page_size: int
) -> Iterator[Page]:
    """Pages of an Analytics report: ``startIndex`` (1-based) grows until a short page."""
    start = 1
    while True:
        page = get(
            client, "reports", {**params, "startIndex": start, "maxResults": page_size}, account
        )
        yield page
        got = page.data.get("rows") or []
        if len(got) < page_size:
            return
        start += len(got)


def items_of(page: Page, account: str) -> list[Any]:
    items = page.data.get("items", [])
    if not isinstance(items, list):
        raise SourceError(s.SOURCE_NAME, account, f"'items' is not a list: {items!r:.200}")
    return items


def duration_seconds(value: str | None) -> int | None:
    """ISO 8601 duration (``PT1M5S``, ``P1DT2H``) in seconds; None when absent or unreadable."""
    match = _DURATION.match(value or "")
    if not value or not match or value in ("P", "PT"):
        return None
    d, h, m, sec = (int(x) if x else 0 for x in match.groups())
    return ((d * 24 + h) * 60 + m) * 60 + sec
