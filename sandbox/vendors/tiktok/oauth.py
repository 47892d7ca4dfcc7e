"""TikTok's authorization server: user access tokens bound to one open_id, and their refresh.

``POST /v2/oauth/token/`` (https://developers.tiktok.com/doc/oauth-user-access-token-management,
https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token): a form with
``client_key``, ``client_secret``, ``grant_type=refresh_token`` and ``refresh_token``, answered
by ``{access_token, expires_in, open_id, refresh_expires_in, refresh_token, scope,
token_type}``; errors are ``{error, error_description, log_id}``
(https://developers.tiktok.com/doc/oauth-error-handling).

What the references leave open or disagree on, and what the sandbox chose (never kinder):
- Lifetimes: the older page says 24 h / 365 days, the pages updated in November 2026 say
  2 hours / 180 days. The sandbox mints with the shorter ones.
- Rotation: the November 2026 refresh page says each refresh returns a new refresh token and
  the previous one stops working. The sandbox rotates and refuses the old one.
- HTTP status of an error: not documented; callers report HTTP 200 with an ``error`` body on
  this endpoint (https://github.com/HohnerJulian/ResearchTikPy/pull/28). The sandbox answers
  200 too, so a client must read the body, not the status.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sandbox.tokens import Grant, TokenBook, error

TOKEN_PREFIX = "sandbox-tiktok-token-"
BASIC_SUFFIX = ".basic"  # a token granted user.info.basic only (to exercise scope errors)
ACCESS_LIFETIME_S = 7_200  # 2 hours (November 2026 pages; the older page says 86,400)
REFRESH_LIFETIME_S = 15_552_000  # 180 days (the older page says 31,536,000)
SCOPE = "user.info.basic,user.info.profile,user.info.stats,video.list"


def refresh_token_of(open_id: str) -> str:
    """The refresh token the sandbox issued to ``open_id`` (``sandbox.credentials`` hands it)."""
    return f"sandbox-tiktok-refresh-{open_id}"


@dataclass
class TikTokTokenBook(TokenBook):
    """The shared ``TokenBook`` with TikTok's twists: one refresh token per user, rotated on
    each refresh, and minted access tokens that belong to that user."""

    open_ids: tuple[str, ...] = ()
    _owner: dict[str, str] = field(default_factory=dict)  # refresh or minted token -> open_id
    _rotation: Any = field(default_factory=itertools.count)

    @classmethod
    def for_accounts(cls, open_ids: list[str]) -> TikTokTokenBook:
        static = {TOKEN_PREFIX + o for o in open_ids} | {
            TOKEN_PREFIX + o + BASIC_SUFFIX for o in open_ids
        }
        book = cls(
            "tiktok",
            static,
            ACCESS_LIFETIME_S,
            client_id="sandbox-tiktok-client",
            client_secret="sandbox-tiktok-secret",
            open_ids=tuple(open_ids),
        )
        book.reset()
        return book

    def owner(self, token: str) -> str | None:
        """The open_id a minted access token was issued for (None for the static ones)."""
        return self._owner.get(token)

    def refresh(self, form: dict[str, str], client_field: str = "client_key") -> Grant:
        """The RFC checks of the shared book, then TikTok's body and the rotation."""
        sent = form.get("refresh_token", "")
        open_id = self._owner.get(sent) if sent in self.refresh_tokens else None
        grant = super().refresh(form, client_field)
        if grant.status != 200 or open_id is None:
            return grant
        with self._lock:
            rotated = f"{refresh_token_of(open_id)}.r{next(self._rotation)}"
            self.refresh_tokens.discard(sent)  # the previous refresh token stops working
            self.refresh_tokens.add(rotated)
            self._owner[rotated] = open_id
            self._owner[grant.body["access_token"]] = open_id
        return Grant(
            200,
            {
                "access_token": grant.body["access_token"],
                "expires_in": ACCESS_LIFETIME_S,
                "open_id": open_id,
                "refresh_expires_in": REFRESH_LIFETIME_S,
                "refresh_token": rotated,
                "scope": SCOPE,
                "token_type": "Bearer",
            },
        )

    def reset(self) -> None:
        """Back to the issued refresh tokens, one per account, and no minted token."""
        super().reset()
        with self._lock:
            self.refresh_tokens = {refresh_token_of(o) for o in self.open_ids}
            self._owner = {refresh_token_of(o): o for o in self.open_ids}


def answer(grant: Grant, log_id: str) -> tuple[int, dict[str, Any]]:
    """TikTok's rendering of a grant: errors as HTTP 200 with ``error``/``error_description``/
    ``log_id`` (see the module docstring), successes as they are."""
    if grant.status == 200:
        return 200, grant.body
    return 200, {**grant.body, "log_id": log_id}


def bad_form(description: str, log_id: str) -> tuple[int, dict[str, Any]]:
    """``invalid_request``: the body is not a form with the required fields."""
    return 200, {**error("invalid_request", description), "log_id": log_id}
