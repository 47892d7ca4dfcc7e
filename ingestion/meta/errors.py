"""Meta's error dialect for the shared retrying client: ``classify(response, account)``.

The Graph API signals throttling in the *body*, not with 429: an error envelope
``{"error": {"code", "error_subcode", "message", "is_transient", "fbtrace_id"}}`` with HTTP
400/403 and a code among 4, 17, 32, 613, 80001-80014, while the usage headers say how close the
app (``X-App-Usage``) and each Page or IG account (``X-Business-Use-Case-Usage``, with
``estimated_time_to_regain_access`` in minutes) are to their limits. References:
developers.facebook.com/docs/graph-api/guides/error-handling (codes, ``is_transient``, 190)
and developers.facebook.com/docs/graph-api/overview/rate-limiting (codes and headers).

A bad token (190) or a missing permission (10, 200-299) fails at once, naming the platform
and account, because retrying cannot fix them and the operator must act; throttling,
transient codes, ``is_transient``, 429 and 5xx are retried, after the regain time Meta
announces when it announces one. Timeouts and dropped connections are retried by
``ingestion.http.ApiClient`` itself.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from ingestion.http import SourceAuthError, SourceError, Verdict, error_object, safe_url

from . import settings as s

# Throttling codes (rate-limiting reference): 4 app, 17 user, 32 page, 613 custom rate limit,
# 80001-80014 business use case (Pages, Instagram, ads...).
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error" / "service temporarily unavailable"
AUTH_CODES = frozenset({190})  # OAuthException: invalid or expired access token
PERMISSION_CODES = frozenset({10}) | frozenset(range(200, 300))
SUBCODE_NOT_BUSINESS_MEDIA = 2108006  # IG media posted before the business conversion


class MetaApiError(SourceError):
    """A Graph API error, with the context an operator needs to act on it."""

    def __init__(
        self,
        summary: str,
        *,
        account: str,
        status: int | None = None,
        code: int | None = None,
        subcode: int | None = None,
        meta_message: str | None = None,
        fbtrace_id: str | None = None,
        hint: str = "",
    ) -> None:
        self.status, self.code, self.subcode = status, code, subcode
        self.meta_message = meta_message
        detail = f"code {code}" + (f", subcode {subcode}" if subcode is not None else "")
        parts = [
            summary,
            f"Meta error {detail} (HTTP {status}): {meta_message!r}" if code is not None else "",
            f"fbtrace_id {fbtrace_id}" if fbtrace_id else "",
            hint,
        ]
        super().__init__(s.SOURCE_NAME, account, "; ".join(p for p in parts if p))


class MetaAuthError(MetaApiError, SourceAuthError):
    """Code 190: the access token is invalid or expired. Never retried."""


class MetaPermissionError(MetaApiError, SourceAuthError):
    """Codes 10 / 200-299: the token lacks a permission on this account. Never retried."""


class MetaConfigError(RuntimeError):
    """The source is missing configuration (e.g. no access token)."""


def account_label(platform: str, account_id: str) -> str:
    """How errors and logs name an account: ``facebook 104500000000001``."""
    return f"{platform} {account_id}"


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


def is_retryable(resp: requests.Response, err: dict[str, Any]) -> bool:
    """Throttling and transient codes, ``is_transient``, 429 and 5xx: worth asking again."""
    return (
        err.get("code") in THROTTLE_CODES
        or err.get("code") in TRANSIENT_CODES
        or err.get("is_transient") is True
        or resp.status_code >= 500
        or resp.status_code == 429
    )


def classify(resp: requests.Response, account: str) -> Verdict:
    """ok / retry (after Meta's regain time, if any) / fail for one Graph answer."""
    if resp.status_code < 400:
        try:
            resp.json()
        except ValueError as exc:  # truncated body: a transient transport fault
            return Verdict.retry(f"HTTP {resp.status_code} with an unreadable JSON body ({exc})")
        return Verdict.ok()
    err = error_object(resp)
    info: dict[str, Any] = {
        "account": account,
        "status": resp.status_code,
        "code": err.get("code"),
        "subcode": err.get("error_subcode"),
        "meta_message": err.get("message"),
        "fbtrace_id": err.get("fbtrace_id"),
    }
    if info["code"] in AUTH_CODES:
        return Verdict.fail(
            MetaAuthError(
                "access token rejected (invalid or expired)",
                hint="renew the token in sources.meta.access_token (SOURCES__META__ACCESS_TOKEN)",
                **info,
            )
        )
    if info["code"] in PERMISSION_CODES:
        return Verdict.fail(
            MetaPermissionError(
                "permission denied", hint="grant the token the missing permission", **info
            )
        )
    if is_retryable(resp, err):
        why = (
            f"HTTP {resp.status_code} code {info['code']}: {info['meta_message']!r}; "
            f"{usage_summary(resp.headers)}"
        )
        return Verdict.retry(why, regain_wait_s(resp.headers) or None)
    method = resp.request.method if resp.request is not None else "GET"
    return Verdict.fail(MetaApiError(f"request failed: {method} {safe_url(resp.url)}", **info))
