"""Meta's metric catalogue (``metrics.yaml``) and the insights it derives from a post's values.

The base values follow the shared lifetime curve (``sandbox.world.metrics.lifetime``); the
catalogue maps each Graph insight to a base value, a sum or a split, per Meta's metric
references (developers.facebook.com/docs/graph-api/reference/insights,
developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights). The API
and the manifest both compute through here, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sandbox.world.metrics import age_hours, lifetime, split

CATALOGUE_PATH = Path(__file__).resolve().with_name("metrics.yaml")
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
    "video_complete_views",
)


def base_values(post: dict[str, Any], now: datetime, comment_count: int) -> dict[str, int]:
    """Every base value of a post at ``now``; ``comments`` is the visible comment count."""
    age = age_hours(post["created_time"], now)
    values = {name: lifetime(post.get(f"final_{name}"), age) for name in BASE_COLUMNS}
    # Per-view averages and the video's length do not grow with the audience: flat once posted.
    values["avg_watch_ms"] = int(post.get("final_avg_watch_ms") or 0) if age > 0 else 0
    values["video_length_ms"] = int(post.get("video_length_ms") or 0) if age > 0 else 0
    # Total time played = average time x plays (the views of a reel are its plays).
    values["total_watch_ms"] = values["avg_watch_ms"] * values["views"]
    values["comments"] = comment_count
    return values


@dataclass(frozen=True)
class Catalogue:
    """The metric catalogue of ``sandbox/vendors/meta/metrics.yaml``."""

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
