"""The tables of one warehouse that the catalogue's entries apply to, as they exist today.

The catalogue names tables and columns; a warehouse may lack a source, or a column a vendor
never sent: retention and erasure act on what ``information_schema`` shows, matched against
the catalogue, so a missing table is skipped rather than an error.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import duckdb

from privacy.catalogue import (
    DERIVED_PERSON_COLUMNS,
    DERIVED_SCHEMAS,
    DERIVED_TEXT_COLUMNS,
    LINK_COLUMNS,
    QUARANTINE,
    RAW_TABLES,
    RawTable,
    datasets_of,
)


@dataclass(frozen=True)
class Located:
    """A catalogue entry found in the warehouse: ``schema.table`` and its present columns."""

    schema: str
    entry: RawTable
    columns: frozenset[str]

    @property
    def name(self) -> str:
        """For SQL."""
        return f'{self.schema}."{self.entry.table}"'

    @property
    def label(self) -> str:
        """For reports and the audit log."""
        return f"{self.schema}.{self.entry.table}"

    def present(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c for c in names if c in self.columns)

    @property
    def unreviewed(self) -> tuple[str, ...]:
        """Columns the source does not declare: fields the API added since, which the
        sources that carry them store as keyed hashes (``ingestion.tables.add_unknown_fields``).
        Nobody has checked they hold no person, so retention blanks them with the row's
        personal columns."""
        declared = declared_columns(self.entry.source, self.entry.table)
        if declared is None or self.entry is QUARANTINE:
            return ()
        return tuple(sorted(c for c in self.columns - declared if not c.startswith("_dlt_")))


@cache
def declared_columns(source: str, table: str) -> frozenset[str] | None:
    """The columns ``ingestion.<source>.settings.COLUMNS`` declares for ``table`` (None when
    the source declares none for it: then no column counts as unreviewed)."""
    settings = importlib.import_module(f"ingestion.{source}.settings")
    columns = getattr(settings, "COLUMNS", {}).get(table)
    return None if columns is None else frozenset(columns)


@dataclass(frozen=True)
class Derived:
    """A derived table with person, text or link columns."""

    schema: str
    table: str
    person: tuple[str, ...]
    text: tuple[str, ...]
    links: tuple[str, ...]

    @property
    def name(self) -> str:
        """For SQL."""
        return f'{self.schema}."{self.table}"'

    @property
    def label(self) -> str:
        """For reports and the audit log."""
        return f"{self.schema}.{self.table}"


def columns_by_table(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], frozenset[str]]:
    """(schema, table) -> column names of every base table of the file (views store nothing)."""
    rows = con.execute(
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE' and c.table_catalog = current_database()"
    ).fetchall()
    out: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), set()).add(column)
    return {key: frozenset(value) for key, value in out.items()}


def raw_tables(
    con: duckdb.DuckDBPyConnection, sources: tuple[str, ...] | None = None
) -> list[Located]:
    """Catalogue raw tables (both datasets of each) and every source's quarantine present."""
    columns = columns_by_table(con)
    found = []
    for entry in RAW_TABLES:
        if sources is not None and entry.source not in sources:
            continue
        for schema in datasets_of(entry.source):
            if (schema, entry.table) in columns:
                found.append(Located(schema, entry, columns[(schema, entry.table)]))
    for (schema, table), cols in sorted(columns.items()):
        source = schema.removeprefix("raw_").removesuffix("_staging")
        wanted = sources is None or source in sources
        if table == QUARANTINE.table and schema.startswith("raw_") and wanted:
            found.append(Located(schema, QUARANTINE, cols))
    return found


def derived_tables(con: duckdb.DuckDBPyConnection) -> list[Derived]:
    """Tables of the derived schemas with a pseudonym, a person's text or a row key."""
    found = []
    for (schema, table), cols in sorted(columns_by_table(con).items()):
        if schema not in DERIVED_SCHEMAS:
            continue
        derived = Derived(
            schema,
            table,
            tuple(sorted(cols & DERIVED_PERSON_COLUMNS)),
            tuple(sorted(cols & DERIVED_TEXT_COLUMNS)),
            tuple(c for c in LINK_COLUMNS if c in cols),
        )
        if derived.person or derived.text or derived.links:
            found.append(derived)
    return found


def in_list(column: str, table: str) -> str:
    """SQL: ``column`` is one of the values of temp ``table`` (single column ``value``)."""
    return f'"{column}" in (select value from {table})'
