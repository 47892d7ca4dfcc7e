"""LinkedIn's error answers: the body shape, the common errors and the fault renderer.

LinkedIn answers ``{"status", "serviceErrorCode"?, "code", "message"}``; routes raise one of
these rather than build bodies, so the shape is written once.
"""

from __future__ import annotations

from typing import Any

from sandbox.faults import ErrorResponse, FaultConfig, PathErrors


class LinkedInError(Exception):
    """An error answer in LinkedIn's body shape."""

    def __init__(
        self, status: int, code: str, message: str, service_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.service_code = (
            status,
            code,
            message,
            service_code,
        )

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.service_code is not None:
            out["serviceErrorCode"] = self.service_code
        out["code"] = self.code
        out["message"] = self.message
        return out


def bad_request(message: str) -> LinkedInError:
    return LinkedInError(400, "ILLEGAL_ARGUMENT", message, 100)


def not_found(message: str = "No virtual resource found") -> LinkedInError:
    return LinkedInError(404, "NOT_FOUND", message, 0)


THROTTLED = LinkedInError(
    429,
    "TOO_MANY_REQUESTS",
    "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
    101,
)
EXPIRED = LinkedInError(
    401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65601
)


class LinkedInErrors(PathErrors):
    """LinkedIn's dialect for the fault middleware (no usage headers, as LinkedIn sends none)."""

    name = "linkedin"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        headers = cfg.retry_after() if cfg.regain_minutes else {}
        return 429, THROTTLED.body(), headers

    def server_error(self, n: int, path: str) -> ErrorResponse:
        err = [
            LinkedInError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error"),
            LinkedInError(504, "GATEWAY_TIMEOUT", "Request timed out"),
        ][n % 2]
        return err.status, err.body(), {}

    def token_expired(self, path: str) -> ErrorResponse:
        return EXPIRED.status, EXPIRED.body(), {}


def int_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"Invalid value for param {name}: {value}") from None
