"""Typed Arrow batches and merge resources built from a source's column hints.

Every source declares its raw tables once (``settings.COLUMNS`` / ``settings.PRIMARY_KEYS``);
these helpers turn that declaration into the Arrow schema of each yielded batch (dlt loads
Arrow far faster than Python dicts) and into the hints of a merge resource, so all sources
type and key their tables the same way.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.quarantine import add_quarantine_table

Columns = Mapping[str, Mapping[str, Any]]
"""Column name -> dlt column hint (``data_type``, optional ``nullable``)."""

SCHEMA_CONTRACT = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}
"""New tables and columns may appear; a column never silently changes type."""

# Column hints the settings modules compose their tables from.
TS = {"data_type": "timestamp"}
TEXT = {"data_type": "text"}
INT = {"data_type": "bigint"}
DOUBLE = {"data_type": "double"}
BOOL = {"data_type": "bool"}
KEY = {"data_type": "text", "nullable": False}
DATE_KEY = {"data_type": "date", "nullable": False}

ARROW_TYPES: Mapping[str, pa.DataType] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
"""dlt data type -> Arrow type of the loaded column (timestamps are UTC, microseconds)."""


def arrow_fields(columns: Columns) -> list[pa.Field]:
    """One Arrow field per declared column, in declaration order."""
    return [
        pa.field(name, ARROW_TYPES[hint["data_type"]], nullable=hint.get("nullable", True))
        for name, hint in columns.items()
    ]


def arrow_schema(columns: Columns) -> pa.Schema:
    """The Arrow schema of a raw table, from its column hints."""
    return pa.schema(arrow_fields(columns))


def arrow_table(
    columns: Columns, records: list[dict[str, Any]] | Mapping[str, list[Any]]
) -> pa.Table:
    """Rows (or a dict of column lists) -> an Arrow table typed by the column hints.

    Typing the batch from the declaration keeps an all-null column from being inferred as
    ``null`` and a mixed batch from failing: every load sees the same column types.
    """
    schema = arrow_schema(columns)
    if isinstance(records, list):
        return pa.Table.from_pylist(records, schema=schema)
    return pa.table(dict(records), schema=schema)


def merge_hints(
    primary_key: Iterable[str], columns: Columns, table_name: str | None = None
) -> dict[str, Any]:
    """``apply_hints`` keywords of a merge table; the column hints are copied (dlt mutates them)."""
    hints: dict[str, Any] = {} if table_name is None else {"table_name": table_name}
    hints.update(
        write_disposition="merge",
        primary_key=list(primary_key),
        columns={col: dict(hint) for col, hint in columns.items()},
    )
    return hints


def merge_resource(
    fn: Callable[..., Any],
    name: str,
    primary_key: Iterable[str],
    columns: Columns,
    variants: Mapping[str, tuple[Sequence[str], Columns]] | None = None,
) -> DltResource:
    """A merge resource with the ``quarantine`` table and any other table variants.

    The variants (``table -> (primary_key, columns)``: child tables a resource also writes)
    are registered before the resource's own hints, so that they do not inherit its columns
    and primary key.
    """
    resource = add_quarantine_table(dlt.resource(fn, name=name))
    for table, (pk, cols) in (variants or {}).items():
        resource.apply_hints(create_table_variant=True, **merge_hints(pk, cols, table))
    resource.apply_hints(**merge_hints(primary_key, columns))
    return resource


@functools.lru_cache(maxsize=1024)  # GA4 asks for its few column names on every row
def snake_case(name: str) -> str:
    """``countsTowardsTrustScore`` -> ``counts_towards_trust_score`` (a column name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def add_unknown_fields(
    row: dict[str, Any],
    raw: Mapping[str, Any],
    known: AbstractSet[str],
    protect: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Carry the API's top-level fields this source does not know yet as text columns.

    The schema contract lets tables gain columns: a field the API adds tomorrow is loaded
    (as its JSON text, under its snake_case name) instead of silently dropped, and shows up
    in the raw table for the staging model to adopt. Where a new field could hold personal
    data (visit logs), ``protect`` (the keyed hash) is applied to its value, so the column
    appears but no unreviewed value lands in clear.
    """
    if raw.keys() <= known:  # the usual record: no new field, checked without a copy
        return row
    for key in raw.keys() - known:
        name = snake_case(str(key))
        if name not in row:
            value = raw[key]
            text = value if value is None or isinstance(value, str) else json.dumps(value)
            row[name] = protect(text) if protect is not None and text is not None else text
    return row


def arrow_table_with_extras(columns: Columns, rows: list[dict[str, Any]]) -> pa.Table:
    """``arrow_table`` plus, as text, any undeclared keys the rows carry (new API fields)."""
    extras = sorted({k for r in rows for k in r} - set(columns))
    fields = arrow_fields(columns) + [pa.field(name, pa.string()) for name in extras]
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))
