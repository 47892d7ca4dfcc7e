"""Publish the marts to a separate read-only DuckDB file for BI tools and analysts.

DuckDB allows one writer process per file and even a reader in another process blocks the
writer, so readers never open the warehouse itself: they open this copy, replaced atomically
after each successful build.
"""

import os
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL

MARTS_SCHEMA = "marts"


def publish_marts(warehouse_file: Path, published_file: Path) -> dict[str, int]:
    """Copy every table of the ``marts`` schema into ``published_file``; rows per table."""
    import duckdb

    tmp = f"{published_file}.tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    con = duckdb.connect(tmp)
    try:
        con.execute(f"attach '{warehouse_file}' as warehouse (read_only)")
        published = con.execute("select current_database()").fetchone()[0]
        con.execute(f"create schema {published}.{MARTS_SCHEMA}")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'warehouse' and table_schema = ? order by 1",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        rows = {}
        for name in tables:
            con.execute(
                f"create table {published}.{MARTS_SCHEMA}.{name} as "
                f"select * from warehouse.{MARTS_SCHEMA}.{name}"
            )
            rows[name] = con.execute(
                f"select count(*) from {published}.{MARTS_SCHEMA}.{name}"
            ).fetchone()[0]
        con.execute("detach warehouse")
    finally:
        con.close()
    os.replace(tmp, published_file)
    return rows


def published_marts_asset(mart_keys: list[AssetKey]):
    """The publish asset, downstream of every mart so it runs after the last one is built."""

    @asset(
        key=AssetKey(["published", "marts"]),
        deps=mart_keys,
        group_name="publish",
        pool=DUCKDB_POOL,
        description="Read-only copy of the marts schema for BI tools (PULSE_PUBLISHED).",
    )
    def published_marts(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        with warehouse.slot("publish the marts", context.log.info):
            rows = publish_marts(warehouse.file, warehouse.published_file)
        context.log.info(f"published {len(rows)} marts to {warehouse.published_file}")
        return MaterializeResult(metadata={"path": str(warehouse.published_file), **rows})

    return published_marts
