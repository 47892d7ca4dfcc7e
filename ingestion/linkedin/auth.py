"""The LinkedIn access token, renewed through LinkedIn's token endpoint when the app can.

Access tokens last 60 days. Apps approved for programmatic refresh tokens (Marketing Developer
Platform partners) also hold a refresh token that lasts 365 days from the member's
authorization, a deadline refreshing does not move
(https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens).
With ``sources.linkedin.refresh_token``, ``client_id`` and ``client_secret`` the token renews
itself before it dies and once when LinkedIn answers 401 (``EXPIRED_ACCESS_TOKEN`` 65601,
``INVALID_ACCESS_TOKEN`` 65600); without them an expired token fails the run saying how to get
a new one. The token endpoint lives on www.linkedin.com, not on the API host: ``token_url``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingestion.oauth import BearerToken, Refresher

from . import settings as s
from .helpers import LinkedInConfigError

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
RENEW_HINT = (
    "have an ADMINISTRATOR of the organizations authorise the app again (OAuth authorization "
    "code flow, or the Developer Portal's token generator) and store the new token in "
    "sources.linkedin.access_token, and its refresh token in sources.linkedin.refresh_token; "
    "a refresh token expires 365 days after that authorization"
)


def linkedin_token(
    access_token: str | None,
    refresh_token: str | None,
    client: tuple[str | None, str | None],
    token_url: str,
    organizations: Sequence[str],
) -> BearerToken:
    """One member's token for every organization it administers; renewable with a refresh
    token and the app's client credentials."""
    client_id, client_secret = client
    if not access_token and not refresh_token:
        raise LinkedInConfigError(
            f"{s.SOURCE_NAME}: no access token: set SOURCES__LINKEDIN__ACCESS_TOKEN or "
            "sources.linkedin.access_token in .dlt/secrets.toml (or a refresh_token with "
            "client_id and client_secret)"
        )
    refresher = None
    if refresh_token:
        if not client_id or not client_secret:
            raise LinkedInConfigError(
                f"{s.SOURCE_NAME}: sources.linkedin.refresh_token is set but not the app's "
                "credentials: set sources.linkedin.client_id and sources.linkedin.client_secret"
            )
        refresher = Refresher.grant(
            token_url, refresh_token, (client_id, client_secret), RENEW_HINT
        )
    return BearerToken(
        source=s.SOURCE_NAME,
        account=", ".join(organizations),  # one member's token serves every organization
        what="LinkedIn access token",
        secret_key="sources.linkedin.access_token",
        access_token=access_token or None,
        refresher=refresher,
    )
