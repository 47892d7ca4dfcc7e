"""Rewrite a DuckDB file so that deleted bytes are gone from it, not only from its tables.

DuckDB frees the blocks of deleted rows and dropped tables for reuse, but a freed block keeps
its old bytes until it is overwritten, and ``CHECKPOINT`` does not clear it: a deleted comment
can still be read from the file with ``strings``. Copying the database into a new file
(``COPY FROM DATABASE``: tables, views, constraints) writes only live data; the new file then
replaces the old one atomically (``os.replace``), so a reader sees either file, never half.
The caller holds the writer slot: nobody else may have the file open.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from pulse_config.duckdb_resources import connect, duckdb_settings


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write the WAL into the file (the rewrite reads the file, not the log)."""
    con.execute("checkpoint")


def rewrite(path: Path) -> int:
    """Copy ``path`` into a fresh file and swap it in; returns the new size in bytes."""
    path = Path(path)
    fresh = path.with_name(path.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    with connect(path) as con:  # replays and folds any WAL left behind
        checkpoint(con)
    with duckdb.connect(":memory:", config=duckdb_settings(path)) as con:
        con.execute(f"attach '{path}' as old_file (read_only)")
        (version,) = con.execute(  # e.g. v1.0.0+ for the published copy: keep its readers
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = 'old_file'"
        ).fetchone()
        keep = f" (storage_version '{version.rstrip('+')}')" if version else ""
        con.execute(f"attach '{fresh}' as fresh_file{keep}")
        con.execute("copy from database old_file to fresh_file")
        con.execute("detach fresh_file")
        con.execute("detach old_file")
    os.replace(fresh, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
    return path.stat().st_size


def edit_copy(path: Path, edit: Callable[[duckdb.DuckDBPyConnection], bool]) -> bool:
    """Run ``edit`` on a copy of ``path`` and, if it changed something (returns True), rewrite
    the copy and swap it in; the original is never opened for writing.

    For the published copy: BI tools hold it open (even read-only, that refuses a writer), so
    it is only ever replaced whole, as publication does; a reader keeps the file it opened."""
    path = Path(path)
    copy = path.with_name(path.name + ".edit")
    copy.unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    try:
        with connect(copy) as con:
            changed = edit(con)
            checkpoint(con)
        if changed:
            rewrite(copy)
            os.replace(copy, path)
            from orchestration.defs.publish import refresh_parquet  # its Parquet files too

            refresh_parquet(path)
        return changed
    finally:
        copy.unlink(missing_ok=True)
        Path(f"{copy}.wal").unlink(missing_ok=True)
