"""HTTP for the LinkedIn source: LinkedIn's error dialect, Rest.li 2.0 encoding, offset paging.

Every request carries ``LinkedIn-Version`` (from config) and ``X-Restli-Protocol-Version:
2.0.0``. LinkedIn signals throttling with HTTP 429 and no usage headers, so the shared
``ApiClient`` backs off (or waits ``Retry-After`` when sent). A version not released yet or
sunset (426 ``NONEXISTENT_VERSION``) and a bad token (401) fail at once with a message saying
what to change, because retrying cannot fix them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote

import requests

from ingestion.http import (
    Answer,
    ApiClient,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
    retry_after_s,
    safe_url,
)
from ingestion.oauth import BearerToken
from ingestion.quarantine import BAD_RECORD, Bad, InvalidRecord

from . import rows
from . import settings as s

VERSION_RE = re.compile(r"^\d{4}(0[1-9]|1[0-2])(\d{2})?$")


class LinkedInVersionError(SourceAuthError):
    """The configured ``LinkedIn-Version`` is refused: not released yet or sunset (426)."""


class LinkedInPermissionError(SourceAuthError):
    """403: the token's member is not an ADMINISTRATOR of the organization, or lacks a scope."""


class LinkedInConfigError(RuntimeError):
    """The source is missing configuration (no token, malformed version)."""


def check_version(version: str) -> str:
    """The configured version if it is ``YYYYMM`` (or ``YYYYMMDD``), else a clear error."""
    value = str(version).strip()
    if not VERSION_RE.match(value):
        raise LinkedInConfigError(
            f"{s.SOURCE_NAME}: LinkedIn-Version {version!r} is not a YYYYMM version; "
            f"{s.VERSION_CONFIG_HINT}"
        )
    return value


