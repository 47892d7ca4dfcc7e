"""The checks every LinkedIn request passes first: version, Rest.li protocol (the token: oauth.py).

``api.py`` runs them in this order before it dispatches: a request failing several checks
gets the error of the first.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request

from sandbox.vendors.linkedin.errors import LinkedInError

VERSION_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
# Version M is "sunset and removed from the platform" on the 15th of month M+12 (LinkedIn's
# recent-changes page, March 2024: "202304 - April 15, 2024", "202305 - May 15, 2024", ...;
# https://learn.microsoft.com/en-us/linkedin/marketing/integrations/recent-changes).
SUNSET_DAY = 15
# The version the sandbox's own source configuration sends (sandbox/credentials.py): the month
# the default world starts (sandbox.world.generator.DEFAULT_START), so it is released on the
# world's first day (2025-11-01) and still served on the last day its clock can reach
# (2026-11-14: 365 days + the 14-day horizon), the day before its sunset.
SANDBOX_API_VERSION = "202511"


def check_version(request: Request, today: date, months: int) -> str:
    """``LinkedIn-Version``: missing -> 400, malformed -> 400, unreleased or sunset -> 426.

    LinkedIn releases one version a month (``YYYYMM``) and serves each "for a minimum of one
    year before sunset" (https://learn.microsoft.com/en-us/linkedin/marketing/versioning): the
    versions served are the clock's month and the ``months`` before it, the oldest until the
    day before ``SUNSET_DAY``. A version that does not exist yet (after the clock's month) or is
    sunset gets the same answer, 426 ``NONEXISTENT_VERSION`` naming the version as ``YYYYMMDD``
    (``202409`` is reported as ``20240901``: github.com/PipedreamHQ/pipedream/issues/18398,
    github.com/gitroomhq/postiz-app/issues/2005).
    """
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
    current = today.year * 12 + today.month - 1
    oldest = current - months + (1 if today.day >= SUNSET_DAY else 0)
    if not oldest <= asked <= current:
        named = f"{m.group(1)}{m.group(2)}{m.group(3) or '01'}"
        raise LinkedInError(426, "NONEXISTENT_VERSION", f"Requested version {named} is not active")
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
