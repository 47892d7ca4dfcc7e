"""Shared by the TikTok tests: the small world's dates, tokens, a pipeline runner, queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import dlt
import duckdb

from ingestion.tiktok import tiktok_source
from pulse_config.registry import load_registry

START = date(2025, 11, 1)
DAYS = 40
TODAY = date(2025, 12, 10)  # start + days - 1: the server's default clock
OPEN_IDS = [open_id for _brand, open_id in load_registry().accounts("tiktok")]
TOKENS = {open_id: f"sandbox-tiktok-token-{open_id}" for open_id in OPEN_IDS}


def pipeline(tmp: Path, name: str = "tiktok_test") -> dlt.Pipeline:
    """A pipeline into ``tmp/w.duckdb``, dataset raw_tiktok, state kept under ``tmp``."""
    return dlt.pipeline(
        name,
        destination=dlt.destinations.duckdb(str(tmp / "w.duckdb")),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_tiktok",
    )


def load(pipe: dlt.Pipeline, url: str, **kwargs: Any) -> None:
    """One run of the source against the sandbox with fast retries."""
    args: dict[str, Any] = {
        "access_tokens": TOKENS,
        "base_url": f"{url}/tiktok",
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "max_total_wait_s": 5.0,
        "request_timeout_s": 10.0,
    }
    pipe.run(tiktok_source(**{**args, **kwargs})).raise_on_failed_jobs()


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def count(db: Path, table: str) -> int:
    return query(db, f"select count(*) from raw_tiktok.{table}")[0][0]
