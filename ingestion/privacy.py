"""Keyed pseudonymisation of person identifiers, applied in the resources before anything is loaded.

Commenter ids, names and usernames are personal data (GDPR Art. 4(1)). They are replaced by
HMAC-SHA256 digests keyed by a secret that never enters the warehouse: the same person keeps the
same pseudonym across runs (so marts can count distinct authors), but nobody holding only the
database can reverse or recompute the digests. A plain (unkeyed) hash would be reversible by
brute force over known usernames, hence the key; a short key could be guessed, hence at least
``MIN_KEY_BYTES`` bytes (the size of the SHA-256 output, as RFC 2104 section 3 advises).

Per-purpose keys: each source hashes under its own key, derived from the master key and a
purpose label (``HMAC-SHA256(master, "community-pulse/pseudonym/v1/<purpose>")``), so one
person's pseudonym differs between sources and two sources' tables cannot be joined on people.
A source's purpose is its name unless ``SHARED_PURPOSES`` says otherwise: a join across
sources that needs the same pseudonym must be listed there and documented in docs/privacy.md.
Meta's Facebook and Instagram are one source, hence one purpose. One field has a purpose of
its own, shared by two sources: the site's user id (``WEB_IDENTITY_PURPOSE``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from functools import cache

KEY_ENV = "PULSE_PSEUDONYMISATION_KEY"
MIN_KEY_BYTES = 32
PURPOSE_PREFIX = "community-pulse/pseudonym/v1/"
# source -> purpose, for sources whose pseudonyms a documented join needs equal. None today:
# no model joins people across sources on their own ids (docs/privacy.md, "Pseudonyms").
SHARED_PURPOSES: dict[str, str] = {}
# One field-level shared purpose: the site's own login id, which the site passes to its web
# analytics (Matomo's userId) and writes to the CRM contact (HubSpot's web_user_id). Matomo and
# HubSpot hash that one field under this purpose (``Pseudonymiser.for_source(master,
# WEB_IDENTITY_PURPOSE)``), so the deal attribution joins visits to contacts on equal keys;
# every other field stays under its source's own purpose (docs/privacy.md, "The web identity
# join"; docs/identity.md).
WEB_IDENTITY_PURPOSE = "web_identity"


class PseudonymisationKeyMissing(RuntimeError):
    """No usable key was configured; loading personal data unhashed is never an option."""


def _where(source: str) -> str:
    secret = f"sources.{source}.pseudonymisation_key" if source else "the source secret"
    return f"the {KEY_ENV} environment variable or {secret} in .dlt/secrets.toml"


def resolve_key(explicit: str | None = None, *, source: str = "") -> str:
    """The master key in force: an explicit value (a dlt secret), else the environment's.

    Raises PseudonymisationKeyMissing naming where to set it (and ``source`` if given) when it
    is absent or shorter than ``MIN_KEY_BYTES`` bytes; the message never shows the value.
    """
    key = explicit or os.environ.get(KEY_ENV)
    prefix = f"{source}: " if source else ""
    if not key:
        raise PseudonymisationKeyMissing(
            f"{prefix}no pseudonymisation key: set {_where(source)} "
            "(keep it stable: changing it changes every author key)"
        )
    size = len(key.encode("utf-8"))
    if size < MIN_KEY_BYTES:
        raise PseudonymisationKeyMissing(
            f"{prefix}the pseudonymisation key is {size} bytes, at least {MIN_KEY_BYTES} are "
            f"needed: set {_where(source)} to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return key


def purpose_of(source: str) -> str:
    """The purpose label a source's key is derived for."""
    if not source:
        raise ValueError("a pseudonym's purpose needs the source's name")
    return PURPOSE_PREFIX + SHARED_PURPOSES.get(source, source)


def derive_key(master: str | bytes, source: str) -> bytes:
    """The source's own key: HMAC-SHA256 of its purpose label under the master key."""
    master_bytes = master.encode("utf-8") if isinstance(master, str) else master
    if len(master_bytes) < MIN_KEY_BYTES:
        raise PseudonymisationKeyMissing(
            f"master pseudonymisation key of {len(master_bytes)} bytes: at least "
            f"{MIN_KEY_BYTES} are needed"
        )
    label = purpose_of(source).encode("utf-8")
    return hmac.new(master_bytes, label, hashlib.sha256).digest()


class Pseudonymiser:
    """HMAC-SHA256 (hex) of a value under one key; None stays None so absent authors stay absent.

    Sources build it with ``for_source`` (or ``lazy_pseudonymiser``), never from the master key.
    """

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode("utf-8") if isinstance(key, str) else key
        if len(raw) < MIN_KEY_BYTES:
            raise PseudonymisationKeyMissing(
                f"pseudonymisation key of {len(raw)} bytes: at least {MIN_KEY_BYTES} are needed"
            )
        # Keyed once: each value then costs a copy of the keyed state, not the key's setup
        # again (BENCHMARKS.md, "The scale backfill in one run").
        self._keyed = hmac.new(raw, digestmod=hashlib.sha256)

    @classmethod
    def for_source(cls, master: str | bytes, source: str) -> Pseudonymiser:
        """The pseudonymiser of ``source``: its key derived from the master key."""
        return cls(derive_key(master, source))

    def __call__(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        mac = self._keyed.copy()
        mac.update(str(value).encode("utf-8"))
        return mac.hexdigest()


def lazy_pseudonymiser(explicit: str | None, *, source: str) -> Callable[[], Pseudonymiser]:
    """The source's pseudonymiser, resolved on first use and then reused: building a source
    needs no key, and a missing or short key fails the first resource that hashes a person,
    naming the source."""

    @cache
    def get() -> Pseudonymiser:
        return Pseudonymiser.for_source(resolve_key(explicit, source=source), source)

    return get
