"""HTTP for the HubSpot CRM API: its error dialect, the search's limits, associations.

HubSpot answers errors as ``{"status": "error", "message", "correlationId", "category"}``
(https://developers.hubspot.com/docs/guides/api/error-handling); a 429 adds ``errorType:
RATE_LIMIT`` and ``policyName`` (SECONDLY, DAILY...). ``classify`` retries what waiting fixes
(429, 5xx, a truncated body) and fails at once, naming the portal and HubSpot's message, on
what it cannot (a refused token, a missing scope, a bad request).

The search returns at most 10,000 results per query (beyond, a 400), so ``search_window``
lists one ``[low, high)`` window of the last-modified date and splits a window whose
``total`` exceeds the cap into halves until each fits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from ingestion.http import (
    Answer,
    ApiClient,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    Verdict,
    retry_after_s,
)
from ingestion.incremental import CursorTrail
from ingestion.quarantine import parse_timestamp

from . import settings as s

logger = logging.getLogger(__name__)

TOKEN_HINT = (
    "the private app's access token was refused: tokens do not expire but stop working when "
    "the app is deleted or its token rotated, and each token belongs to one HubSpot account; "
    "copy the app's current token (Settings > Integrations > Private apps, "
    "developers.hubspot.com/docs/guides/apps/private-apps/overview) into "
    "sources.hubspot.access_tokens under the portal id (SOURCES__HUBSPOT__ACCESS_TOKENS)"
)


def api_error(resp: requests.Response) -> tuple[str | None, str]:
    """(category or None, message) of an error answer, whatever its shape."""
    try:
        body = resp.json()
    except ValueError:
        return None, (resp.text or "")[:200]
    if isinstance(body, Mapping):
        category = body.get("category") or body.get("errorType")
        return (str(category) if category else None), str(body.get("message", body))[:300]
    return None, str(body)[:200]


def classify(resp: requests.Response, account: str) -> Verdict:
    """HubSpot's answer -> ok / retry (honouring Retry-After) / fail with HubSpot's message."""
    status = resp.status_code
    if status in (200, 207):
        try:
            resp.json()
        except ValueError:  # truncated body: a transport fault, the next attempt is whole
            return Verdict.retry(f"HTTP {status} with a truncated or non-JSON body")
        return Verdict.ok()
    category, message = api_error(resp)
    said = f"HubSpot error {category or 'HTTP ' + str(status)} (HTTP {status}): {message!r}"
    if status == 429:
        wait = retry_after_s(resp.headers)
        if wait is None and "SECONDLY" in resp.text:  # the window resets within a second
            wait = s.SECONDLY_WAIT_S
        return Verdict.retry(f"throttled: {said}", wait)
    if status in s.RETRYABLE_STATUS:
        return Verdict.retry(said, retry_after_s(resp.headers))
    if status == 401:
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, account, f"{said}; {TOKEN_HINT}"))
    if status == 403:
        hint = "grant the private app the scopes crm.objects.contacts.read, crm.objects.deals.read"
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, account, f"{said}; {hint}"))
    return Verdict.fail(SourceError(s.SOURCE_NAME, account, said))


def epoch_ms(ts: datetime) -> str:
    """A datetime filter value as the search guide writes them: epoch milliseconds."""
    return str(int(ts.astimezone(UTC).timestamp() * 1000))


@dataclass
class Window:
    """``[low, high)`` of the last-modified date; None: unbounded on that side."""

    low: datetime | None
    high: datetime | None

    def filters(self, prop: str) -> list[dict[str, str]]:
        out = []
        if self.low is not None:
            out.append({"propertyName": prop, "operator": "GTE", "value": epoch_ms(self.low)})
        if self.high is not None:
            out.append({"propertyName": prop, "operator": "LT", "value": epoch_ms(self.high)})
        return out


class HubspotClient:
    """The shared retrying client of one portal, its bearer token, and the search's pace."""

    def __init__(self, portal: str, token: str, base_url: str, policy: RetryPolicy) -> None:
        self.portal = portal
        self.http = ApiClient(
            source=s.SOURCE_NAME,
            base_url=base_url,
            classify=classify,
            policy=policy,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        self._last_search = 0.0

    def post(self, path: str, body: dict[str, Any], interval_s: float = 0.0) -> Answer:
        wait = self._last_search + interval_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_search = time.monotonic()
        return self.http.request("POST", path, account=self.portal, json=body)

    def search_page(
        self, obj: str, window: Window, after: int, limit: int, interval_s: float
    ) -> Answer:
        prop = s.MODIFIED[obj]
        body: dict[str, Any] = {
            "filterGroups": [{"filters": window.filters(prop)}] if window.filters(prop) else [],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": list(s.PROPERTIES[obj]),
            "limit": limit,
        }
        if after:
            body["after"] = str(after)
        return self.post(f"crm/v3/objects/{obj}/search", body, interval_s)

    def count(self, obj: str, interval_s: float) -> Answer:
        """One unfiltered search of one result, read for its ``total`` (every record of the
        object, archived excluded): what a complete load holds. Unsorted, unlike a listing's
        searches, so logs and tests tell them apart."""
        body = {"filterGroups": [], "properties": ["hs_object_id"], "limit": 1}
        return self.post(f"crm/v3/objects/{obj}/search", body, interval_s)

    def associations(self, deal_ids: list[str]) -> Answer:
        """Contacts of up to ``BATCH_SIZE`` deals (v4 batch read; 207 when some have none)."""
        return self.post(
            "crm/v4/associations/deals/contacts/batch/read",
            {"inputs": [{"id": i} for i in deal_ids]},
        )


@dataclass(frozen=True)
class SearchLimits:
    page_size: int
    result_cap: int
    interval_s: float


def search_window(
    client: HubspotClient, obj: str, window: Window, limits: SearchLimits
) -> Iterator[Answer]:
    """Every page of ``obj`` modified in ``window``, oldest first; a window whose ``total``
    exceeds the result cap is split in two (an unbounded side is first bounded by the oldest
    match or the server's clock) until each half fits."""
    first = client.search_page(obj, window, 0, limits.page_size, limits.interval_s)
    body = first.json()
    total = body.get("total") if isinstance(body, Mapping) else None
    if not isinstance(total, int):
        raise SourceError(s.SOURCE_NAME, client.portal, f"{obj}: search answer without 'total'")
    if total <= limits.result_cap:
        yield from _pages(client, obj, window, first, limits)
        return
    low = window.low or _oldest(body, obj, client.portal)
    high = window.high or first.fetched_at + timedelta(seconds=1)
    if high - low < s.MIN_WINDOW * 2:
        raise SourceError(
            s.SOURCE_NAME,
            client.portal,
            f"{obj}: {total} records modified between {low} and {high}, more than one search "
            f"can return ({limits.result_cap}): the window cannot be split further",
        )
    middle = low + (high - low) / 2
    logger.info("hubspot: portal %s: %s: %d in %s..%s: split at %s", client.portal, obj,
                total, low, high, middle)  # fmt: skip
    yield from search_window(client, obj, Window(low, middle), limits)
    yield from search_window(client, obj, Window(middle, high), limits)


def _oldest(body: Mapping[str, Any], obj: str, portal: str) -> datetime:
    """The last-modified time of a page's first result (pages come oldest first)."""
    results = body.get("results") or []
    props = results[0].get("properties") if results and isinstance(results[0], Mapping) else None
    value = props.get(s.MODIFIED[obj]) if isinstance(props, Mapping) else None
    if value is None:
        raise SourceError(s.SOURCE_NAME, portal, f"{obj}: cannot bound a window: no date")
    return parse_timestamp(value, s.MODIFIED[obj])


def _pages(
    client: HubspotClient, obj: str, window: Window, first: Answer, limits: SearchLimits
) -> Iterator[Answer]:
    """``first`` and the pages after it, following ``paging.next.after`` to the end."""
    trail = CursorTrail(s.SOURCE_NAME, client.portal, obj)
    answer, offset = first, 0
    for _ in range(s.MAX_PAGES):
        yield answer
        body = answer.json()
        trail.read((body.get("results") or []) if isinstance(body, Mapping) else [],
                   f"after {offset}")  # fmt: skip
        after = (((body.get("paging") or {}).get("next") or {}).get("after")
                 if isinstance(body, Mapping) else None)  # fmt: skip
        if not after or not body.get("results"):
            return
        offset = int(trail.follow(str(after)))
        answer = client.search_page(obj, window, offset, limits.page_size, limits.interval_s)
    raise SourceError(s.SOURCE_NAME, client.portal, f"more than {s.MAX_PAGES} {obj} pages")
