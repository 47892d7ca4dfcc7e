"""Keyed pseudonymisation of person identifiers, applied in the resources before anything is loaded.

Commenter ids, names and usernames are personal data (GDPR Art. 4(1)). They are replaced by
HMAC-SHA256 digests keyed by a secret that never enters the warehouse: the same person keeps the
same key across runs and sources (so marts can count distinct authors), but nobody holding only
the database can reverse or recompute the digests. A plain (unkeyed) hash would be reversible by
brute force over known usernames, hence the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from functools import cache

KEY_ENV = "PULSE_PSEUDONYMISATION_KEY"


class PseudonymisationKeyMissing(RuntimeError):
    """No key was configured; loading personal data unhashed is never an option."""


def resolve_key(explicit: str | None = None, *, source: str = "") -> str:
    """The key in force: an explicit value (e.g. a dlt secret), else ``PULSE_PSEUDONYMISATION_KEY``.

    Raises PseudonymisationKeyMissing with the places to set it, naming ``source`` if given.
    """
    key = explicit or os.environ.get(KEY_ENV)
    if not key:
        where = f"sources.{source}.pseudonymisation_key" if source else "the source secret"
        prefix = f"{source}: " if source else ""
        raise PseudonymisationKeyMissing(
            f"{prefix}no pseudonymisation key: set the {KEY_ENV} environment variable or "
            f"{where} in .dlt/secrets.toml (keep it stable: changing it changes every author key)"
        )
    return key


class Pseudonymiser:
    """HMAC-SHA256 (hex) of a value under one key; None stays None so absent authors stay absent."""

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise PseudonymisationKeyMissing("empty pseudonymisation key")
        self._key = key.encode("utf-8") if isinstance(key, str) else key

    def __call__(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        return hmac.new(self._key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()


def lazy_pseudonymiser(explicit: str | None, *, source: str) -> Callable[[], Pseudonymiser]:
    """The source's pseudonymiser, resolved on first use and then reused: building a source
    needs no key, and a missing key fails the first resource that hashes a person, naming
    the source."""

    @cache
    def get() -> Pseudonymiser:
        return Pseudonymiser(resolve_key(explicit, source=source))

    return get
