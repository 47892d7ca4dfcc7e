"""What only the YouTube tests need: the world's channels, a loader with small pages, the
Reports API called directly and the channel-daily check against the world's history."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import requests

from tests.sources.support import load_source, query, vendor_truth

TOKEN = "sandbox-youtube-token"
CHANNELS = ("UCmaisonlumiere0000000a1", "UCvelovert00000000000000b2")
TABLES = (
    "channels",
    "playlist_items",
    "videos",
    "video_stats",
    "comments",
    "comments_disabled",
    "video_daily",
    "channel_daily",
)


def load(url: str, tmp: Path, resources: tuple[str, ...] = (), **kwargs: Any) -> Path:
    """Run the source against the sandbox at ``url`` into ``tmp/w.duckdb`` (state kept)."""
    options: dict[str, Any] = {
        "max_attempts": 8,
        "analytics_page_size": 100,  # several report pages even on the small world
        "playlist_page_size": 10,
        **kwargs,
    }
    return load_source("youtube", url, tmp, "youtube_test", resources, **options)


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_youtube.{t}")[0][0] for t in TABLES}


def manifest_of(world: Path, day: date) -> dict[str, Any]:
    """The youtube vendor's ground truth as of ``day``."""
    return vendor_truth(world, "youtube", day)


def report(url: str, **params: Any) -> requests.Response:
    """``GET /v2/reports`` of the sandbox with the test token."""
    return requests.get(
        f"{url}/youtube/v2/reports",
        params=params,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )


def check_channel_daily(db: Path, truth: dict[str, Any]) -> None:
    """channel_daily holds every served day of every channel, with the net subscribers of the
    world's history and views summing the channel's videos."""
    for channel_id, want in truth["channel_daily"].items():
        got = query(
            db,
            "select day, subscribers_gained - subscribers_lost, views "
            f"from raw_youtube.channel_daily where channel_id = '{channel_id}' order by day",
        )
        assert {d.isoformat(): net for d, net, _ in got} == want["net_subscribers"], channel_id
        assert sum(r[2] for r in got) == want["views"], channel_id
