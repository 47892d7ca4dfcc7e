"""The erasure list, and the dlt filter that keeps erased people out of every later load.

An erased person's rows would come back with the next run of their source (the vendor still
serves their comment). The list ``privacy.erasure_list`` keeps, per source, the pseudonyms
erased (never the clear id); ``honour_erasures`` adds a filter to every resource of a dlt
source that drops any row mentioning one of them, in any column (the quarantine payload
included), whether the resource yields dicts or Arrow tables. It is added where pipelines
run (``orchestration/defs/ingestion.py``, ``ingestion/run.py``), not in each source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pulse_config.duckdb_resources import connect

SCHEMA = "privacy"
LIST_TABLE = f"{SCHEMA}.erasure_list"
DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {LIST_TABLE} (
    source varchar not null,
    pseudonym varchar not null,
    kind varchar not null,
    listed_at timestamp with time zone not null,
    primary key (source, pseudonym)
);
"""
_HEX64 = re.compile(r"[0-9a-f]{64}")
# An erased CRM record is listed by its key, '<portal_id>:<contact_id>' (the ``key_sql`` of
# HubSpot's contacts in privacy/catalogue.py): a deal's association to it holds no pseudonym.
RECORD_FIELDS = ("portal_id", "contact_id")


def add_to_list(
    con: duckdb.DuckDBPyConnection, source: str, pseudonyms: Iterable[str], kind: str
) -> None:
    """Record the pseudonyms (``kind`` "id" or "name", or "record": the key of an erased
    CRM contact) as erased for ``source``; again is a no-op."""
    con.execute(DDL)
    for pseudonym in pseudonyms:
        con.execute(
            f"insert into {LIST_TABLE} values (?, ?, ?, now()) on conflict do nothing",
            [source, pseudonym, kind],
        )


@dataclass(frozen=True)
class Erased:
    """The erased pseudonyms of one source: ids, names (shared by namesakes), and the keys of
    erased CRM records."""

    ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.ids or self.names or self.records)

    def holds(self, row: Any) -> bool:
        """The row mentions an erased id, or an erased name and no other pseudonym (a
        namesake's row carries their own id), or is or links to an erased record."""
        if self.records and _record_key(row) in self.records:
            return True
        tokens = set(_tokens(row))
        if tokens & self.ids:
            return True
        return bool(tokens & self.names) and not tokens - self.names


def erased_pseudonyms(warehouse: Path, source: str) -> Erased:
    """The pseudonyms erased from ``source``; none if the file or the list does not exist."""
    if not Path(warehouse).exists():
        return Erased()
    with connect(warehouse, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'erasure_list'",
            [SCHEMA],
        ).fetchone()[0]
        if not exists:
            return Erased()
        rows = con.execute(
            f"select pseudonym, kind from {LIST_TABLE} where source = ?", [source]
        ).fetchall()
    return Erased(
        frozenset(p for p, kind in rows if kind == "id"),
        frozenset(p for p, kind in rows if kind == "name"),
        frozenset(p for p, kind in rows if kind == "record"),
    )


def _record_key(row: Any) -> str | None:
    """'<portal_id>:<contact_id>' of a row holding both fields (a contact, an association)."""
    if not isinstance(row, dict) or not all(row.get(f) for f in RECORD_FIELDS):
        return None
    return ":".join(str(row[f]) for f in RECORD_FIELDS)


def _tokens(value: Any) -> list[str]:
    """Every 64-hex token (a pseudonym) in a row, a list, or a JSON payload string."""
    if isinstance(value, str):
        return _HEX64.findall(value)
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tokens(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _tokens(v)]
    return []


def drop_erased(item: Any, erased: Erased) -> Any:
    """An Arrow table without its rows of erased people; other items as they are (dict rows
    are dropped by the filter of ``honour_erasures``)."""
    if isinstance(item, pa.Table) and item.num_rows:
        keep = [not erased.holds(row) for row in item.to_pylist()]
        return item if all(keep) else item.filter(pa.array(keep))
    return item


def honour_erasures(dlt_source: Any, source: str, warehouse: Path) -> Any:
    """``dlt_source`` with every resource filtered: rows (dicts, or rows of Arrow tables) of
    people erased from ``source`` are dropped before they are normalised. The list is read
    once, when the run starts."""
    erased = erased_pseudonyms(warehouse, source)
    if erased:
        for resource in dlt_source.resources.values():
            resource.add_map(lambda item: drop_erased(item, erased))
            resource.add_filter(lambda item: isinstance(item, pa.Table) or not erased.holds(item))
    return dlt_source
