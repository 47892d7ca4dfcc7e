"""A scale world: many brands on every platform and site, for measuring at an agency's size.

The default world is three hand-written brands (config/brands.yaml). A scale world is built
from a ``Scale``: how many brands, how many days, and ``Volume`` multipliers of the rates the
vendor generators draw from (posts per day, comments per post, reviews per day, web visits per
day). Its brand registry is generated (``registry_yaml``: every platform and a site for every
brand, distinct ids) and written beside the world file, so the sources read the same brands
(``PULSE_BRANDS=<dir>/brands.yaml``). The first three brands keep the default world's brand
ids, so the planted crisis, control brand and reply speeds (sandbox/world/care.py) are there
too.

Every multiplier is 1.0 in the default world, and a rate multiplied by 1.0 is the same float:
the default world's random draws, and so its rows, do not move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from pulse_config.registry import DEFAULT_REGISTRY_PATH, load_registry

DEFAULT_BRAND_IDS = ("maison-lumiere", "velo-vert", "northwind-coffee")
REGISTRY_NAME = "brands.yaml"


@dataclass(frozen=True)
class Volume:
    """Multipliers of the generators' rates (1.0: the default world's)."""

    posts: float = 1.0  # posts, videos and tweets per account and day
    comments: float = 1.0  # comments and replies per post (and their caps), X mentions
    reviews: float = 1.0  # Trustpilot and Google Business reviews per day
    visits: float = 1.0  # base web visits per site and day (post clicks follow the posts)


@dataclass(frozen=True)
class Scale:
    """Everything that sizes a scale world; ``spec()`` is its WorldSpec."""

    brands: int = 50
    days: int = 365
    seed: int = 42
    start: date = date(2025, 11, 1)
    # Chosen so 50 brands x 365 days come near the targets (about 100,000 posts,
    # 3 million comments and replies, 100,000 reviews, 10 million visits): BENCHMARKS.md.
    volume: Volume = field(default_factory=lambda: Volume(posts=1.15, comments=1.45, visits=7.0))

    def spec(self) -> Any:
        from sandbox.world.generator import WorldSpec

        return WorldSpec(seed=self.seed, start=self.start, days=self.days, volume=self.volume)


def parse_scale(text: str) -> Scale:
    """``brands=50,days=365,comments=1.45`` -> a Scale (unnamed knobs keep their defaults)."""
    scale, volume = Scale(), {}
    top: dict[str, Any] = {}
    volume_names = {f.name for f in fields(Volume)}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        name = name.strip()
        if name in ("brands", "days", "seed"):
            top[name] = int(value)
        elif name == "start":
            top[name] = date.fromisoformat(value.strip())
        elif name in volume_names:
            volume[name] = float(value)
        else:
            knobs = ", ".join(["brands", "days", "seed", "start", *sorted(volume_names)])
            raise ValueError(f"unknown scale knob {name!r} (knobs: {knobs})")
    return replace(scale, **top, volume=replace(scale.volume, **volume))


def brand_ids(count: int) -> list[str]:
    """The default world's three brand ids, then ``brand-004``, ``brand-005``..."""
    extra = [f"brand-{n:03d}" for n in range(len(DEFAULT_BRAND_IDS) + 1, count + 1)]
    return [*DEFAULT_BRAND_IDS, *extra][:count]


def timezone_of(n: int, brand_id: str, default_zones: dict[str, str]) -> str:
    """A default brand's own timezone (``default_zones``, from config/brands.yaml), else London
    for one brand in four.

    The timezone sets a brand's currency (GBP in London, EUR elsewhere) and the project's
    per-brand seeds (``marketing_spend``) are in the default brands' currencies: a default
    brand that moved city would join its GBP spend to EUR revenue."""
    if brand_id in default_zones:
        return default_zones[brand_id]
    return "Europe/London" if n % 4 == 0 else "Europe/Paris"


def _brand_yaml(n: int, brand_id: str, timezone: str) -> str:
    """One registry entry: every platform, 1-3 Google locations, a GA4 and/or Matomo site, and
    a HubSpot portal for the brands on Matomo (the CRM's web members join Matomo's user ids:
    docs/identity.md; GA4 exports no user id).

    Ids follow each platform's shape in config/brands.yaml, numbered from 1001 so they never
    meet the default world's.
    """
    k = 1000 + n
    name = brand_id.replace("-", " ").title()
    locations = "".join(
        f"\n        - accounts/11{k:019d}/locations/2{k:05d}{loc:013d}"
        for loc in range(1, 2 + n % 3)
    )
    site = f"www.{brand_id}.example"
    web = f'      ga4: "41{k:07d}"\n' if n % 3 != 0 else ""
    if n % 3 != 1:  # two sites in three on Matomo, half of them with a consent banner
        web += (
            f'      matomo:\n        site_id: "{k}"\n        consent_dimension: dimension3\n'
            "        consent_values: {accepted: granted, refused: denied}\n"
            if n % 2
            else f'      matomo: "{k}"\n'
        )
        web += f'      hubspot: "146{k:06d}"\n'  # never a default portal id (146000001-3)
    return (
        f"  - id: {brand_id}\n    name: {name}\n"
        f"    timezone: {timezone}\n    site: {site}\n"
        f"    accounts:\n"
        f'      facebook: "1045{k:011d}"\n      instagram: "178414{k:011d}"\n'
        f'      linkedin: "801{k:05d}"\n      x: "146{k:016d}"\n'
        f'      youtube: "UCscale{k:017d}"\n      tiktok: "act.scale{k:027d}"\n'
        f"      google_business:{locations}\n"
        f'      trustpilot: "5f1e0a0b0c0d0e0f{k:08d}"\n{web}'
    )


def registry_yaml(count: int) -> str:
    """The generated registry of ``count`` brands, as a config/brands.yaml."""
    head = (
        "# Generated by sandbox/world/scale.py for a scale world: use it with\n"
        "# PULSE_BRANDS=<this file> so the sources load the brands of that world.\n"
        "brands:\n"
    )
    zones = {b.brand_id: b.timezone for b in load_registry(DEFAULT_REGISTRY_PATH).brands}
    return head + "".join(
        _brand_yaml(n, b, timezone_of(n, b, zones)) for n, b in enumerate(brand_ids(count), start=1)
    )


def build_scale_world(
    out: str | Path, scale: Scale, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write the registry beside ``out`` (``brands.yaml``), then the world; returns totals."""
    from pulse_config.registry import load_registry
    from sandbox.world.generator import generate

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    registry_file = out.parent / REGISTRY_NAME
    registry_file.write_text(registry_yaml(scale.brands), encoding="utf-8")
    registry = load_registry(registry_file)
    totals = generate(out, registry=registry, spec=scale.spec(), progress=progress)
    totals["registry"] = str(registry_file)
    return totals
