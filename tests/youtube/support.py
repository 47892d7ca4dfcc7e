"""Shared by the YouTube tests: the small world's dates, a loader and a query helper.

(A module of its own rather than conftest, so tests import it as ``tests.youtube.support``.)
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import requests

from ingestion.youtube import youtube_source
from sandbox.vendors.youtube import VENDOR
from sandbox.world.store import open_readonly

START = date(2025, 11, 1)
DAYS = 40
TODAY = START + timedelta(days=DAYS - 1)
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
    """Run the source against the sandbox into ``tmp/w.duckdb`` (state kept under ``tmp``)."""
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "youtube_test",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_youtube",
    )
    options: dict[str, Any] = {
        "access_token": TOKEN,
        "pseudonymisation_key": "test-key",
        "base_url": f"{url}/youtube",
        "analytics_base_url": f"{url}/youtube",
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "max_attempts": 8,
        "analytics_page_size": 100,  # several report pages even on the small world
        "playlist_page_size": 10,
        **kwargs,
    }
    source = youtube_source(**options)
    if resources:
        source = source.with_resources(*resources)
    pipeline.run(source).raise_on_failed_jobs()
    return db


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_youtube.{t}")[0][0] for t in TABLES}


def reset(url: str) -> None:
    """The sandbox back at TODAY with faults off."""
    requests.post(f"{url}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10)


def manifest_of(world: Path, day: date) -> dict[str, Any]:
    """``build_manifest(world, day)["sources"]["youtube"]``, without the other vendors' parts."""
    with open_readonly(world) as con:
        return VENDOR.manifest(con.cursor(), day)


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
