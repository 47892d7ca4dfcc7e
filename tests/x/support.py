"""Shared by the X tests: running the source into a throwaway DuckDB and reading it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import duckdb

from ingestion.x import x_source

TOKEN = "sandbox-x-token"
KEY = "test-key"


def run_x(base_url: str, tmp: Path, name: str = "x_test", **kwargs: Any) -> Path:
    """Run the X source into ``tmp/w.duckdb`` (same pipeline dir each call: state persists)."""
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        name,
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_x",
    )
    args = {"bearer_token": TOKEN, "pseudonymisation_key": KEY, "backoff_base_s": 0.01}
    args.update(kwargs)
    pipeline.run(x_source(base_url=base_url, **args)).raise_on_failed_jobs()
    return db


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def ids(db: Path, sql: str) -> list[str]:
    return [r[0] for r in query(db, sql)]


def has_table(db: Path, table: str) -> bool:
    sql = (
        "select 1 from information_schema.tables where table_schema = 'raw_x' "
        f"and table_name = '{table}'"
    )
    return bool(query(db, sql))
