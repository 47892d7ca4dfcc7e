"""HTTP for the X source: X's error dialect (``classify``) and paging on the shared ApiClient.

X says "wait" with HTTP 429 and ``x-rate-limit-reset`` (unix seconds, the end of a 15-minute
window); the classifier turns that into the exact wait, so ApiClient sleeps until the window
reopens, within the request's budget and the run's (``WaitBudget``). The same 429 status also
says "monthly post cap reached" (problem ``UsageCapExceeded``, with ``x-rate-limit-remaining``
still high): no wait within a run can help, so that fails at once. Bad tokens (401), missing
access (403), unknown users and sunset endpoints fail the source with the account and X's own
problem text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from ingestion.http import (
    ApiClient,
    RetriesExhausted,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    Verdict,
    retry_after_s,
)

from . import settings as s


def problem_text(resp: requests.Response) -> str:
    """X's error, compactly: problem JSON title/detail/type, or legacy ``errors[].message``."""
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}: {resp.text[:200]!r}"
    if not isinstance(body, dict):
        return f"HTTP {resp.status_code}: {str(body)[:200]}"
    parts = [f"HTTP {resp.status_code}"]
    if body.get("title"):
        parts[0] += f" {body['title']}: {body.get('detail', '')}".rstrip()
    if body.get("type") and body.get("type") != "about:blank":
        parts.append(f"type {body['type']}")
    if body.get("period") or body.get("scope"):
        parts.append(f"period {body.get('period')}, scope {body.get('scope')}")
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            code = f" (code {err['code']})" if "code" in err else ""
            parts.append(f"{err.get('message') or err.get('detail')}{code}")
    return "; ".join(parts)


def reset_wait_s(headers: Any, now: Callable[[], float] = time.time) -> float | None:
    """Seconds until ``x-rate-limit-reset`` (plus slack), or ``Retry-After``, or None."""
    raw = headers.get("x-rate-limit-reset")
    if raw:
        try:
            return max(0.0, float(raw) - now()) + s.RESET_SLACK_S * (float(raw) > now())
        except ValueError:
            pass
    return retry_after_s(headers)


class UsageCapExceeded(SourceError):
    """X's monthly post cap is reached: every read of posts is refused until it resets."""


def is_usage_cap(resp: requests.Response) -> bool:
    """A 429 of the monthly post cap (problem ``UsageCapExceeded``, type ``.../usage-capped``),
    not of a rate window: https://docs.x.com/x-api/fundamentals/post-cap and
    https://github.com/xdevplatform/xdk/issues/25 (the cap arrives with remaining still high)."""
    try:
        body = resp.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    kind = str(body.get("type") or "")
    return body.get("title") == "UsageCapExceeded" or kind.endswith("/problems/usage-capped")


def usage_cap_error(resp: requests.Response, account: str) -> UsageCapExceeded:
    return UsageCapExceeded(
        s.SOURCE_NAME,
        account,
        f"X's monthly post cap is reached ({problem_text(resp)}): posts read from timelines, "
        "mentions and search are refused until the cap resets on the project's reset day "
        "(developer console, or GET /2/usage/tweets cap_reset_day). Not retried: no wait "
        "within this run can help. Raise the plan's cap, or wait for the reset; the next run "
        "resumes from the saved cursors.",
    )


def classify(resp: requests.Response, account: str) -> Verdict:
    """X's dialect -> ok / retry (after the reset) / fail naming the account and X's error."""
    code = resp.status_code
    if code == 200:
        try:
            body = resp.json()
        except ValueError as exc:  # truncated page: transport fault, ask again
            return Verdict.retry(f"HTTP 200 with an unreadable JSON body ({exc})")
        # errors without data or meta: the request's own object is missing (unknown user...)
        if isinstance(body, dict) and body.get("errors") and not {"data", "meta"} & set(body):
            return Verdict.fail(SourceError(s.SOURCE_NAME, account, problem_text(resp)))
        return Verdict.ok()
    if code == 429 and is_usage_cap(resp):
        return Verdict.fail(usage_cap_error(resp, account))
    if code == 429:
        return Verdict.retry(problem_text(resp), reset_wait_s(resp.headers))
    if code >= 500:
        return Verdict.retry(problem_text(resp), retry_after_s(resp.headers))
    if code == 401:
        return Verdict.fail(
            SourceAuthError(
                s.SOURCE_NAME,
                account,
                f"bearer token rejected ({problem_text(resp)}): an X app-only bearer token does "
                "not expire but is invalidated when revoked (oauth2/invalidate_token) or when the "
                "app's keys are regenerated: copy the app's current Bearer Token from the "
                "developer console (Keys and tokens; docs.x.com/fundamentals/authentication/"
                "oauth-2-0/bearer-tokens) into sources.x.bearer_token (SOURCES__X__BEARER_TOKEN)",
            )
        )
    if code == 403:
        return Verdict.fail(
            SourceAuthError(
                s.SOURCE_NAME,
                account,
                f"access denied ({problem_text(resp)}); check the app's access level and project",
            )
        )
    return Verdict.fail(
        SourceError(
            s.SOURCE_NAME, account, f"{resp.request.method} {resp.url}: {problem_text(resp)}"
        )
    )


