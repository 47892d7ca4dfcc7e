"""Shared by the Trustpilot tests: the small world's dates, a loader and a query helper."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb

from ingestion.trustpilot import trustpilot_source

START = date(2025, 11, 1)
DAYS = 40
TODAY = START + timedelta(days=DAYS - 1)
API_KEY = "sandbox-trustpilot-key"
PSEUDO_KEY = "test-pseudonymisation-key"
DATASET = "raw_trustpilot"


def load(base_url: str, tmp: Path, **kwargs: Any) -> Path:
    """Run the whole source once into ``tmp/w.duckdb`` (state in ``tmp/pipelines``)."""
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "trustpilot_test",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name=DATASET,
    )
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "pseudonymisation_key": PSEUDO_KEY,
        "base_url": base_url,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "max_total_wait_s": 5.0,
        "request_timeout_s": 10.0,
    }
    options.update(kwargs)
    pipeline.run(trustpilot_source(**options)).raise_on_failed_jobs()
    return db


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """One read-only query on the test warehouse (DuckDB is single-writer)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def has_table(db: Path, table: str) -> bool:
    sql = (
        "select 1 from information_schema.tables "
        f"where table_schema = '{DATASET}' and table_name = '{table}'"
    )
    return bool(query(db, sql))


def iso(ts: Any) -> str | None:
    """A loaded timestamp in the API's ``...Z`` shape, to compare with the manifest."""
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")
