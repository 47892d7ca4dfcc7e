"""Each TikTok account's access token, renewed through TikTok's token endpoint when it can be.

A user access token belongs to one open_id and lives 2 hours (24 hours by the older page); its
refresh token lives 180 days (365 by the older page) and, by the November 2026 reference, is
rotated on every refresh: the previous one stops working
(https://developers.tiktok.com/doc/oauth-user-access-token-management,
https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token). With
``sources.tiktok.refresh_tokens`` (open_id -> refresh token) and the app's ``client_key`` /
``client_secret``, an account's token renews itself before it dies and once when TikTok
answers ``access_token_invalid``; a rotated refresh token is kept for the next run in
``PULSE_TOKEN_STORE`` (``ingestion.token_store``). Neither token is ever logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingestion.http import SourceAuthError
from ingestion.oauth import BearerToken, Refresher

from . import helpers as h
from . import settings as s

TOKEN_PATH = "/v2/oauth/token/"  # on the API host: https://open.tiktokapis.com/v2/oauth/token/


@dataclass(frozen=True)
class TokenSettings:
    """The source's token secrets as configured (all optional, checked per account)."""

    access_tokens: Mapping[str, str] | str | None = None
    access_token: str | None = None
    refresh_tokens: Mapping[str, str] | str | None = None
    client_key: str | None = None
    client_secret: str | None = None
    token_url: str = "https://open.tiktokapis.com" + TOKEN_PATH

    def for_account(self, open_id: str) -> BearerToken:
        return account_token(
            open_id,
            self.access_tokens,
            self.access_token,
            self.refresh_tokens,
            (self.client_key, self.client_secret),
            self.token_url,
        )


def account_token(
    open_id: str,
    access_tokens: Mapping[str, str] | str | None,
    access_token: str | None,
    refresh_tokens: Mapping[str, str] | str | None,
    client: tuple[str | None, str | None],
    token_url: str,
) -> BearerToken:
    """The account's token: its access token (if any) and, with a refresh token and the
    client credentials, the refresh form TikTok takes (``client_key``, not ``client_id``)."""
    refresh = _per_account(refresh_tokens, open_id, "refresh_tokens")
    refresher = _refresher(open_id, refresh, client, token_url) if refresh else None
    if refresher is None:
        access = h.token_for(open_id, access_tokens, access_token)
    else:
        access = _per_account(access_tokens, open_id, "access_tokens") or access_token or None
    return BearerToken(
        source=s.SOURCE_NAME,
        account=open_id,
        what="TikTok user access token",
        secret_key=f'sources.tiktok.access_tokens."{open_id}"',
        access_token=access,
        refresher=refresher,
    )


def _refresher(
    open_id: str, refresh: str, client: tuple[str | None, str | None], token_url: str
) -> Refresher:
    client_key, client_secret = client
    if not client_key or not client_secret:
        raise SourceAuthError(
            s.SOURCE_NAME,
            open_id,
            "a refresh token is set but not the app's credentials: set sources.tiktok.client_key "
            "and sources.tiktok.client_secret (TikTok developer portal, App credentials)",
        )
    return Refresher.grant(
        token_url,
        refresh,
        (client_key, client_secret),
        client_field="client_key",
        renew_hint=(
            "have the account's owner authorise the app again (TikTok Login Kit) and store the "
            f'new refresh token in sources.tiktok.refresh_tokens."{open_id}"; refresh tokens '
            "expire (180 days) and each refresh replaces the previous one"
        ),
    )


def _per_account(tokens: Mapping[str, str] | str | None, open_id: str, key: str) -> str | None:
    """``tokens[open_id]`` of a mapping or of its JSON text (env variables hold JSON)."""
    value: Any = tokens
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SourceAuthError(
                s.SOURCE_NAME, open_id, f"sources.tiktok.{key} is not a JSON object"
            ) from None
    found = value.get(open_id) if isinstance(value, Mapping) else None
    return str(found) if found else None
