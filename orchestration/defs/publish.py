"""Publish the marts to a separate read-only DuckDB file for BI tools and analysts.

DuckDB allows one writer process per file and even a reader in another process blocks the
writer, so readers never open the warehouse itself: they open this copy, replaced atomically
after each successful build. The copy is written to a temporary file beside the target (same
directory, so the same file system), flushed to disk, then renamed over the target
(``os.replace``), and the directory entry flushed too: a reader, a killed worker or a full
disk leaves either the previous copy or the new one, never half of each. A failed write
removes its temporary file and leaves the previous copy as it was.

The asset's metadata holds each mart's row count and a preview of its first rows.
"""

import contextlib
import os
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.defs.reports import mart_previews
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL

MARTS_SCHEMA = "marts"


class PublicationFailed(RuntimeError):
    """The new copy could not be written; the previous one is untouched."""


def publish_marts(warehouse_file: Path, published_file: Path) -> dict[str, int]:
    """Copy every table of the ``marts`` schema into ``published_file``; rows per table."""
    published_file = Path(published_file)
    tmp = published_file.with_name(published_file.name + ".tmp")
    try:
        _remove(tmp)  # left by a killed run, with its WAL
        published_file.parent.mkdir(parents=True, exist_ok=True)
        rows = _copy_marts(Path(warehouse_file), tmp)
        _flush(tmp)
        os.replace(tmp, published_file)
        _flush(published_file.parent)
    except (OSError, duckdb.Error) as error:
        with contextlib.suppress(OSError):  # e.g. its directory is a file: nothing to remove
            _remove(tmp)
        raise PublicationFailed(
            f"could not publish the marts to {published_file}: {error}; the previous "
            "published copy, if any, is unchanged"
        ) from error
    return rows


def _copy_marts(warehouse_file: Path, target: Path) -> dict[str, int]:
    """Write the marts of ``warehouse_file`` into a new DuckDB file ``target``."""
    con = duckdb.connect(str(target))
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
        con.execute("checkpoint")  # everything in the file, nothing left in a WAL
    finally:
        con.close()
    return rows


def _flush(path: Path) -> None:
    """``fsync`` a file or a directory, so a rename never outlives the bytes it names."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(tmp: Path) -> None:
    """Remove a temporary copy and the WAL DuckDB may have left beside it."""
    for path in (tmp, tmp.with_name(tmp.name + ".wal")):
        path.unlink(missing_ok=True)


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
        # Read from the published copy: what BI tools see, without the writer slot.
        previews = mart_previews(warehouse.published_file, MARTS_SCHEMA, rows)
        return MaterializeResult(
            metadata={
                "path": str(warehouse.published_file),
                "dagster/row_count": sum(rows.values()),
                **rows,
                **previews,
            }
        )

    return published_marts
