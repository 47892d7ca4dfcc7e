"""Refresh tokens a vendor rotated, kept from one run to the next in one private file.

TikTok answers every refresh with a new refresh token and refuses the old one from then on
(developers.tiktok.com/doc/oauth-user-access-token-management); LinkedIn and Google may rotate
too. A token rotated in one run must reach the next, or the next run is refused. Code never
writes ``.dlt/secrets.toml``, and dlt's state is stored in the warehouse in clear, so rotated
tokens go to this file instead: ``PULSE_TOKEN_STORE`` (default ``.dlt/rotated_tokens.json``
beside the secrets, ignored by git), written atomically with owner-only permissions.

An entry is keyed by the token endpoint and a digest of the refresh token configured in the
secrets, so a person who stores a new refresh token there (after re-authorising the app) is
never overridden by an older rotation.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pulse_config.paths import PROJECT_ROOT

STORE_ENV = "PULSE_TOKEN_STORE"
DEFAULT_STORE = PROJECT_ROOT / ".dlt" / "rotated_tokens.json"


@dataclass(frozen=True)
class TokenStore:
    """The rotated refresh tokens file (``PULSE_TOKEN_STORE``)."""

    path: Path

    @classmethod
    def from_env(cls) -> TokenStore:
        return cls(Path(os.environ.get(STORE_ENV) or DEFAULT_STORE))

    def current(self, token_url: str, configured: str) -> str:
        """The refresh token to use: the latest rotation of ``configured``, else itself."""
        return self._read().get(_key(token_url, configured), configured)

    def rotated(self, token_url: str, configured: str, new: str) -> None:
        """Remember ``new`` as the latest rotation of the configured refresh token."""
        entries = self._read()
        entries[_key(token_url, configured)] = new
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(entries, out)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise ValueError(f"{self.path}: not a JSON token store") from None
        return data if isinstance(data, dict) else {}


def _key(token_url: str, configured: str) -> str:
    digest = hashlib.sha256(configured.encode()).hexdigest()[:24]
    return f"{token_url} {digest}"
