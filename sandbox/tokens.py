"""One vendor's authorization server: which access tokens are good, and the refresh grant.

Real access tokens die on a timer (Google 1 h, TikTok 24 h, LinkedIn 60 days) and stay dead
until the client renews them through the vendor's token endpoint (RFC 6749 section 6,
https://www.rfc-editor.org/rfc/rfc6749#section-6). A run here lasts seconds, so the sandbox
counts uses instead of hours: ``POST /_sandbox/tokens/expire`` makes a token die after its next
N uses, and from then on the vendor answers it with its own expired-token error, every time,
as the real API would. Minted tokens also carry their real lifetime in wall seconds.

Each vendor keeps the shape of its own token endpoint (field names, extra fields, error
status) in its package; the checks of the grant itself (RFC 6749 section 5.2's
``unsupported_grant_type``, ``invalid_client``, ``invalid_grant``) are the same everywhere and
live here.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

VALID, EXPIRED, UNKNOWN = "valid", "expired", "unknown"


@dataclass
class Grant:
    """The token endpoint's answer: HTTP status and RFC 6749 body (5.1 success, 5.2 error)."""

    status: int
    body: dict[str, Any]


@dataclass
class TokenBook:
    """Access tokens of one vendor: the configured ones, the minted ones, the dying ones.

    ``static`` tokens (the sandbox's test credentials) never expire unless told to;
    ``client_id``/``client_secret``/``refresh_tokens`` are what the refresh grant accepts;
    ``lifetime_s`` is the vendor's documented access-token lifetime.
    """

    vendor: str
    static: set[str]
    lifetime_s: int
    client_id: str = ""
    client_secret: str = ""
    refresh_tokens: set[str] = field(default_factory=set)
    grants: int = 0  # successful refreshes served since the last reset
    _minted: dict[str, float] = field(default_factory=dict)  # token -> wall-clock expiry
    _uses_left: dict[str, int] = field(default_factory=dict)
    _expired: set[str] = field(default_factory=set)
    _serial: Any = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_sandbox(cls, vendor: str, static: set[str], lifetime_s: int) -> TokenBook:
        """The book with the sandbox's own client credentials and refresh token for ``vendor``
        (the values ``sandbox.credentials.source_env`` hands the sources)."""
        return cls(
            vendor,
            set(static),
            lifetime_s,
            client_id=f"sandbox-{vendor}-client",
            client_secret=f"sandbox-{vendor}-secret",
            refresh_tokens={f"sandbox-{vendor}-refresh"},
        )

    def status(self, token: str) -> str:
        """``valid``, ``expired`` or ``unknown``; one use of a dying token is spent."""
        with self._lock:
            if token in self._expired:
                return EXPIRED
            if token in self._minted and time.time() >= self._minted[token]:
                self._expired.add(token)
                return EXPIRED
            if token not in self.static and token not in self._minted:
                return UNKNOWN
            if token in self._uses_left:
                self._uses_left[token] -= 1
                if self._uses_left[token] < 0:
                    del self._uses_left[token]
                    self._expired.add(token)
                    return EXPIRED
            return VALID

    def expire_after(self, token: str, uses: int) -> None:
        """``token`` answers ``uses`` more requests, then is expired for good."""
        with self._lock:
            self._expired.discard(token)
            self._uses_left[token] = max(0, uses)

    def refresh(self, form: dict[str, str], client_field: str = "client_id") -> Grant:
        """The refresh grant: RFC 6749 section 6, errors as section 5.2."""
        if form.get("grant_type") != "refresh_token":
            return Grant(400, error("unsupported_grant_type", "grant_type must be refresh_token"))
        if (form.get(client_field), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Grant(401, error("invalid_client", "Unauthorized"))
        if form.get("refresh_token") not in self.refresh_tokens:
            return Grant(400, error("invalid_grant", "Token has been expired or revoked."))
        with self._lock:
            token = f"{self.vendor}-access-{next(self._serial)}"
            self._minted[token] = time.time() + self.lifetime_s
            self.grants += 1
        return Grant(
            200, {"access_token": token, "expires_in": self.lifetime_s, "token_type": "Bearer"}
        )

    def reset(self) -> None:
        """Forget minted and dying tokens and the grant count (between tests)."""
        with self._lock:
            self._minted.clear()
            self._uses_left.clear()
            self._expired.clear()
            self.grants = 0

    def as_dict(self) -> dict[str, Any]:
        return {"grants": self.grants, "expired": len(self._expired), "minted": len(self._minted)}


def error(code: str, description: str) -> dict[str, str]:
    """An RFC 6749 section 5.2 error body."""
    return {"error": code, "error_description": description}
