"""The brand registry: which accounts belong to which brand.

One YAML file (``config/brands.yaml`` by default, ``PULSE_BRANDS`` to override) is read by the
sandbox generator and by every dlt source, so the emulated world and the loaded accounts agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGISTRY_PATH = PROJECT_ROOT / "config" / "brands.yaml"


@dataclass(frozen=True)
class Brand:
    """A brand and, per platform, the id of its account there (or the ids, where a brand has
    several: Google Business Profile locations)."""

    brand_id: str
    name: str
    timezone: str
    site: str
    accounts: dict[str, str | tuple[str, ...]] = field(default_factory=dict)

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
        accounts: dict[str, str | tuple[str, ...]] = {
            str(k): tuple(str(i) for i in v) if isinstance(v, list) else str(v)
            for k, v in (entry.get("accounts") or {}).items()
        }
        brands.append(
            Brand(
                brand_id=str(entry["id"]),
                name=str(entry["name"]),
                timezone=str(entry.get("timezone", "UTC")),
                site=str(entry.get("site", "")),
                accounts=accounts,
            )
        )
    ids = [b.brand_id for b in brands]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: brand ids are not unique: {ids}")
    return Registry(brands=tuple(brands))
