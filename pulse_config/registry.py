"""The brand registry: which accounts belong to which brand.

One YAML file (``config/brands.yaml`` by default, ``PULSE_BRANDS`` to override) is read by the
sandbox generator, by every dlt source and by dbt (the model ``brands``, dbt_project/models/
registry/brands.py), so the emulated world, the loaded accounts and the brands' local times
agree. It is the only list of brands: nothing copies it by hand.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulse_config.paths import CONFIG_DIR
from pulse_config.registry_schema import (
    PLATFORMS,
    BrandEntry,
    MatomoBlock,
    RegistryError,
    parse,
)

__all__ = [
    "DEFAULT_REGISTRY_PATH",
    "NO_BRANDS",
    "PLATFORMS",
    "Brand",
    "MatomoSite",
    "Registry",
    "RegistryError",
    "load_registry",
    "matomo_site",
    "registry_path",
]

DEFAULT_REGISTRY_PATH = CONFIG_DIR / "brands.yaml"
NO_BRANDS = os.devnull
"""A registry path that reads as no brand at all: a source built on it describes its tables
without reading the registry in force (the Dagster definitions, when that one is broken)."""


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


def registry_path() -> Path:
    """The registry file in force: ``PULSE_BRANDS`` or the committed default."""
    return Path(os.environ.get("PULSE_BRANDS", DEFAULT_REGISTRY_PATH))


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and validate the registry (``registry_schema``): a file that breaks the schema
    raises RegistryError (a ValueError) with one line per problem naming file, brand and key."""
    path = Path(path) if path is not None else registry_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RegistryError(
            f"{path}: cannot read the brand registry ({error.strerror}); "
            "set PULSE_BRANDS to its path"
        ) from None
    return Registry(brands=tuple(_brand(entry) for entry in parse(text, str(path)).brands))


def _brand(entry: BrandEntry) -> Brand:
    """A validated entry as the Brand every reader uses."""
    accounts: dict[str, str | tuple[str, ...]] = {}
    options: dict[str, dict[str, Any]] = {}
    for platform in PLATFORMS:
        value = getattr(entry.accounts, platform)
        if isinstance(value, MatomoBlock):
            accounts[platform] = value.site_id
            settings = value.model_dump(exclude={"site_id"}, exclude_unset=True)
            if settings:
                options[platform] = settings
        elif value is not None:
            accounts[platform] = value if len(value) > 1 else value[0]
    return Brand(
        brand_id=entry.id,
        name=entry.name,
        timezone=entry.timezone,
        site=entry.site,
        accounts=accounts,
        options=options,
    )
