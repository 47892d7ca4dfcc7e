"""The Google OAuth access token of a Google source (YouTube, GA4, Business Profile), renewed
through Google's token endpoint; one module so the three sources build it alike.

Google's access tokens last one hour (the refresh grant answers ``expires_in: 3599``); a source
holding a refresh token and its OAuth client's id and secret renews it with google-auth's
refresh grant: a form POST of ``grant_type=refresh_token``, ``client_id``, ``client_secret``,
``refresh_token`` to https://oauth2.googleapis.com/token, answered by ``{access_token,
expires_in, scope, token_type}`` without a new refresh token
(https://developers.google.com/identity/protocols/oauth2/web-server#offline).

A refresh token itself stops working when the user revokes the grant, after six months unused,
after 7 days when the app's OAuth consent screen is in "Testing" publishing status, or when the
user holds too many (https://developers.google.com/identity/protocols/oauth2#expiration); then
Google answers 400 ``invalid_grant`` "Token has been expired or revoked." and the source fails
saying how to get a new one.

One token serves every channel, property or location the Google user may read, so a source
keeps one ``BearerToken`` for all its accounts; ``GoogleClient`` labels it with the account of
the request in flight, so a failure names the account the run was reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingestion.http import Answer, ApiClient, SourceAuthError
from ingestion.oauth import BearerToken, Refresher

TOKEN_URL = "https://oauth2.googleapis.com/token"
WHAT = "Google OAuth access token"


@dataclass(frozen=True)
class GoogleOAuth:
    """The OAuth settings of one Google source, as its factory received them (the secrets are
    kept out of its ``repr``, so no log line of a run's options carries them)."""

    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token_url: str = TOKEN_URL

    @property
    def configured(self) -> bool:
        """An access token or a refresh token is set (YouTube can do without: its API key)."""
        return bool(self.access_token or self.refresh_token)


def google_token(source: str, oauth: GoogleOAuth, scopes: str) -> BearerToken:
    """The source's one token: renewable when a refresh token is set.

    ``scopes`` names what the consent must grant, for the renewal hint. Raises
    ``SourceAuthError`` when neither token is set, or a refresh token without its client."""
    key = f"sources.{source}"
    env = f"SOURCES__{source.upper()}"
    if not oauth.configured:
        raise SourceAuthError(
            source,
            "*",
            f"no {WHAT}: set {key}.access_token ({env}__ACCESS_TOKEN), or {key}.refresh_token "
            f"with {key}.client_id and {key}.client_secret, in .dlt/secrets.toml",
        )
    refresher = None
    if oauth.refresh_token:
        if not (oauth.client_id and oauth.client_secret):
            raise SourceAuthError(
                source,
                "*",
                f"{key}.refresh_token is set but not {key}.client_id and {key}.client_secret: "
                "Google renews a token only for the OAuth client it was granted to",
            )
        refresher = Refresher.grant(
            oauth.token_url,
            oauth.refresh_token,
            (oauth.client_id, oauth.client_secret),
            renew_hint(source, scopes),
        )
    return BearerToken(
        source,
        "*",
        WHAT,
        f"{key}.access_token ({env}__ACCESS_TOKEN)",
        access_token=oauth.access_token or None,
        refresher=refresher,
    )


def renew_hint(source: str, scopes: str) -> str:
    """How a person gets a new refresh token, and why the old one may have died."""
    key = f"sources.{source}"
    return (
        f"grant the app again (OAuth consent with access_type=offline, scopes {scopes}) and "
        f"store the new refresh token in {key}.refresh_token "
        f"(SOURCES__{source.upper()}__REFRESH_TOKEN), checking {key}.client_id and "
        f"{key}.client_secret; Google expires a refresh token after 7 days while the app's "
        "consent screen is in 'Testing' status, after 6 months unused, or when revoked"
    )


@dataclass
class GoogleClient(ApiClient):
    """``ApiClient`` whose shared token is labelled with the account of each request, so a
    renewal that fails names the channel, property or location being read
    (``account_label`` formats it as the source's other messages do, e.g. "property {}")."""

    account_label: str = "{}"

    def request(self, method: str, path_or_url: str, *, account: str, **kwargs: Any) -> Answer:
        if self.token is not None:
            self.token.account = self.account_label.format(account)
        return super().request(method, path_or_url, account=account, **kwargs)