def error_text(resp: requests.Response) -> str:
    """LinkedIn's error body as ``HTTP 429 TOO_MANY_REQUESTS (serviceErrorCode 101): message``."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"HTTP {resp.status_code}: {resp.text[:200]!r}"
    code = body.get("code") or ""
    service = body.get("serviceErrorCode")
    detail = f" (serviceErrorCode {service})" if service is not None else ""
    return f"HTTP {resp.status_code} {code}{detail}: {body.get('message')!r}".replace("  ", " ")


class Classifier:
    """``classify(response, account)`` for LinkedIn, naming the configured version on a 426."""

    def __init__(self, version: str) -> None:
        self.version = version

    def __call__(self, resp: requests.Response, account: str) -> Verdict:
        status = resp.status_code
        where = f"GET {safe_url(resp.url)}"
        if status < 400:
            try:
                resp.json()
            except ValueError as exc:  # a truncated page: transient, ask again
                return Verdict.retry(f"HTTP {status} with an unreadable JSON body ({exc})")
            return Verdict.ok()
        text = error_text(resp)
        if status == 429:
            return Verdict.retry(text, retry_after_s(resp.headers))
        if status >= 500:
            return Verdict.retry(text, retry_after_s(resp.headers))
        if status == 426 or (status == 400 and "VERSION" in text):
            return Verdict.fail(
                LinkedInVersionError(
                    s.SOURCE_NAME,
                    account,
                    f"LinkedIn-Version {self.version} is not accepted ({text}); "
                    f"{s.VERSION_CONFIG_HINT}",
                )
            )
        if status == 401:  # EXPIRED_ACCESS_TOKEN 65601, INVALID_ACCESS_TOKEN 65600...: renewable
            return Verdict.fail(
                TokenRejected(
                    s.SOURCE_NAME,
                    account,
                    f"access token rejected ({text}); tokens last 60 days: an ADMINISTRATOR of "
                    "the organizations authorises the app again (or uses the Developer Portal's "
                    "token generator) for a new sources.linkedin.access_token "
                    "(SOURCES__LINKEDIN__ACCESS_TOKEN)",
                )
            )
        if status == 403:
            return Verdict.fail(
                LinkedInPermissionError(
                    s.SOURCE_NAME,
                    account,
                    f"permission denied on {where} ({text}); the token's member must be an "
                    "ADMINISTRATOR of the organization, with scopes r_organization_social and "
                    "rw_organization_admin",
                )
            )
        return Verdict.fail(SourceError(s.SOURCE_NAME, account, f"{where} failed: {text}"))


# --- Rest.li 2.0 encoding -------------------------------------------------------------------


def urn_param(urn: str) -> str:
    """A URN as a Rest.li 2.0 leaf: every reserved character percent-encoded."""
    return quote(urn, safe="")


def restli_list(urns: Sequence[str]) -> str:
    """``List(urn%3Ali%3Ashare%3A1,...)``."""
    return "List(" + ",".join(urn_param(u) for u in urns) + ")"


def share_statistics_params(org_id: str, post_urns: Sequence[str]) -> list[tuple[str, str]]:
    """The share statistics finder for some posts of an organization: shares and ugcPosts
    go in their own Rest.li lists (a URN in the wrong list is refused)."""
    shares = [u for u in post_urns if u.startswith("urn:li:share:")]
    ugc = [u for u in post_urns if u.startswith("urn:li:ugcPost:")]
    params = [
        ("q", "organizationalEntity"),
        ("organizationalEntity", urn_param(f"urn:li:organization:{org_id}")),
    ]
    if shares:
        params.append(("shares", restli_list(shares)))
    if ugc:
        params.append(("ugcPosts", restli_list(ugc)))
    return params


def epoch_ms(day: date) -> int:
    """UTC midnight of ``day`` in epoch milliseconds."""
    return int(datetime.combine(day, time(), UTC).timestamp() * 1000)


def time_intervals(first: date, end: date, granularity: str = "DAY") -> str:
    """``(timeRange:(start:..,end:..),timeGranularityType:DAY)`` for [first, end)."""
    return (
        f"(timeRange:(start:{epoch_ms(first)},end:{epoch_ms(end)}),"
        f"timeGranularityType:{granularity})"
    )


def query(params: Sequence[tuple[str, str]]) -> str:
    """A query string whose values are already Rest.li-encoded (kept as they are)."""
    return "&".join(f"{k}={v}" for k, v in params)


def next_href(page: Any) -> str | None:
    """The ``rel: next`` link of a LinkedIn page, if any (its href is relative to the host)."""
    paging = page.get("paging") if isinstance(page, dict) else None
    links = paging.get("links") if isinstance(paging, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def elements_of(page: Any, account: str) -> list[Any]:
    """The ``elements`` list of a LinkedIn answer (an error if it has none)."""
    elements = page.get("elements") if isinstance(page, dict) else None
    if not isinstance(elements, list):
        raise SourceError(
            s.SOURCE_NAME, account, f"unexpected answer without 'elements': {str(page)[:200]}"
        )
    return elements


def per_post_rows(
    answer: Answer,
    org_id: str,
    wanted: Collection[str],
    build: Callable[[str, Any], dict[str, Any] | None],
    record_id: Callable[[str | None, Any], str | None],
    missing: str,
) -> Iterator[dict[str, Any] | Bad]:
    """The rows of a share statistics answer about the posts ``wanted``.

    ``build(urn, element)`` makes an element's row (None: not one to keep); an element that
    names no post, or a post not asked for, is ``Bad`` (``record_id`` names it), and so is
    each post asked for that the answer left out (``missing`` says why).
    """
    seen: set[str] = set()
    for element in elements_of(answer.json(), org_id):
        urn: str | None = None
        try:
            urn = rows.post_of(element)
            if urn not in wanted:
                raise InvalidRecord(f"statistics for a post not asked for: {urn}")
            seen.add(urn)
            row = build(urn, element)
        except BAD_RECORD as exc:
            yield Bad(element, exc, answer.fetched_at, record_id=record_id(urn, element))
            continue
        if row is not None:
            yield row
    for urn in sorted(set(wanted) - seen):
        yield Bad({"post_urn": urn}, missing, answer.fetched_at, record_id=urn)


class LinkedInClient:
    """The shared ``ApiClient`` with LinkedIn's headers, classifier and offset paging."""

    def __init__(
        self,
        token: BearerToken,
        *,
        base_url: str = s.DEFAULT_BASE_URL,
        api_version: str = s.DEFAULT_API_VERSION,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.version = check_version(api_version)
        self.base_url = base_url.rstrip("/")
        extra = {"sleep": sleep} if sleep else {}
        self.api = ApiClient(
            s.SOURCE_NAME,
            self.base_url,
            Classifier(self.version),
            policy or RetryPolicy(),
            headers={
                "LinkedIn-Version": self.version,
                "X-Restli-Protocol-Version": s.RESTLI_PROTOCOL_VERSION,
                "Accept": "application/json",
            },
            token=token,  # Authorization per request, renewed when it can be (auth.py)
            **extra,
        )

    @property
    def requests_made(self) -> int:
        return self.api.requests_made

    @property
    def retries(self) -> int:
        return self.api.retries

    def url(self, path: str, params: Sequence[tuple[str, str]] = ()) -> str:
        """``base_url + path`` (an href from ``paging.links`` is a path too) plus the query."""
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        if params:
            url += ("&" if "?" in url else "?") + query(params)
        return url

    def get(self, path: str, params: Sequence[tuple[str, str]] = (), *, account: str) -> Answer:
        return self.api.request("GET", self.url(path, params), account=account)

    def paginate(
        self, path: str, params: Sequence[tuple[str, str]], *, account: str
    ) -> Iterator[Answer]:
        """Every page of an offset-paged finder, following ``rel: next`` until it is absent."""
        seen: set[str] = set()
        answer = self.get(path, params, account=account)
        for _ in range(s.MAX_PAGES):
            yield answer
            href = next_href(answer.json())
            if not href:
                return
            url = self.url(href)
            if url in seen:
                raise SourceError(s.SOURCE_NAME, account, f"paging loop: {safe_url(url)} repeated")
            seen.add(url)
            answer = self.get(url, account=account)
        raise SourceError(s.SOURCE_NAME, account, f"more than {s.MAX_PAGES} pages at {path}")
