"""HTTP for the Trustpilot public API: the gateway's error dialect, and paging by links.

Trustpilot answers through an Apigee gateway: a bad key or a quota hit comes back as
``{"fault": {"faultstring", "detail": {"errorcode"}}}`` (401 / 429 + ``Retry-After``), the
backend's own errors as ``{"message", "details"}``. ``classify`` reads both so the shared
``ApiClient`` retries what waiting can fix and fails at once, naming the business unit and the
API's error, on what it cannot (bad key, unknown business unit, bad request).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
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

from . import settings as s

logger = logging.getLogger(__name__)


def api_error(resp: requests.Response) -> tuple[str | None, str]:
    """(gateway errorcode or None, human message) of an error answer, whatever its shape."""
    try:
        body = resp.json()
    except ValueError:
        return None, (resp.text or "")[:200]
    if isinstance(body, Mapping) and isinstance(body.get("fault"), Mapping):
        f = body["fault"]
        detail = f.get("detail") if isinstance(f.get("detail"), Mapping) else {}
        return detail.get("errorcode"), str(f.get("faultstring", ""))
    if isinstance(body, Mapping) and ("message" in body or "details" in body):
        parts = [str(body.get(k)) for k in ("message", "details") if body.get(k)]
        return None, ": ".join(parts)
    return None, str(body)[:200]


def classify(resp: requests.Response, account: str) -> Verdict:
    """Trustpilot's answer -> ok / retry (honouring Retry-After) / fail with the API's error."""
    status = resp.status_code
    if status == 200:
        try:
            resp.json()
        except ValueError:  # truncated page: a transport fault, the next attempt is whole
            return Verdict.retry("HTTP 200 with a truncated or non-JSON body")
        return Verdict.ok()
    code, message = api_error(resp)
    said = f"Trustpilot error {code or 'HTTP ' + str(status)} (HTTP {status}): {message!r}"
    if status == 429 or code in s.THROTTLE_ERRORCODES:
        return Verdict.retry(f"throttled: {said}", retry_after_s(resp.headers))
    if status in s.RETRYABLE_STATUS:
        return Verdict.retry(said, retry_after_s(resp.headers))
    if status in (401, 403) or code in s.AUTH_ERRORCODES:
        hint = (
            "the Trustpilot API key was refused: keys do not expire but stop working when "
            "the application is deleted or its key regenerated, and each key is tied to one "
            "business account; copy the application's current API key (developers.trustpilot"
            ".com/authentication) into sources.trustpilot.api_key (SOURCES__TRUSTPILOT__API_KEY)"
        )
        return Verdict.fail(SourceAuthError(s.SOURCE_NAME, account, f"{said}; {hint}"))
    if status == 404:
        hint = "check the business unit id under `trustpilot` in config/brands.yaml"
        return Verdict.fail(SourceError(s.SOURCE_NAME, account, f"{said}; {hint}"))
    if status == 410:
        return Verdict.fail(
            SourceAuthError(s.SOURCE_NAME, account, f"{said}; the API version is retired")
        )
    return Verdict.fail(SourceError(s.SOURCE_NAME, account, said))


def next_page(body: Any) -> str | None:
    """The ``href`` of the ``rel: next-page`` link, Trustpilot's only paging signal."""
    links = body.get("links") if isinstance(body, Mapping) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, Mapping) and link.get("rel") == s.NEXT_PAGE_REL and link.get("href"):
            return str(link["href"])
    return None


class TrustpilotClient:
    """The shared retrying client with the key in the ``apikey`` header (so paging links,
    which carry no key, can be followed as they are)."""

    def __init__(self, api_key: str, base_url: str, policy: RetryPolicy) -> None:
        self.http = ApiClient(
            source=s.SOURCE_NAME,
            base_url=f"{base_url.rstrip('/')}/{s.API_VERSION}",
            classify=classify,
            policy=policy,
            headers={"apikey": api_key, "Accept": "application/json"},
        )

    def get(self, path_or_url: str, params: dict[str, Any] | None, account: str) -> Answer:
        return self.http.request("GET", path_or_url, account=account, params=params)

    def business_unit(self, bu_id: str) -> Answer:
        return self.get(f"business-units/{bu_id}", None, bu_id)

    def review_pages(self, bu_id: str, page_size: int) -> Iterator[Answer]:
        """Pages of reviews, newest first, following ``next-page`` links to the end.

        The caller stops early (closing the generator) once a page reaches past its window.
        """
        params: dict[str, Any] | None = {
            "page": 1,
            "perPage": max(1, min(page_size, s.PAGE_SIZE)),
            "orderBy": s.ORDER_BY,
        }
        url: str | None = f"business-units/{bu_id}/reviews"
        trail = CursorTrail(s.SOURCE_NAME, bu_id, "reviews")
        for _ in range(s.MAX_PAGES):
            if url is None:
                return
            answer = self.get(url, params, bu_id)
            yield answer
            body = answer.json()
            reviews = body.get("reviews") if isinstance(body, Mapping) else None
            if not reviews:
                return  # a page beyond the end is an empty list
            url, params = trail.follow(next_page(body)), None  # carries page/perPage/orderBy
        raise SourceError(s.SOURCE_NAME, bu_id, f"more than {s.MAX_PAGES} review pages")
