"""Google API error envelopes and the YouTube renderer of the sandbox's faults.

Every Google API answers ``{"error": {"code", "message", "errors": [{message, domain, reason,
location?, locationType?}], "status"}}``; clients key on ``errors[0].reason`` (quotaExceeded,
rateLimitExceeded, commentsDisabled, authError...), not on the HTTP status alone.
"""

from __future__ import annotations

from typing import Any

from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.vendors.google import (
    INVALID_CREDENTIALS,
    REALM,
    SERVER_ERRORS,
    GooglePathErrors,
)

STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
QUOTA_MESSAGE = "The request cannot be completed because you have exceeded your quota."


def google_error(
    code: int,
    message: str,
    reason: str,
    domain: str = "global",
    *,
    location: str | None = None,
    location_type: str = "parameter",
    status: str | None = "",
    detail: str | None = None,
) -> dict[str, Any]:
    """One Google error body; ``status=None`` omits it (YouTube's quota errors have none)."""
    item: dict[str, Any] = {"message": detail or message, "domain": domain, "reason": reason}
    if location:
        item.update(location=location, locationType=location_type)
    body: dict[str, Any] = {"code": code, "message": message, "errors": [item]}
    if status is not None:
        body["status"] = status or STATUS_TEXT.get(code, "UNKNOWN")
    return {"error": body}


def auth_error() -> dict[str, Any]:
    return google_error(
        401,
        INVALID_CREDENTIALS,
        "authError",
        location="Authorization",
        location_type="header",
        detail="Invalid Credentials",
    )


def quota_exceeded() -> dict[str, Any]:
    return google_error(403, QUOTA_MESSAGE, "quotaExceeded", "youtube.quota", status=None)


THROTTLES = {  # throttle_code -> (HTTP status, body)
    1: (403, google_error(403, "Rate Limit Exceeded", "rateLimitExceeded", "usageLimits")),
    2: (403, google_error(403, "User Rate Limit Exceeded", "userRateLimitExceeded", "usageLimits")),
    429: (
        429,
        google_error(
            429,
            "Resource has been exhausted (e.g. check quota).",
            "rateLimitExceeded",
            "global",
        ),
    ),
    3: (403, quota_exceeded()),
}
ROTATION = (1, 429, 2, 3)


class YouTubeErrors(GooglePathErrors):
    """Faults in Google's dialect for every path under ``/youtube/`` but its token endpoint."""

    name = "youtube"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        """rateLimitExceeded 403, 429 (with Retry-After), userRateLimitExceeded, quotaExceeded."""
        code = cfg.throttle_code if cfg.throttle_code in THROTTLES else ROTATION[n % len(ROTATION)]
        status, body = THROTTLES[code]
        headers = cfg.retry_after() if status == 429 else {}
        return status, body, headers

    def server_error(self, n: int, path: str) -> ErrorResponse:
        code, _status, message = SERVER_ERRORS[n % 2]
        return code, google_error(code, message, "backendError"), {}

    def token_expired(self, path: str) -> ErrorResponse:
        return 401, auth_error(), dict(REALM)
