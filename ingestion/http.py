"""A retrying HTTP client shared by the REST sources; each API says how to read its answers.

Every API signals throttling and failure in its own dialect (LinkedIn's 429 body, X's
``x-rate-limit-reset``, YouTube's ``quotaExceeded`` 403, Matomo's HTTP 200 ``result: error``).
A source passes a ``classify`` function that turns a response into a ``Verdict``: ok, retry
(optionally after the wait the API asked for), or fail with an exception that names the
source, the account and the API's own error. The loop, backoff and budget live here, once,
and so do their settings: ``HttpConfig``, the one configuration every source factory takes.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from dlt.common.configuration import configspec
from dlt.common.configuration.specs import BaseConfiguration

from ingestion.session import Session

if TYPE_CHECKING:
    from ingestion.oauth import BearerToken

logger = logging.getLogger(__name__)


class SourceError(RuntimeError):
    """An API error that stops a source: names the source, the account and the API's error."""

    def __init__(self, source: str, account: str, message: str) -> None:
        self.source, self.account, self.detail = source, account, message
        super().__init__(f"{source}: account {account}: {message}")


class SourceAuthError(SourceError):
    """Bad or expired token, missing permission, sunset API version: never retried."""


class TokenRejected(SourceAuthError):
    """The API refused the access token itself (expired, revoked, unknown): a client that can
    renew its token does so once and sends the request again."""


class RetriesExhausted(SourceError):
    """Transient failures outlasted the retry policy."""


# A request that got no complete answer: timed out, refused, or cut mid-body (a reset).
NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)

