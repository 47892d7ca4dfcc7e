"""What Google's APIs (GA4 Data, Business Profile, YouTube) say alike: the ``google.rpc``
error body, the auth messages and header, and the 500/503 pair of a backend failure.

Each Google vendor keeps its own codes and reasons; this module keeps the words they share
identical, as they are on the real APIs.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from sandbox.faults import ErrorResponse

AUTH_HELP = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_CREDENTIALS = f"Request had invalid authentication credentials. {AUTH_HELP}"
REALM = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
SERVER_ERRORS = [  # the fault middleware alternates them: n % 2
    (500, "INTERNAL", "Internal error encountered."),
    (503, "UNAVAILABLE", "The service is currently unavailable."),
]


class GoogleError(Exception):
    """A ``google.rpc`` error answer: ``{"error": {code, message, status, details?}}``."""

    def __init__(
        self,
        code: int,
        status: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.details, self.headers = details or [], headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            err["details"] = self.details
        return {"error": err}

    def response(self) -> ErrorResponse:
        """The (status, body, headers) a fault renderer returns."""
        return self.code, self.body(), self.headers

    def json(self) -> JSONResponse:
        """The answer of a route."""
        return JSONResponse(self.body(), status_code=self.code, headers=self.headers)


def error_info(service: str, reason: str, **metadata: str) -> dict[str, Any]:
    """A ``google.rpc.ErrorInfo`` detail: clients key on its ``reason``."""
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": service, **metadata},
    }


def server_error(n: int) -> GoogleError:
    """The n-th backend failure: 500 INTERNAL, then 503 UNAVAILABLE, alternately."""
    return GoogleError(*SERVER_ERRORS[n % 2])
