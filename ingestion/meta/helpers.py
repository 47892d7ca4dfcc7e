"""HTTP client for the Graph API: errors by Meta body code, bounded retries, paging.

Meta signals throttling in the *body* (codes 4/17/32/613/800xx, HTTP 400/403), not with 429,
so the client classifies every answer by its error envelope before deciding to retry. A bad
token (190) or a missing permission (10, 2xx) fails at once with a message naming the source,
platform and account, because retrying cannot fix them and the operator must act.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from . import settings as s

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist: attempts per request and the total sleep budget per request."""

    max_attempts: int = s.MAX_ATTEMPTS
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S
    backoff_base_s: float = s.BACKOFF_BASE_S
    backoff_max_s: float = s.BACKOFF_MAX_S
    timeout_s: float = s.REQUEST_TIMEOUT_S


class MetaApiError(RuntimeError):
    """A Graph API error, with the context an operator needs to act on it."""

    def __init__(
        self,
        summary: str,
        *,
        platform: str,
        account_id: str,
        status: int | None = None,
        code: int | None = None,
        subcode: int | None = None,
        meta_message: str | None = None,
        fbtrace_id: str | None = None,
        hint: str = "",
    ) -> None:
        self.platform, self.account_id, self.status = platform, account_id, status
        self.code, self.subcode, self.meta_message = code, subcode, meta_message
        detail = f"code {code}" + (f", subcode {subcode}" if subcode is not None else "")
        parts = [
            f"{s.SOURCE_NAME}: {platform} account {account_id}: {summary}",
            f"Meta error {detail} (HTTP {status}): {meta_message!r}" if code is not None else "",
            f"fbtrace_id {fbtrace_id}" if fbtrace_id else "",
            hint,
        ]
        super().__init__("; ".join(p for p in parts if p))


class MetaAuthError(MetaApiError):
    """Code 190: the access token is invalid or expired. Never retried."""


class MetaPermissionError(MetaApiError):
    """Codes 10 / 200-299: the token lacks a permission on this account. Never retried."""


class MetaRetriesExhausted(MetaApiError):
    """Transient failures outlasted the retry policy."""


class MetaConfigError(RuntimeError):
    """The source is missing configuration (e.g. no access token)."""


@dataclass
class GraphResponse:
    """A decoded answer and the server's clock, which dates snapshots (sandbox or production)."""

    data: Any
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


def _server_time(headers: Any) -> datetime:
    value = headers.get("Date")
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            logger.warning("meta: unparseable Date header %r, using local clock", value)
    return datetime.now(UTC)


def _json_header(headers: Any, name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def regain_wait_s(headers: Any) -> float:
    """Seconds Meta asks us to wait: max ``estimated_time_to_regain_access`` (minutes) of BUC."""
    usage = _json_header(headers, "X-Business-Use-Case-Usage")
    minutes = 0.0
    if isinstance(usage, dict):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, dict):
                    try:
                        minutes = max(minutes, float(entry.get("estimated_time_to_regain_access")))
                    except (TypeError, ValueError):
                        continue
    return minutes * 60.0


def usage_summary(headers: Any) -> str:
    """The usage headers, compactly, for logs."""
    app = _json_header(headers, "X-App-Usage")
    buc = _json_header(headers, "X-Business-Use-Case-Usage")
    return f"X-App-Usage={app} X-Business-Use-Case-Usage={buc}"


def safe_url(url: str) -> str:
    """The URL without ``access_token`` (Meta puts it in ``paging.next``): no tokens in logs."""
    return re.sub(r"(access_token=)[^&]+", r"\1***", url)


