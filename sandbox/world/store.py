"""The world store: one DuckDB file the generator writes in batches and the API only reads.

Writing goes through Arrow tables (one insert per batch, never row by row); reading goes
through a read-only connection and one cursor per request, so a page is a query (or a slice of
an in-memory index of a small table, ``sandbox.world.index``, for pages asked item by item).
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

SCHEMA = """
-- The tables every vendor shares; each vendor's own tables are in its plug-in's DDL (Meta's
-- accounts, posts and comments: sandbox/vendors/meta/world.py).
CREATE TABLE world (seed BIGINT, start_date DATE, days INTEGER, horizon INTEGER,
    generator_version VARCHAR, registry_sha VARCHAR);
CREATE TABLE brands (brand_id VARCHAR PRIMARY KEY, name VARCHAR, timezone VARCHAR, site VARCHAR);
CREATE TABLE campaigns (campaign VARCHAR, brand_id VARCHAR, start_date DATE, end_date DATE,
    hashtag VARCHAR);
-- Ground truth of the engagement conventions (docs/engagement_marts.md), never served by an
-- API: the manifest reads it. Post ids are the ids the APIs expose, on every platform.
CREATE TABLE experiment_posts (experiment VARCHAR, dimension VARCHAR, variant VARCHAR,
    uplift DOUBLE, brand_id VARCHAR, platform VARCHAR, account_id VARCHAR, post_id VARCHAR);
CREATE TABLE parent_links (platform VARCHAR, post_id VARCHAR, parent_platform VARCHAR,
    parent_post_id VARCHAR);
-- post_pillars: the pillar of posts whose own table has no pillar column (X tweets).
CREATE TABLE post_pillars (platform VARCHAR, post_id VARCHAR, pillar VARCHAR);
-- Community care planted on purpose (sandbox/world/care.py): each brand's role (crisis,
-- control, other), the crisis day, and every item the crisis added.
CREATE TABLE care_plan (brand_id VARCHAR, role VARCHAR, day DATE, response_speed DOUBLE);
CREATE TABLE crisis_items (brand_id VARCHAR, platform VARCHAR, channel VARCHAR, item_id VARCHAR);
"""
WRITER_MEMORY = "1GB"  # the generator's DuckDB memory limit
TABLE_KEYS = {
    "world": "seed",
    "brands": "brand_id",
    "campaigns": "brand_id, campaign",
    "experiment_posts": "platform, post_id",
    "parent_links": "platform, post_id",
    "post_pillars": "platform, post_id",
    "care_plan": "brand_id",
    "crisis_items": "platform, item_id",
}


def columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Row dicts -> the column dict ``StoreWriter.insert`` takes (empty for no rows)."""
    return {name: [r[name] for r in records] for name in records[0]} if records else {}


class StoreWriter:
    """Writes a new world store to a temporary file, renamed into place when complete."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        for p in (self.tmp, Path(str(self.tmp) + ".wal")):
            p.unlink(missing_ok=True)
        self.con = duckdb.connect(str(self.tmp))
        # Bounded memory whatever the world's size: DuckDB spills its sorts (the visits'
        # numbering, sandbox/vendors/web/staging.py) to a temp directory beside the file.
        self.con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")
        self.con.execute(SCHEMA)

    def insert(self, table: str, columns: dict[str, list[Any]]) -> int:
        """Insert one batch given as column lists (through Arrow: one statement per batch)."""
        if not columns or not next(iter(columns.values())):
            return 0
        batch = pa.table(columns)
        self.con.register("_batch", batch)
        names = ", ".join(columns)
        self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _batch")
        self.con.unregister("_batch")
        return batch.num_rows

    def close(self) -> None:
        """Checkpoint and move the file into place."""
        self.con.execute("CHECKPOINT")
        self.con.close()
        Path(str(self.path) + ".wal").unlink(missing_ok=True)
        os.replace(self.tmp, self.path)


def open_readonly(path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """The API's connection: read-only; take ``.cursor()`` per request."""
    return duckdb.connect(str(path), read_only=True)


def rows(
    cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None
) -> list[dict]:
    """Run a query and return dict rows (``params`` positional, or named for ``$name``)."""
    result = cur.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def world_info(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The single row of the ``world`` table (seed, start_date, days, horizon...)."""
    return rows(cur, "SELECT * FROM world")[0]


def now_of(today: date) -> datetime:
    """The clock's now for a day: today 23:59:59 UTC (naive)."""
    return datetime.combine(today, time(23, 59, 59))


def _wobble(account_id: str, day: date, amplitude: int) -> int:
    digest = hashlib.blake2b(f"{account_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2 * amplitude + 1) - amplitude


def followers_on(account: dict[str, Any], start: date, day: date) -> int:
    """Followers at the end of ``day``: start + gain * days since start + a deterministic wobble."""
    n = (day - start).days
    if n <= 0:
        return int(account["followers_start"])
    amplitude = max(1, int(account["daily_gain"]) // 3)
    return (
        int(account["followers_start"])
        + int(account["daily_gain"]) * n
        + _wobble(account["account_id"], day, amplitude)
    )


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def world_hash(con: duckdb.DuckDBPyConnection) -> str:
    """SHA-256 over every table (by name), rows in key order: equal hashes mean the same world,
    whatever order the vendors are generated in."""
    from sandbox.vendors import discover

    digest = hashlib.sha256()
    keys = dict(TABLE_KEYS)
    for vendor in discover():
        keys.update(vendor.table_keys)
    for table, key in sorted(keys.items()):
        result = con.execute(f"SELECT * FROM {table} ORDER BY {key}")
        while batch := result.fetchmany(5000):
            for row in batch:
                digest.update(repr(row).encode())
    return digest.hexdigest()
