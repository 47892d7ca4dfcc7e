"""Searches that do not trust the code under test: every string column of every table, the
raw bytes of a file, every file of a folder (gzip-compressed ones opened)."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import duckdb


def tables_holding(db: Path, values: list[str], skip: tuple[str, ...] = ()) -> list[tuple]:
    """(schema.table.column, value) for each string column of each table of ``db`` holding one
    of ``values`` (as a substring); ``skip``: ``schema.table`` names left out."""
    found = []
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
            "join information_schema.tables t using (table_catalog, table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR' "
            "and c.table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            if f"{schema}.{table}" in skip:
                continue
            for value in values:
                hits = con.execute(
                    f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)',
                    [value],
                ).fetchone()[0]
                if hits:
                    found.append((f"{schema}.{table}.{column}", value))
    return found


def bytes_holding(path: Path, values: list[str]) -> list[str]:
    """The values whose UTF-8 bytes occur in the file."""
    data = Path(path).read_bytes()
    return [value for value in values if value.encode() in data]


def file_bytes(path: Path) -> bytes:
    """A file's bytes, gzip opened whatever its name (dlt's load packages are gzip without a
    ``.gz`` suffix): what a search of the file must read."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError):
            return gzip.decompress(data)
    return data


def files_holding(folder: Path, values: list[str]) -> list[tuple[str, str]]:
    """(file, value) for each file under ``folder`` holding a value (gzip files opened)."""
    found = []
    for file in Path(folder).rglob("*"):
        if file.is_file():
            data = file_bytes(file)
            found += [(str(file), v) for v in values if v.encode() in data]
    return found
