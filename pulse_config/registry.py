"""The brand registry: which accounts belong to which brand.

One YAML file (``config/brands.yaml`` by default, ``PULSE_BRANDS`` to override) is read by the
sandbox generator, by every dlt source and by dbt (the model ``brands``, dbt_project/models/
registry/brands.py), so the emulated world, the loaded accounts and the brands' local times
agree. It is the only list of brands: nothing copies it by hand.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pulse_config.paths import CONFIG_DIR

DEFAULT_REGISTRY_PATH = CONFIG_DIR / "brands.yaml"


@dataclass(frozen=True)
class Brand:
    """A brand and, per platform, the id of its account there (or the ids, where a brand has
    several: Google Business Profile locations)."""

    brand_id: str
    name: str
    timezone: str
    site: str
    accounts: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-platform settings

    def ids(self, platform: str) -> tuple[str, ...]:
        """Every account id of this brand on ``platform`` (empty when it has none there)."""
        value = self.accounts.get(platform)
        if value is None:
            return ()
        return value if isinstance(value, tuple) else (value,)


@dataclass(frozen=True)
class Registry:
    """All brands of one deployment."""

    brands: tuple[Brand, ...]

    def accounts(self, platform: str) -> list[tuple[str, str]]:
        """(brand_id, account_id) for every account on ``platform``, in registry order."""
        return [(b.brand_id, a) for b in self.brands for a in b.ids(platform)]

    def brand_of(self, platform: str, account_id: str) -> str:
        """The brand that owns ``account_id`` on ``platform``; KeyError names both if none does."""
        for brand in self.brands:
            if account_id in brand.ids(platform):
                return brand.brand_id
        raise KeyError(f"no brand in the registry owns {platform} account {account_id!r}")

    def brand(self, brand_id: str) -> Brand:
        """The brand of that id; KeyError names it if unknown."""
        for brand in self.brands:
            if brand.brand_id == brand_id:
                return brand
        raise KeyError(f"no brand {brand_id!r} in the registry")

    def matomo_site(self, site_id: str) -> MatomoSite:
        """The Matomo settings of a site (its brand's ``matomo`` entry and time zone)."""
        brand = self.brand(self.brand_of("matomo", site_id))
        return matomo_site(brand)


CONSENT_STATES = ("granted", "denied")
DIMENSION = re.compile(r"^dimension[1-9][0-9]*$")


@dataclass(frozen=True)
class MatomoSite:
    """How one Matomo site is set up, as far as the warehouse must know.

    ``consent_dimension``: the visit-scope custom dimension (``dimension<ID>``, as the Live API
    names it) the consent banner fills, or None when the site has no consent signal;
    ``consent_values``: banner value -> ``granted`` / ``denied`` (compared trimmed and
    case-insensitively); ``campaign_plugin``: the MarketingCampaignsReporting plugin is
    installed (``campaignSource`` / ``campaignMedium`` / ... fields); ``timezone``: the site's
    time zone, in which Matomo cuts days.
    """

    site_id: str
    timezone: str = "UTC"
    consent_dimension: str | None = None
    consent_values: Mapping[str, str] = field(default_factory=dict)
    campaign_plugin: bool = False

    def consent(self, value: Any) -> str:
        """``granted`` / ``denied`` / ``unknown`` for a value of the consent dimension."""
        if self.consent_dimension is None or not isinstance(value, str):
            return "unknown"
        wanted = value.strip().lower()
        for raw, state in self.consent_values.items():
            if raw.strip().lower() == wanted:
                return state
        return "unknown"

    def banner_value(self, state: str) -> str | None:
        """The first banner value that means ``state`` (what the sandbox's banner sets)."""
        return next((raw for raw, s in self.consent_values.items() if s == state), None)


def matomo_site(brand: Brand) -> MatomoSite:
    """The MatomoSite of a brand with one ``matomo`` site id."""
    opts = brand.options.get("matomo", {})
    values = {str(k): str(v) for k, v in (opts.get("consent_values") or {}).items()}
    return MatomoSite(
        site_id=brand.ids("matomo")[0],
        timezone=brand.timezone,
        consent_dimension=opts.get("consent_dimension"),
        consent_values=values,
        campaign_plugin=bool(opts.get("campaign_plugin", False)),
    )


def _check_matomo(where: str, opts: Mapping[str, Any]) -> None:
    """A ``matomo:`` block that would silently load wrong consent fails at load time."""
    unknown = set(opts) - {"site_id", "consent_dimension", "consent_values", "campaign_plugin"}
    if unknown:
        raise ValueError(f"{where}: unknown matomo keys {sorted(unknown)}")
    dim = opts.get("consent_dimension")
    if dim is not None and not DIMENSION.match(str(dim)):
        raise ValueError(f"{where}: consent_dimension {dim!r} is not dimension<ID>")
    values = opts.get("consent_values") or {}
    if not isinstance(values, Mapping) or (dim is not None and not values):
        raise ValueError(f"{where}: consent_values must map banner values to granted/denied")
    bad = {k: v for k, v in values.items() if v not in CONSENT_STATES}
    if bad:
        raise ValueError(f"{where}: consent_values must map to granted/denied, got {bad}")


def _account(where: str, platform: str, value: Any) -> tuple[str | tuple[str, ...], dict]:
    """An account entry: an id, a list of ids, or a mapping with the id and settings."""
    if isinstance(value, list):
        return tuple(str(i) for i in value), {}
    if not isinstance(value, Mapping):
        return str(value), {}
    if platform != "matomo":
        raise ValueError(f"{where}: {platform} takes an id or a list of ids")
    if not value.get("site_id"):
        raise ValueError(f"{where}: matomo block lacks site_id")
    _check_matomo(where, value)
    return str(value["site_id"]), {k: v for k, v in value.items() if k != "site_id"}


def _timezone(where: str, entry: Mapping[str, Any]) -> str:
    """The brand's IANA time zone. Required: local publication times, business hours and
    local days are cut in it, and a silent UTC would shift them by hours."""
    name = entry.get("timezone")
    if not name:
        raise ValueError(f"{where} has no timezone: give its IANA name, e.g. Europe/Paris")
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{where}: timezone {name!r} is not an IANA time zone") from error
    return str(name)


def registry_path() -> Path:
    """The registry file in force: ``PULSE_BRANDS`` or the committed default."""
    return Path(os.environ.get("PULSE_BRANDS", DEFAULT_REGISTRY_PATH))


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and validate the registry; a malformed entry raises ValueError naming the brand."""
    path = Path(path) if path is not None else registry_path()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    brands = []
    for i, entry in enumerate(raw.get("brands") or []):
        missing = [k for k in ("id", "name") if not entry.get(k)]
        if missing:
            raise ValueError(f"{path}: brand #{i + 1} lacks {', '.join(missing)}")
        accounts: dict[str, str | tuple[str, ...]] = {}
        options: dict[str, dict[str, Any]] = {}
        for k, v in (entry.get("accounts") or {}).items():
            accounts[str(k)], opts = _account(f"{path}: brand {entry['id']}", str(k), v)
            if opts:
                options[str(k)] = opts
        brands.append(
            Brand(
                brand_id=str(entry["id"]),
                name=str(entry["name"]),
                timezone=_timezone(f"{path}: brand {entry['id']}", entry),
                site=str(entry.get("site", "")),
                accounts=accounts,
                options=options,
            )
        )
    ids = [b.brand_id for b in brands]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: brand ids are not unique: {ids}")
    return Registry(brands=tuple(brands))
