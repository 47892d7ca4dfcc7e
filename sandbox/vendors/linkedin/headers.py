"""The checks every LinkedIn request passes first: version, Rest.li protocol, token.

``api.py`` runs them in this order before it dispatches: a request failing several checks
gets the error of the first.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request

from sandbox.http import bearer_token
from sandbox.vendors.linkedin.errors import EXPIRED, LinkedInError

VERSION_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def check_version(request: Request, today: date, months: int) -> str:
    """``LinkedIn-Version``: missing -> 400, malformed -> 400, sunset -> 426."""
    version = request.headers.get("linkedin-version")
    if not version:
        raise LinkedInError(
            400,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the "
            "LinkedIn-Version header.",
        )
    m = VERSION_RE.match(version.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise LinkedInError(
            400, "INVALID_VERSION", f"Invalid version format: {version}. Expected YYYYMM."
        )
    asked = int(m.group(1)) * 12 + int(m.group(2)) - 1
    oldest = today.year * 12 + today.month - 1 - months
    if asked < oldest:
        raise LinkedInError(
            426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"
        )
    return version


def check_protocol(request: Request) -> None:
    """Only Rest.li protocol 2.0.0 is served (its URL syntax is what ``restli.py`` parses)."""
    protocol = request.headers.get("x-restli-protocol-version")
    if protocol != "2.0.0":
        raise LinkedInError(
            400,
            "ILLEGAL_ARGUMENT",
            "Invalid Rest.li protocol version "
            f"{protocol!r}: this resource requires X-Restli-Protocol-Version: 2.0.0",
            100,
        )


def check_token(request: Request, tokens: set[str]) -> None:
    """Bearer token: empty, expired (``expired...``) and unknown each have their own code."""
    token = bearer_token(request)
    if not token:
        raise LinkedInError(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token", 65604)
    if token.startswith("expired"):
        raise EXPIRED
    if token not in tokens:
        raise LinkedInError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