@dataclass
class Page:
    """One decoded page and the server's clock."""

    body: dict[str, Any]
    fetched_at: datetime

    @property
    def data(self) -> list[Any]:
        data = self.body.get("data")
        return data if isinstance(data, list) else []

    @property
    def errors(self) -> list[Any]:
        errors = self.body.get("errors")
        return errors if isinstance(errors, list) else []


class WaitBudget:
    """The run's sleeps, up to ``budget_s`` in all. X's windows last 15 minutes, so each wait
    for ``x-rate-limit-reset`` can be long; a request's own budget bounds one wait, this bounds
    their sum, so a scheduled run ends instead of drifting into the next one."""

    def __init__(self, budget_s: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.budget_s, self.spent, self.account = budget_s, 0.0, "-"
        self._sleep = sleep

    def __call__(self, seconds: float) -> None:
        if self.spent + seconds > self.budget_s:
            raise RetriesExhausted(
                s.SOURCE_NAME,
                self.account,
                f"X asks to wait {seconds:.0f} s for its rate window to reopen "
                f"(x-rate-limit-reset), beyond what is left of the run's wait budget "
                f"({self.spent:.0f} s of {self.budget_s:.0f} s spent, "
                "sources.x.run_wait_budget_s); the next run resumes from the saved cursors",
            )
        self.spent += seconds
        self._sleep(seconds)


class XClient:
    """ApiClient with the bearer token, X's classifier, the run's wait budget, token paging."""

    def __init__(
        self,
        bearer_token: str,
        base_url: str = s.DEFAULT_BASE_URL,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        run_wait_budget_s: float = s.RUN_WAIT_BUDGET_S,
    ) -> None:
        self.budget = WaitBudget(run_wait_budget_s, sleep)
        self.api = ApiClient(
            source=s.SOURCE_NAME,
            base_url=base_url,
            classify=classify,
            policy=policy or RetryPolicy(),
            headers={"Authorization": f"Bearer {bearer_token}"},
            sleep=self.budget,
        )

    def get(self, path: str, params: dict[str, Any], account: str) -> Page:
        self.budget.account = account
        answer = self.api.request("GET", path, account=account, params=params)
        body = answer.json()
        if not isinstance(body, dict):
            raise SourceError(s.SOURCE_NAME, account, f"GET {path}: not a JSON object: {body!r}")
        return Page(body, answer.fetched_at)

    def paginate(
        self, path: str, params: dict[str, Any], account: str, token_param: str
    ) -> Iterator[Page]:
        """Every page, following ``meta.next_token`` until it is omitted."""
        seen: set[str] = set()
        params = dict(params)
        while True:
            page = self.get(path, params, account)
            yield page
            meta = page.body.get("meta")
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not token:
                return
            if token in seen:
                raise SourceError(s.SOURCE_NAME, account, f"paging loop at token {token!r}")
            seen.add(token)
            params[token_param] = token


def conversation_queries(ids: list[str], limit: int = s.QUERY_MAX_CHARS) -> list[str]:
    """``conversation_id:a OR conversation_id:b ...`` queries, each within the length limit."""
    out: list[str] = []
    current = ""
    for cid in ids:
        term = f"conversation_id:{cid}"
        candidate = f"{current} OR {term}" if current else term
        if len(candidate) > limit and current:
            out.append(current)
            candidate = term
        current = candidate
    if current:
        out.append(current)
    return out
