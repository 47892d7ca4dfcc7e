"""What Google's APIs (GA4 Data, Business Profile, YouTube) say alike: the ``google.rpc``
error body, the auth messages and header, the 500/503 pair of a backend failure, and the
OAuth token endpoint that renews their access tokens.

Each Google vendor keeps its own codes and reasons; this module keeps the words they share
identical, as they are on the real APIs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, PathErrors
from sandbox.tokens import TokenBook

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


# --- the authorization server: the sandbox's stand-in for https://oauth2.googleapis.com/token ---
#
# Google's access tokens last one hour: the refresh grant answers ``expires_in: 3599``
# (developers.google.com/identity/protocols/oauth2/web-server#offline). Each Google vendor mounts
# ``token_route`` at ``/token`` under its own mount (``/youtube/token``, ``/ga4/token``,
# ``/google_business/token``): in the sandbox each API has its own token endpoint, where Google
# has one for all of them.
TOKEN_PATH = "/token"
ACCESS_TOKEN_LIFETIME_S = 3599
NO_STORE = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}


class GooglePathErrors(PathErrors):
    """A Google API's fault renderer: every path under ``/<name>/`` but the token endpoint,
    which stands for another host (oauth2.googleapis.com) whose failures the API's own
    dialect cannot render; the sandbox injects no fault there (docs/sources/<name>.md)."""

    def matches(self, path: str) -> bool:
        return super().matches(path) and path != f"/{self.name}{TOKEN_PATH}"


def google_token_book(vendor: str, static: set[str]) -> TokenBook:
    """The vendor's tokens: ``static`` (the sandbox's test tokens) and minted ones of 3599 s."""
    return TokenBook.for_sandbox(vendor, static, ACCESS_TOKEN_LIFETIME_S)


def token_route(book: TokenBook, scope: str) -> Route:
    """``POST /token``: the refresh grant as Google's token endpoint answers it.

    The form is google-auth's ``refresh_grant`` (grant_type, client_id, client_secret,
    refresh_token; github.com/googleapis/google-auth-library-python google/oauth2/_client.py);
    success is ``{access_token, expires_in: 3599, scope, token_type: "Bearer"}`` without a new
    refresh token (the old one stays valid); errors are RFC 6749 section 5.2 bodies with
    Google's texts: an unknown client 401 ``invalid_client`` "The OAuth client was not found.",
    a wrong secret 401 ``invalid_client`` "Unauthorized", a revoked or expired refresh token
    400 ``invalid_grant`` "Token has been expired or revoked.".
    """

    async def grant(request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode(errors="replace")))
        status, body = _google_grant(book, form, scope)
        return JSONResponse(body, status_code=status, headers=NO_STORE)

    return Route(TOKEN_PATH, grant, methods=["POST"])


def _google_grant(book: TokenBook, form: dict[str, str], scope: str) -> tuple[int, dict]:
    """Google's checks in its order. The codes are RFC 6749's; the texts are the live
    endpoint's as public reports and client-library tests quote them (Google's OAuth pages name
    the codes, not the texts), so docs/sources/youtube.md lists them as observed, not documented."""
    grant_type = form.get("grant_type", "")
    if grant_type != "refresh_token":
        return 400, token_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    for name in ("client_id", "refresh_token"):
        if not form.get(name):
            return 400, token_error("invalid_request", f"Missing required parameter: {name}")
    if form["client_id"] != book.client_id:
        return 401, token_error("invalid_client", "The OAuth client was not found.")
    answer = book.refresh(form)  # the secret, then the refresh token (RFC 6749 section 5.2)
    if answer.status == 200:
        return 200, {**answer.body, "scope": scope, "token_type": "Bearer"}
    if answer.body.get("error") == "invalid_client":
        return 401, token_error("invalid_client", "Unauthorized")
    return answer.status, answer.body


def token_error(code: str, description: str) -> dict[str, str]:
    """Google's token endpoint error body (RFC 6749 section 5.2)."""
    return {"error": code, "error_description": description}