# Retry defaults shared by the sources (a source whose API needs longer waits overrides them).
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT_S = 900.0
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per request, exponential backoff with jitter, and a total sleep budget."""

    max_attempts: int = MAX_ATTEMPTS
    backoff_base_s: float = BACKOFF_BASE_S
    backoff_max_s: float = BACKOFF_MAX_S
    max_total_wait_s: float = MAX_TOTAL_WAIT_S
    timeout_s: float = REQUEST_TIMEOUT_S

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number ``attempt`` (1-based) when the API named no wait."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


@configspec
class HttpConfig(BaseConfiguration):
    """The retry policy and page size of one source: the same fields, one spec, every source.

    Each source factory takes it as its ``_http`` argument, and dlt fills it like any other
    argument from the source's own section: ``sources.<name>.max_attempts`` in
    .dlt/config.toml, env ``SOURCES__<NAME>__MAX_ATTEMPTS``, and ``sources.max_attempts`` for
    every source at once. (dlt looks the fields of an embedded configuration up in the parent's
    section when the argument's name starts with ``_``.) A caller overrides fields with a
    mapping: ``tiktok_source(_http={"max_attempts": 2, "page_size": 7})``.

    The defaults below hold for every source. A source whose API needs others (X's 15-minute
    rate windows, each API's page maximum) subclasses this class in its ``settings.py`` with
    its own defaults, so each default has one owner.
    """

    max_attempts: int = MAX_ATTEMPTS
    """Attempts per request; 1 means no retry."""
    max_total_wait_s: float = MAX_TOTAL_WAIT_S
    """Sleep budget of one request: a wait that would exceed it fails the request."""
    backoff_base_s: float = BACKOFF_BASE_S
    """First backoff when the API names no wait; doubles per attempt, with jitter."""
    backoff_max_s: float = BACKOFF_MAX_S
    """Ceiling of one backoff."""
    request_timeout_s: float = REQUEST_TIMEOUT_S
    """Connect and read timeout of one request."""
    page_size: int | None = None
    """Items per page of the source's list calls; None where a source pages by several named
    sizes of its own (YouTube)."""

    def policy(self) -> RetryPolicy:
        """The policy ``ApiClient`` applies to each request."""
        return RetryPolicy(
            max_attempts=self.max_attempts,
            backoff_base_s=self.backoff_base_s,
            backoff_max_s=self.backoff_max_s,
            max_total_wait_s=self.max_total_wait_s,
            timeout_s=self.request_timeout_s,
        )

    def page_size_within(self, maximum: int, minimum: int = 1) -> int:
        """``page_size`` held inside what the API accepts (beyond it the API answers 400)."""
        return max(minimum, min(self.page_size or maximum, maximum))


@dataclass(frozen=True)
class Verdict:
    """What to do with one answer: ``ok``; ``retry`` (after ``wait_s`` if the API said);
    or ``fail`` with ``error``."""

    action: str
    reason: str = ""
    wait_s: float | None = None
    error: Exception | None = None

    @classmethod
    def ok(cls) -> Verdict:
        return cls("ok")

    @classmethod
    def retry(cls, reason: str, wait_s: float | None = None) -> Verdict:
        return cls("retry", reason, wait_s)

    @classmethod
    def fail(cls, error: Exception) -> Verdict:
        return cls("fail", str(error), error=error)


Classifier = Callable[[requests.Response, str], Verdict]
"""``classify(response, account) -> Verdict`` for one API."""


@dataclass
class Answer:
    """A successful response and the server's clock (it dates snapshots, in the sandbox too)."""

    response: requests.Response
    fetched_at: datetime

    def json(self) -> Any:
        return self.response.json()


def json_body(resp: requests.Response) -> Any:
    """The decoded JSON body, or None when it is not JSON (an HTML error page, a cut body)."""
    try:
        return resp.json()
    except ValueError:
        return None


def error_object(resp: requests.Response) -> dict[str, Any]:
    """The ``error`` object of a ``{"error": {...}}`` answer (Google's google.rpc envelope,
    Meta's Graph errors); {} when the body has none."""
    body = json_body(resp)
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


def server_time(headers: Any) -> datetime:
    """The response's ``Date`` header as an aware UTC datetime, else the local clock."""
    value = headers.get("Date")
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            logger.warning("unparseable Date header %r, using the local clock", value)
    return datetime.now(UTC)


SECRET_PARAMS = r"access_token|refresh_token|client_secret|apikey|api_key|token_auth|key|code"
MIN_SECRET_LEN = 6  # shorter values are not masked by value (they would mask ordinary words)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential masked: secret query parameters, ``Bearer`` values and
    each of ``secrets`` wherever it appears (a token echoed in a message, a URL, a body).

    The one function applied where an HTTP error becomes text: retry reasons, exception
    messages, log lines."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET_LEN}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = re.sub(rf"((?<![\w-])(?:{SECRET_PARAMS})=)[^&\s'\"]+", r"\1***", text)
    return re.sub(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", r"\1***", text)


def safe_url(url: str) -> str:
    """The URL with credentials in the query masked, for logs and error messages."""
    return redact(url)


def retry_after_s(headers: Any) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), if present."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


@dataclass
class ApiClient:
    """One session against one API; ``request`` retries by the API's ``classify``.

    Credentials go only to ``base_url``'s scheme and host: an absolute link elsewhere (a paging
    ``next`` URL, say) is refused before anything is sent. With a ``token``, each request
    carries its current ``Authorization`` and a ``TokenRejected`` answer renews it once.
    """

    source: str
    base_url: str
    classify: Classifier
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    headers: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=Session)
    token: BearerToken | None = None
    requests_made: int = 0
    retries: int = 0

    def __post_init__(self) -> None:
        self.session.headers.update(self.headers)

    def url(self, path_or_url: str) -> str:
        if "://" in path_or_url:
            return path_or_url
        return f"{self.base_url.rstrip('/')}/{path_or_url.lstrip('/')}"

    def secrets(self) -> list[str]:
        """The credential values this client sends: masked in every text it produces."""
        values = [str(v) for v in (self.session.params or {}).values()]  # type: ignore[union-attr]
        for name, value in self.session.headers.items():
            if re.search(r"auth|key|token", name, re.I):
                values.append(str(value).split(" ", 1)[-1])
        return values + (self.token.secrets() if self.token else [])

    def request(self, method: str, path_or_url: str, *, account: str, **kwargs: Any) -> Answer:
        """Send with retries (renewing a rejected token once); raises the classifier's error,
        or RetriesExhausted. Every message is redacted of this client's secrets."""
        url = self.url(path_or_url)
        self._same_host(url, account)
        try:
            try:
                return self._send(method, url, account, kwargs)
            except TokenRejected as exc:
                if self.token is None:
                    raise
                self.token.rejected(self.session, refreshed_already=False, cause=exc.detail)
            try:
                return self._send(method, url, account, kwargs)
            except TokenRejected as exc:
                self.token.rejected(self.session, refreshed_already=True, cause=exc.detail)
                raise
        except SourceError as exc:
            exc.args = (redact(str(exc), self.secrets()),)
            raise

    def _same_host(self, url: str, account: str) -> None:
        base, there = urlsplit(self.base_url), urlsplit(url)
        if (there.scheme, there.netloc) != (base.scheme, base.netloc):
            raise SourceError(
                self.source,
                account,
                f"refusing to send credentials to {there.scheme}://{there.netloc}: the API "
                f"linked outside its host {base.scheme}://{base.netloc}",
            )

    def _send(self, method: str, url: str, account: str, kwargs: dict[str, Any]) -> Answer:
        pol = self.policy
        waited = 0.0
        last = ""
        from ingestion.deadline import check as check_deadline  # deadline imports this module

        for attempt in range(1, pol.max_attempts + 1):
            check_deadline(self.source, account)
            self.requests_made += 1
            args = dict(kwargs)
            if self.token:
                args["headers"] = {**(args.get("headers") or {}), **self.token.header(self.session)}
            try:
                resp = self.session.request(method, url, timeout=pol.timeout_s, **args)
            except NETWORK_ERRORS as exc:
                verdict = Verdict.retry(redact(f"{type(exc).__name__}: {exc}", self.secrets()))
            else:
                verdict = self.classify(resp, account)
                if verdict.action == "ok":
                    return Answer(resp, server_time(resp.headers))
                if verdict.action == "fail":
                    raise verdict.error or SourceError(self.source, account, verdict.reason)
            last = redact(verdict.reason, self.secrets())
            if attempt == pol.max_attempts:
                break
            wait = verdict.wait_s if verdict.wait_s is not None else pol.backoff(attempt)
            check_deadline(self.source, account, wait, last)
            if waited + wait > pol.max_total_wait_s:
                raise RetriesExhausted(
                    self.source,
                    account,
                    f"{method} {safe_url(url)}: the API asks to wait {wait:.0f} s, beyond the "
                    f"retry budget ({pol.max_total_wait_s:.0f} s); last error: {last}",
                )
            logger.warning(
                "%s: account %s: %s (attempt %d/%d), retrying in %.1f s",
                self.source,
                account,
                last,
                attempt,
                pol.max_attempts,
                wait,
            )
            self.retries += 1
            self.sleep(wait)
            waited += wait
        raise RetriesExhausted(
            self.source,
            account,
            f"{method} {safe_url(url)} failed {pol.max_attempts} times; last error: {last}",
        )


def token_pages(
    client: ApiClient, path: str, params: Mapping[str, Any], account: str
) -> Iterator[tuple[Answer, dict[str, Any]]]:
    """Every page of a Google list call (a JSON object each), following ``nextPageToken`` to
    the last page; a token served twice is a server paging loop and fails the source."""
    seen: set[str] = set()
    query = dict(params)
    while True:
        answer = client.request("GET", path, account=account, params=query)
        body = answer.json()
        if not isinstance(body, dict):
            raise SourceError(client.source, account, f"{path}: not a JSON object: {body!r:.200}")
        yield answer, body
        token = body.get("nextPageToken")
        if not token:
            return
        if token in seen:
            raise SourceError(client.source, account, f"{path}: paging loop: {token!r} again")
        seen.add(token)
        query = {**params, "pageToken": token}
