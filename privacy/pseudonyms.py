"""A person's pseudonym, computed exactly as their platform's source computes it.

Erasure receives a platform user id in clear and must find the rows the source stored under its
keyed HMAC: same master key (``sources.<source>.pseudonymisation_key`` or
``PULSE_PSEUDONYMISATION_KEY``, as ``ingestion.privacy.resolve_key`` reads it), same key derived
from it for the source (``Pseudonymiser.for_source``), same input
(``catalogue.Platform.hashed_input``). The clear id is never stored: only this digest.
"""

from __future__ import annotations

import dlt

from ingestion.privacy import Pseudonymiser, resolve_key
from privacy.catalogue import PLATFORMS, Platform


class UnknownPlatform(ValueError):
    """The platform is not one the catalogue knows."""


def platform_named(name: str) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise UnknownPlatform(f"unknown platform {name!r} (one of: {known})") from None


def source_key(source: str) -> str:
    """The key the source hashes with: its dlt secret, else the environment variable."""
    try:
        explicit = dlt.secrets.get(f"sources.{source}.pseudonymisation_key")
    except Exception:  # noqa: BLE001 (no secrets provider configured: the env var decides)
        explicit = None
    return resolve_key(explicit if isinstance(explicit, str) else None, source=source)


def pseudonyms(platform: str, values: list[str], key: str | None = None) -> list[str]:
    """The pseudonyms of ``values`` as ``platform``'s source stores them: the first is the
    user id (in the form the source hashes it), the others display names or usernames,
    which sources hash as they are, in columns of their own."""
    ids, names = person_pseudonyms(platform, values[0], values[1:], key)
    return ids + names


def person_pseudonyms(
    platform: str, user_id: str, names: list[str], key: str | None = None
) -> tuple[list[str], list[str]]:
    """(the id's pseudonym, the names' pseudonyms): names are shared by namesakes, so they
    are kept apart and matched only where a row has no id (``RawTable.name_columns``)."""
    spec = platform_named(platform)
    hasher = Pseudonymiser.for_source(key or source_key(spec.source), spec.key_purpose)
    given = spec.hashed_input(user_id)  # one form, or several of one id (an e-mail's case)
    forms = (given,) if isinstance(given, str) else given
    ids = list(dict.fromkeys(h for h in map(hasher, forms) if h))
    hashed = [hasher(name) for name in names]
    return ids, list(dict.fromkeys(h for h in hashed if h and h not in ids))