def _error_of(resp: requests.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


class GraphClient:
    """One requests session against ``{base_url}/{api_version}``, token sent as a Bearer header."""

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = s.DEFAULT_BASE_URL,
        api_version: str = s.DEFAULT_API_VERSION,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise MetaConfigError(
                "meta: no access token: set SOURCES__META__ACCESS_TOKEN or "
                "sources.meta.access_token in .dlt/secrets.toml"
            )
        self.root = f"{base_url.rstrip('/')}/{api_version.strip('/')}"
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        self._sleep = sleep
        self.requests_made = 0

    def get(
        self,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        platform: str,
        account_id: str,
    ) -> GraphResponse:
        """GET a path (relative to the version root) or a full ``paging.next`` URL, with retries."""
        url = path_or_url if "://" in path_or_url else f"{self.root}/{path_or_url.lstrip('/')}"
        ctx = {"platform": platform, "account_id": account_id}
        waited = 0.0
        pol = self.policy
        for attempt in range(1, pol.max_attempts + 1):
            asked_s = 0.0
            info: dict[str, Any] = {}
            try:
                self.requests_made += 1
                resp = self.session.get(url, params=params, timeout=pol.timeout_s)
            except (requests.Timeout, requests.ConnectionError) as exc:
                why = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code < 400:
                    try:
                        return GraphResponse(
                            resp.json(), _server_time(resp.headers), dict(resp.headers)
                        )
                    except ValueError as exc:  # truncated body: a transient transport fault
                        why = f"HTTP {resp.status_code} with an unreadable JSON body ({exc})"
                else:
                    err = _error_of(resp)
                    info = self._raise_if_final(resp, err, ctx)
                    asked_s = regain_wait_s(resp.headers)
                    why = (
                        f"HTTP {resp.status_code} code {err.get('code')}: "
                        f"{err.get('message')!r}; {usage_summary(resp.headers)}"
                    )
            if attempt == pol.max_attempts:
                raise MetaRetriesExhausted(
                    f"gave up on {safe_url(url)} after {attempt} attempts ({waited:.1f}s waited); "
                    f"last: {why}",
                    **(info or ctx),
                )
            backoff = min(pol.backoff_max_s, pol.backoff_base_s * 2 ** (attempt - 1))
            wait = max(backoff * random.uniform(0.5, 1.0), asked_s)
            if waited + wait > pol.max_total_wait_s:
                raise MetaRetriesExhausted(
                    f"giving up on {safe_url(url)}: waiting {wait:.0f}s more would exceed "
                    f"max_total_wait_s={pol.max_total_wait_s:.0f} (waited {waited:.1f}s); "
                    f"last: {why}",
                    **(info or ctx),
                )
            logger.warning(
                "meta: %s %s: attempt %d/%d failed (%s); retrying in %.2fs",
                platform,
                account_id,
                attempt,
                pol.max_attempts,
                why,
                wait,
            )
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_if_final(
        self, resp: requests.Response, err: dict[str, Any], ctx: dict[str, str]
    ) -> dict[str, Any]:
        """Raise for answers that retrying cannot fix; return the error context otherwise."""
        code = err.get("code")
        info = {
            "status": resp.status_code,
            "code": code,
            "subcode": err.get("error_subcode"),
            "meta_message": err.get("message"),
            "fbtrace_id": err.get("fbtrace_id"),
            **ctx,
        }
        if code in s.AUTH_CODES:
            raise MetaAuthError(
                "access token rejected (invalid or expired)",
                hint="renew the token in sources.meta.access_token (SOURCES__META__ACCESS_TOKEN)",
                **info,
            )
        if code in s.PERMISSION_CODES:
            raise MetaPermissionError(
                "permission denied", hint="grant the token the missing permission", **info
            )
        retryable = (
            code in s.THROTTLE_CODES
            or code in s.TRANSIENT_CODES
            or err.get("is_transient") is True
            or resp.status_code >= 500
            or resp.status_code == 429
        )
        if not retryable:
            raise MetaApiError(f"request failed: GET {safe_url(resp.url)}", **info)
        return info

    def paginate(
        self,
        path: str,
        params: dict[str, Any],
        *,
        platform: str,
        account_id: str,
    ) -> Iterator[GraphResponse]:
        """Yield every page of a list edge, following ``paging.next`` until it is absent."""
        resp = self.get(path, params, platform=platform, account_id=account_id)
        yield resp
        yield from self._following(resp.data, platform=platform, account_id=account_id)

    def edge_pages(
        self, first: Any, fetched_at: datetime | None, *, platform: str, account_id: str
    ) -> Iterator[tuple[dict[str, Any], datetime | None]]:
        """An already fetched edge (an expanded ``comments{...}``, nested ``replies``) and its
        next pages, each with the server time it was fetched at."""
        if not isinstance(first, dict):
            return
        yield first, fetched_at
        for resp in self._following(first, platform=platform, account_id=account_id):
            if not isinstance(resp.data, dict):
                return
            yield resp.data, resp.fetched_at

    def follow(
        self, first: dict[str, Any], *, platform: str, account_id: str
    ) -> Iterator[dict[str, Any]]:
        """Items of an already fetched edge (e.g. nested ``replies``) and of its next pages."""
        for page, _ in self.edge_pages(first, None, platform=platform, account_id=account_id):
            yield from page.get("data") or []

    def _following(self, page: Any, *, platform: str, account_id: str) -> Iterator[GraphResponse]:
        """The pages after ``page`` by ``paging.next``; a link seen twice is a paging loop."""
        seen: set[str] = set()
        while nxt := next_url(page):
            if nxt in seen:
                raise MetaApiError(
                    f"paging loop: {safe_url(nxt)} repeated",
                    platform=platform,
                    account_id=account_id,
                )
            seen.add(nxt)
            resp = self.get(nxt, platform=platform, account_id=account_id)
            yield resp
            page = resp.data

    def lookup(
        self, ids: Sequence[str], fields: str, *, platform: str, account_id: str
    ) -> GraphResponse:
        """Graph multi-id lookup ``GET /{version}/?ids=a,b&fields=...`` (at most 50 ids)."""
        if len(ids) > s.LOOKUP_BATCH:
            raise ValueError(f"multi-id lookup takes at most {s.LOOKUP_BATCH} ids, got {len(ids)}")
        params = {"ids": ",".join(ids), "fields": fields}
        return self.get("", params, platform=platform, account_id=account_id)


def next_url(page: Any) -> str | None:
    """``paging.next`` of a Graph page, or None on the last page."""
    if not isinstance(page, dict):
        return None
    paging = page.get("paging")
    nxt = paging.get("next") if isinstance(paging, dict) else None
    return nxt if isinstance(nxt, str) and nxt else None
