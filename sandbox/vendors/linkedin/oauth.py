"""LinkedIn's authorization server: 60-day access tokens and the programmatic refresh grant.

Access tokens last 60 days; approved Marketing Developer Platform partners also get a
refresh token that lasts 365 days from the first authorization and keeps that deadline across
refreshes (https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens).
The refresh is ``POST https://www.linkedin.com/oauth/v2/accessToken`` (another host than the
API's ``api.linkedin.com``), a form of ``grant_type=refresh_token``, ``refresh_token``,
``client_id`` and ``client_secret``, answered by ``{access_token, expires_in, refresh_token,
refresh_token_expires_in}``; errors are RFC 6749 ``{error, error_description}``, 400 for a
refused refresh token ("Token has been expired or revoked.") and 401 for bad client
credentials. The sandbox serves it under ``/linkedin`` at the same path.

Not documented, so the sandbox picks: the refresh answer carries the same refresh token (its
deadline does not move, the page says; whether the value can change is not said), and a
refused refresh token never comes back.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox.tokens import EXPIRED, VALID, TokenBook, error
from sandbox.vendors.linkedin.errors import EXPIRED as EXPIRED_ERROR
from sandbox.vendors.linkedin.errors import LinkedInError

TOKEN_PATH = "/oauth/v2/accessToken"
ACCESS_LIFETIME_S = 60 * 86_400
REFRESH_LIFETIME_S = 365 * 86_400


def token_book(static: set[str]) -> TokenBook:
    """The sandbox's client credentials and refresh token (``sandbox-linkedin-*``)."""
    return TokenBook.for_sandbox("linkedin", static, ACCESS_LIFETIME_S)


def check_token(token: str, book: TokenBook) -> None:
    """Empty, expired (an ``expired...`` token or one the book says died) and unknown tokens,
    each with LinkedIn's own code (errors.py)."""
    if not token:
        raise LinkedInError(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token", 65604)
    state = book.status(token)
    if token.startswith("expired") or state == EXPIRED:
        raise EXPIRED_ERROR
    if state != VALID:
        raise LinkedInError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)


async def access_token(request: Request, book: TokenBook) -> JSONResponse:
    """``POST /oauth/v2/accessToken`` with the refresh grant, in LinkedIn's shapes."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        body = error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        return JSONResponse(body, 400)
    form = dict(parse_qsl((await request.body()).decode()))
    grant = book.refresh(form, "client_id")
    if grant.status != 200:
        return JSONResponse(grant.body, grant.status)
    return JSONResponse(
        {
            "access_token": grant.body["access_token"],
            "expires_in": ACCESS_LIFETIME_S,
            "refresh_token": form["refresh_token"],
            "refresh_token_expires_in": REFRESH_LIFETIME_S,
        }
    )
