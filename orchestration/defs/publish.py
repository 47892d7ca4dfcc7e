"""Publish the marts for BI tools and analysts: a read-only DuckDB file any DuckDB 1.x reader
opens, and the same marts as Parquet files, one per mart, in a folder beside it.

DuckDB allows one writer process per file and even a reader in another process blocks the
writer, so readers never open the warehouse itself: they open this copy, replaced atomically
after each successful build. The copy is written to a temporary file beside the target (same
directory, so the same file system), flushed to disk, then renamed over the target
(``os.replace``), and the directory entry flushed too: a reader, a killed worker or a full
disk leaves either the previous copy or the new one, never half of each. A failed write
removes its temporary file and leaves the previous copy as it was.

The warehouse is written by DuckDB 2.x, whose file format the DuckDB 1.x engines most BI tools
embed cannot read; the copy is written in the storage format of ``PULSE_PUBLISHED_STORAGE_
VERSION`` (default ``v1.0.0``, read by every DuckDB since 1.0; the marts use only BIGINT,
INTEGER, HUGEINT, DOUBLE, BOOLEAN, VARCHAR, DATE and TIMESTAMP, all in that format). See
https://duckdb.org/docs/stable/sql/statements/attach#options (``STORAGE_VERSION``).

The Parquet folder (``published_parquet/`` beside ``published.duckdb``) is a symbolic link to
a folder written whole first (``.published_parquet.<time>``); the link is then replaced by a
new one with ``os.replace``, the one atomic swap of a whole folder POSIX offers (a directory
cannot be renamed over a non-empty one). Readers see the previous folder or the new one.

The asset's metadata holds each mart's row count and a preview of its first rows.
"""

import contextlib
import os
import shutil
import time
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.defs.reports import mart_previews
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL
from pulse_config.duckdb_resources import connect, duckdb_settings

MARTS_SCHEMA = "marts"

STORAGE_VERSION_ENV = "PULSE_PUBLISHED_STORAGE_VERSION"
DEFAULT_STORAGE_VERSION = "v1.0.0"
"""The oldest DuckDB storage format holding every type the marts use: DuckDB 1.0 to 1.4
(Evidence's ``@duckdb/node-api`` 1.x, DBeaver's and Metabase's drivers) read it."""


class PublicationFailed(RuntimeError):
    """The new copy could not be written; the previous one is untouched."""


def storage_version() -> str:
    """The storage format of the published copy: ``PULSE_PUBLISHED_STORAGE_VERSION`` if set."""
    return os.environ.get(STORAGE_VERSION_ENV) or DEFAULT_STORAGE_VERSION


def parquet_folder(published_file: Path) -> Path:
    """Where the Parquet files of the marts are published: ``<name>_parquet`` beside the copy."""
    published_file = Path(published_file)
    return published_file.with_name(published_file.stem + "_parquet")


def publish_marts(
    warehouse_file: Path, published_file: Path, version: str | None = None
) -> dict[str, int]:
    """Copy every table of the ``marts`` schema into ``published_file`` (DuckDB storage format
    ``version``, default ``storage_version()``) and into one Parquet file per mart in
    ``parquet_folder(published_file)``; rows per table."""
    published_file = Path(published_file)
    tmp = published_file.with_name(published_file.name + ".tmp")
    folder = parquet_folder(published_file)
    new_folder = folder.with_name(f".{folder.name}.{time.time_ns()}")
    try:
        _remove(tmp)  # left by a killed run, with its WAL
        published_file.parent.mkdir(parents=True, exist_ok=True)
        rows = _copy_marts(Path(warehouse_file), tmp, version or storage_version())
        _flush(tmp)
        _write_parquet(tmp, new_folder, list(rows))
        os.replace(tmp, published_file)
        _swap_folder(folder, new_folder)
        _flush(published_file.parent)
    except (OSError, duckdb.Error) as error:
        with contextlib.suppress(OSError):  # e.g. its directory is a file: nothing to remove
            _remove(tmp)
        if not _points_to(folder, new_folder):
            shutil.rmtree(new_folder, ignore_errors=True)
        raise PublicationFailed(
            f"could not publish the marts to {published_file}: {error}; the previous "
            "published copy, if any, is unchanged"
        ) from error
    _remove_old_folders(folder)
    return rows


