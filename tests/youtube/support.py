"""Shared by the YouTube tests: the small world's dates, a loader and a query helper.

(A module of its own rather than conftest, so tests import it as ``tests.youtube.support``.)
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb

from ingestion.youtube import youtube_source

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
