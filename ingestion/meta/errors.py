"""Meta's error dialect for the shared retrying client: ``classify(response, account)``.

The Graph API signals throttling in the *body*, not with 429: an error envelope
``{"error": {"code", "error_subcode", "message", "is_transient", "fbtrace_id"}}`` with HTTP
400/403 and a code among 4, 17, 32, 613, 80001-80014, while the usage headers say how close the
app (``X-App-Usage``) and each Page or IG account (``X-Business-Use-Case-Usage``, with
``estimated_time_to_regain_access`` in minutes) are to their limits. References:
developers.facebook.com/docs/graph-api/guides/error-handling (codes, ``is_transient``, 190)
and developers.facebook.com/docs/graph-api/overview/rate-limiting (codes and headers).

A bad token (190) or a missing permission (10, 200-299) fails at once, naming the platform,
the account and the permission (Meta's message names it only sometimes, so the source names
the one its request needs, per Meta's reference for that endpoint), because retrying cannot
fix them and the operator must act. What Meta refuses for one object only (IG media posted
before the business conversion, subcode 2108006; "(#10) Not enough viewers" on a media's
insights) is reported as such (``refused_for_one_object``) for the caller to skip; throttling,
transient codes, ``is_transient``, 429 and 5xx are retried, after the regain time Meta
announces when it announces one. Timeouts and dropped connections are retried by
``ingestion.http.ApiClient`` itself.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from ingestion.http import SourceAuthError, SourceError, Verdict, error_object, safe_url

from . import settings as s

# Throttling codes (rate-limiting reference): 4 app, 17 user, 32 page, 613 custom rate limit,
# 80001-80014 business use case (Pages, Instagram, ads...).
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error" / "service temporarily unavailable"
AUTH_CODES = frozenset({190})  # OAuthException: invalid or expired access token
# Code 190's "authentication error subcodes" (developers.facebook.com/docs/graph-api/guides/
# error-handling): what happened to the token, in the operator's words.
TOKEN_STATES = {
    458: "was cut off: the app is no longer installed for the user",
    459: "is held: the user must log in to Facebook to unlock their account",
    460: "was invalidated: the user changed their password",
    463: "expired",
    464: "is held: the user's account is not confirmed",
    467: "is invalid: the user logged out or the token was revoked",
    492: "is invalid for this Page: its user no longer has a role on the Page",
}
RENEW_TOKEN = (
    "Meta tokens cannot be refreshed without the user, so the source does not try: a "
    "long-lived user token lasts about 60 days, while a System User token (Business Settings > "
    "System users) and a Page token obtained from a long-lived user token do not expire; "
    "create one (developers.facebook.com/docs/facebook-login/guides/access-tokens/"
    "get-long-lived) and store it in sources.meta.access_token (SOURCES__META__ACCESS_TOKEN)"
)
PERMISSION_CODES = frozenset({10}) | frozenset(range(200, 300))
SUBCODE_NOT_BUSINESS_MEDIA = 2108006  # IG media posted before the business conversion
# Permissions each request needs (Meta's references: Page, Page Post, Page Insights, Page Post
# Comments; IG User, IG Media, IG Media Insights, IG Media Comments): platform -> (to read the
# objects, their insights, their comments).
NEEDED = {
    "facebook": ("pages_read_engagement", "read_insights", "pages_read_user_content"),
    "instagram": ("instagram_basic", "instagram_manage_insights", "instagram_manage_comments"),
}
EXPANDED_COMMENTS = re.compile(r"\bcomments[^,{]*\{")  # comments{...}, not a summary count
PERMISSION_NAME = re.compile(r"\b(pages_[a-z_]+|read_insights|instagram_[a-z_]+|ads_[a-z_]+)\b")


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


def needed_permission(account: str, url: str) -> str:
    """The permission a request needs beyond reading its objects, else the one to read them:
    ``read_insights`` for a Page insights call, ``instagram_manage_comments`` for IG comments."""
    read, insights, comments = NEEDED.get(account.split(" ")[0], NEEDED["facebook"])
    parts = urlsplit(url)
    fields = " ".join(parse_qs(parts.query).get("fields", []))
    if parts.path.endswith("/insights") or "insights." in fields:
        return insights
    if parts.path.endswith(("/comments", "/replies")) or EXPANDED_COMMENTS.search(fields):
        return comments
    return read


def missing_permission(message: str | None, account: str, url: str) -> str:
    """The permission Meta's message names, else the one the request needs."""
    named = PERMISSION_NAME.search(message or "")
    return named.group(1) if named else needed_permission(account, url)


def is_per_object(code: Any, subcode: Any, message: str | None) -> bool:
    """Meta refuses this one object, not the token: media posted before the business conversion
    (100 / 2108006), or too few viewers for a media's insights ((#10) Not enough viewers,
    developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights)."""
    if code == 100 and subcode == SUBCODE_NOT_BUSINESS_MEDIA:
        return True
    return code == 10 and "not enough viewers" in (message or "").lower()


def refused_for_one_object(exc: MetaApiError) -> bool:
    """Whether a failed request was refused for its object (skip it) or for the token (fail)."""
    return is_per_object(exc.code, exc.subcode, exc.meta_message)


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
        state = TOKEN_STATES.get(info["subcode"], "was rejected (invalid or expired)")
        return Verdict.fail(
            MetaAuthError(f"the Meta access token {state}", hint=RENEW_TOKEN, **info)
        )
    if info["code"] in PERMISSION_CODES and not is_per_object(
        info["code"], info["subcode"], info["meta_message"]
    ):
        permission = missing_permission(info["meta_message"], account, resp.url or "")
        return Verdict.fail(
            MetaPermissionError(
                f"permission denied: the access token lacks {permission}",
                hint=f"grant {permission} to the token in sources.meta.access_token "
                "(SOURCES__META__ACCESS_TOKEN)",
                **info,
            )
        )
    if is_retryable(resp, err):
        why = (
            f"HTTP {resp.status_code} code {info['code']}: {info['meta_message']!r}; "
            f"{usage_summary(resp.headers)}"
        )
        return Verdict.retry(why, regain_wait_s(resp.headers) or None)
    return Verdict.fail(_failure(resp, err, info))


def _failure(resp: requests.Response, err: dict[str, Any], info: dict[str, Any]) -> MetaApiError:
    """The error of a final, non-auth answer: a refusal of one object, a rejected cursor, or
    any other failure, each saying what it is."""
    request = f"{resp.request.method if resp.request is not None else 'GET'} {safe_url(resp.url)}"
    if is_per_object(info["code"], info["subcode"], info["meta_message"]):
        why = err.get("error_user_title") or info["meta_message"]
        return MetaApiError(f"Meta refuses this object: {why}", **info)
    if is_cursor_error(info["code"], info["meta_message"]):
        return MetaApiError(
            f"paging cursor rejected: {request}",
            hint="Meta invalidates cursors (developers.facebook.com/docs/graph-api/results); "
            "the source keeps none between runs, so re-running the load starts afresh",
            **info,
        )
    return MetaApiError(f"request failed: {request}", **info)


def is_cursor_error(code: Any, message: str | None) -> bool:
    """An invalid or expired paging cursor: ``(#2642) Invalid cursors values`` (seen from the
    Marketing API) or a code 100 about the cursor; Meta documents no code for Page/IG edges."""
    return code == 2642 or (code == 100 and "cursor" in (message or "").lower())