def refresh_parquet(published_file: Path) -> None:
    """Rewrite the Parquet folder from the published copy as it now is, swapped in whole: after
    an erasure or a retention pass edits the copy (``privacy``), the files must not keep what
    the copy no longer holds."""
    published_file = Path(published_file)
    if not published_file.exists():
        return
    folder = parquet_folder(published_file)
    new_folder = folder.with_name(f".{folder.name}.{time.time_ns()}")
    with connect(published_file, read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
    try:
        _write_parquet(published_file, new_folder, marts)
        _swap_folder(folder, new_folder)
    except (OSError, duckdb.Error):
        if not _points_to(folder, new_folder):
            shutil.rmtree(new_folder, ignore_errors=True)
        raise
    _remove_old_folders(folder)


def _copy_marts(warehouse_file: Path, target: Path, version: str) -> dict[str, int]:
    """Write the marts of ``warehouse_file`` into a new DuckDB file ``target``."""
    con = duckdb.connect(":memory:", config=duckdb_settings(target))
    try:
        con.execute(f"attach '{target}' as published (storage_version '{version}')")
        con.execute(f"attach '{warehouse_file}' as warehouse (read_only)")
        con.execute(f"create schema published.{MARTS_SCHEMA}")
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
                f"create table published.{MARTS_SCHEMA}.{name} as "
                f"select * from warehouse.{MARTS_SCHEMA}.{name}"
            )
            rows[name] = con.execute(
                f"select count(*) from published.{MARTS_SCHEMA}.{name}"
            ).fetchone()[0]
        con.execute("detach warehouse")
        con.execute("checkpoint published")  # everything in the file, nothing left in a WAL
        con.execute("detach published")
    finally:
        con.close()
    return rows


def _write_parquet(copy: Path, folder: Path, marts: list[str]) -> None:
    """One Parquet file per mart of the new copy ``copy`` in a new ``folder``, flushed."""
    folder.mkdir()
    with connect(copy, read_only=True) as con:
        for name in marts:
            target = folder / f"{name}.parquet"
            columns = ", ".join(_parquet_column(con, name))
            con.execute(
                f"copy (select {columns} from {MARTS_SCHEMA}.{name}) to '{target}' (format parquet)"
            )
    for path in folder.iterdir():
        _flush(path)
    _flush(folder)


def _parquet_column(con: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    """The select list writing ``mart`` to Parquet: HUGEINT (what ``sum()`` of integers gives)
    as BIGINT, since Parquet has no 128-bit integer and DuckDB would write it as DOUBLE,
    inexact past 2**53; a sum past BIGINT fails the publication rather than lose digits."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [MARTS_SCHEMA, mart],
    ).fetchall()
    return [
        f'cast("{name}" as bigint) as "{name}"' if kind == "HUGEINT" else f'"{name}"'
        for name, kind in columns
    ]


def _swap_folder(link: Path, new_folder: Path) -> None:
    """Point the link ``link`` at ``new_folder`` in one rename (a new link over the old)."""
    staged = link.with_name(link.name + ".tmp")
    staged.unlink(missing_ok=True)
    if link.is_dir() and not link.is_symlink():
        # A real folder, e.g. a tree copied without its links: moved aside once (removed
        # with the old versions), the one moment a reader may find no folder.
        link.rename(link.with_name(f".{link.name}.{time.time_ns()}"))
    staged.symlink_to(new_folder.name)  # relative: the pair can be moved together
    try:
        os.replace(staged, link)
    finally:
        staged.unlink(missing_ok=True)


def _points_to(link: Path, folder: Path) -> bool:
    return link.is_symlink() and os.readlink(link) == folder.name


def _remove_old_folders(link: Path) -> None:
    """Remove the Parquet folders the link no longer points to (a reader that already opened
    a file keeps it: the file lives on until closed)."""
    for old in link.parent.glob(f".{link.name}.*"):
        if not _points_to(link, old):
            shutil.rmtree(old, ignore_errors=True)


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
