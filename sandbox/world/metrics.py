"""Lifetime metrics of a post at the sandbox clock, shared by the API and the manifest.

One module computes every number so that what the API returns and what the manifest says a
complete load must contain can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "config" / "meta_metrics.yaml"
GROWTH_HOURS = 30.0
BASE_COLUMNS = (
    "reach",
    "views",
    "likes",
    "shares",
    "saves",
    "clicks",
    "video_views",
    "follows",
    "profile_visits",
    "avg_watch_ms",
)


def lifetime(final: int | float | None, age_hours: float) -> int:
    """The contract's curve: floor(final * (1 - exp(-age_hours / 30))), 0 before publication."""
    if not final or age_hours <= 0:
        return 0
    return int(math.floor(float(final) * (1.0 - math.exp(-age_hours / GROWTH_HOURS))))


def age_hours(created: datetime, now: datetime) -> float:
    """Post age in hours at ``now`` (both naive UTC)."""
    return (now - created).total_seconds() / 3600.0


def base_values(post: dict[str, Any], now: datetime, comment_count: int) -> dict[str, int]:
    """Every base value of a post at ``now``; ``comments`` is the visible comment count."""
    age = age_hours(post["created_time"], now)
    values = {name: lifetime(post.get(f"final_{name}"), age) for name in BASE_COLUMNS}
    values["avg_watch_ms"] = int(post.get("final_avg_watch_ms") or 0) if age > 0 else 0
    values["comments"] = comment_count
    return values


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Divide ``total`` by ``shares``; the rounding remainder goes to the first key (sums match)."""
    parts = {key: int(math.floor(total * share)) for key, share in shares.items()}
    first = next(iter(parts))
    parts[first] += total - sum(parts.values())
    return parts


@dataclass(frozen=True)
class Catalogue:
    """The metric catalogue of ``sandbox/config/meta_metrics.yaml``."""

    raw: dict[str, Any]

    @property
    def versions(self) -> tuple[int, int, int]:
        v = self.raw.get("versions", {})
        return int(v.get("min", 19)), int(v.get("max", 25)), int(v.get("latest", v.get("max", 25)))

    def fb_post(self) -> dict[str, dict[str, Any]]:
        return self.raw["facebook"]["post_lifetime"]

    def fb_page_day(self) -> dict[str, dict[str, Any]]:
        return self.raw["facebook"]["page_day"]

    def ig_media(self) -> dict[str, dict[str, Any]]:
        return self.raw["instagram"]["media"]

    def ig_user_day(self) -> dict[str, dict[str, Any]]:
        return self.raw["instagram"]["user_day"]

    def ig_media_set(self, product_type: str, media_type: str) -> list[str]:
        return list(self.raw["instagram"]["media_sets"].get(f"{product_type}/{media_type}", []))

    def deprecated(self, platform: str) -> dict[str, str]:
        return dict(self.raw[platform].get("deprecated") or {})


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    """Read the catalogue once per path."""
    text = Path(path or CATALOGUE_PATH).read_text(encoding="utf-8")
    return Catalogue(raw=yaml.safe_load(text))


def metric_value(spec: dict[str, Any], base: dict[str, int]) -> int | dict[str, int]:
    """One catalogue metric from the base values: plain, sum or dict split."""
    if "split" in spec:
        return split(base[spec["split"]["value"]], spec["split"]["shares"])
    if "sum" in spec:
        return sum(base[name] for name in spec["sum"])
    return base[spec["value"]]


def fb_post_metrics(cat: Catalogue, base: dict[str, int]) -> dict[str, int | dict[str, int]]:
    """All live Facebook post insights."""
    return {name: metric_value(spec, base) for name, spec in cat.fb_post().items()}


def ig_media_metrics(
    cat: Catalogue, post: dict[str, Any], base: dict[str, int]
) -> dict[str, int | dict[str, int]]:
    """The live insights of one Instagram media, per its product/media type."""
    specs = cat.ig_media()
    names = cat.ig_media_set(post["media_product_type"], post["media_type"])
    return {name: metric_value(specs[name], base) for name in names}


def flatten(metrics: dict[str, int | dict[str, int]]) -> dict[str, int]:
    """Dict values flattened as ``metric.key`` (the raw tables' convention)."""
    flat: dict[str, int] = {}
    for name, value in metrics.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{key}": v for key, v in value.items()})
        else:
            flat[name] = value
    return flat
