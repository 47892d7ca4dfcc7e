"""Schema drift: a field the vendor renamed or removed shows as a warning, not as silent NULLs.

A source maps each vendor field to a column and loads NULL when a field is absent (most are
optional), so a field renamed or removed upstream would make its column NULL from that day on
with no error anywhere. One asset check per raw table (WARN severity, not blocking; one step
per source) compares the newest load with the loads before it:

- **the newest load** is the rows fetched on the newest fetch day (the UTC date of
  ``fetched_at``, the vendor's ``Date`` header, which every raw table carries; the Arrow-loaded
  tables have no ``_dlt_load_id``), **the earlier loads** the rows fetched before that day that
  are still in the table;
- **the rule**: a column that had values in the earlier loads (a share ``p`` of their rows) and
  is NULL in every one of the ``n`` rows of the newest load *went NULL* when so many NULLs by
  chance are unlikely: ``(1 - p) ** n < CHANCE``. A column always filled before goes NULL in a
  single row; a sparse one (replies, edits) only over enough rows. The check then fails and
  names the table and the columns.

A renamed field also appears under its new name where the source keeps unknown fields as text
columns (LinkedIn, Business Profile, Trustpilot, Matomo): columns with values in the newest load
only are listed too (a rename is the pair). A field whose *type* changed is not drift here: the
row builders quarantine the record with a reason naming the field (``ingestion.quarantine``).
A change during a day shows the next day at the latest, when the whole newest day lacks it;
a day that only re-lists old records (a backfill) may warn on a field the vendor omits for them.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from ingestion.catalogue import SOURCES, Source
from orchestration.defs.ingestion import CHILD_TABLES, SOURCE_ASSETS
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL

CHANCE = 0.001
"""How unlikely the newest load's NULLs must be, given the earlier share of values, to fail."""
FETCHED = "fetched_at"
NOT_CHECKED = frozenset({FETCHED, "_dlt_load_id", "_dlt_id"})
CHECK = "schema_drift"
SKIPPED_TABLES = frozenset({"quarantine", "reported_totals"})
"""Bookkeeping tables the sources write beside the vendor's records (no ``fetched_at``)."""


@dataclass(frozen=True)
class Fill:
    """How many rows of the earlier and of the newest load hold a value in one column."""

    column: str
    earlier_rows: int
    earlier_filled: int
    newest_rows: int
    newest_filled: int

    @property
    def earlier_share(self) -> float:
        return self.earlier_filled / self.earlier_rows if self.earlier_rows else 0.0

    @property
    def went_null(self) -> bool:
        """Filled before, NULL in every newest row, and that unlikely by chance."""
        if self.newest_filled or not self.newest_rows or not self.earlier_filled:
            return False
        return (1.0 - self.earlier_share) ** self.newest_rows < CHANCE

    @property
    def appeared(self) -> bool:
        """Values in the newest load and never before (an unknown field's new column)."""
        return self.newest_filled > 0 and self.earlier_filled == 0 and self.earlier_rows > 0


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def fills(schema: str, table: str, con: duckdb.DuckDBPyConnection) -> list[Fill]:
    """Each column's values in the earlier loads and in the newest; empty when the table does
    not exist yet or has no fetch time."""
    columns = _columns(con, schema, table)
    if FETCHED not in columns:
        return []
    checked = [c for c in columns if c not in NOT_CHECKED]
    counts = ", ".join(f'count("{c}")' for c in checked)
    day = f"({FETCHED} at time zone 'UTC')::date"  # the UTC day, whatever the session zone
    rows = con.execute(
        f"select {day} = (select max({day}) from {schema}.{table}) as newest, count(*), "
        f"{counts} from {schema}.{table} where {FETCHED} is not null group by newest"
    ).fetchall()
    by_load = {bool(r[0]): r[1:] for r in rows}
    earlier, newest = by_load.get(False), by_load.get(True)
    if newest is None:
        return []
    earlier = earlier or (0,) * len(newest)
    return [
        Fill(c, earlier[0], earlier[i + 1], newest[0], newest[i + 1]) for i, c in enumerate(checked)
    ]


def result(schema: str, table: str, columns: list[Fill]) -> AssetCheckResult:
    """Failed (WARN) naming the columns that went NULL; passed otherwise. The columns that
    appeared are named in both cases (with the ones that went NULL: likely a rename)."""
    gone = [f for f in columns if f.went_null]
    new = [f.column for f in columns if f.appeared]
    relation = f"{schema}.{table}"
    newest_rows = columns[0].newest_rows if columns else 0
    earlier_rows = columns[0].earlier_rows if columns else 0
    if not columns:
        description = f"{relation}: nothing loaded yet"
    elif not earlier_rows:
        description = f"{relation}: first load, nothing earlier to compare with"
    elif gone:
        description = (
            f"{relation}: column(s) went NULL in the newest load ({newest_rows} rows): "
            + ", ".join(f"{f.column} (filled in {f.earlier_share:.0%} before)" for f in gone)
            + ". Was the vendor's field renamed or removed?"
        )
    else:
        description = f"{relation}: every column filled before still has values"
    if new:
        description += f"; new column(s) with values: {', '.join(new)}"
    return AssetCheckResult(
        asset_key=AssetKey([schema, table]),
        check_name=CHECK,
        passed=not gone,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "went_null": MetadataValue.json([f.column for f in gone]),
            "new_columns": MetadataValue.json(new),
            "newest_rows": newest_rows,
            "earlier_rows": earlier_rows,
            "fill": MetadataValue.json(_fill_table(columns)),
        },
    )


def _fill_table(columns: Iterable[Fill]) -> list[dict[str, Any]]:
    return [
        {"column": f.column, "earlier": round(f.earlier_share, 3), "newest": f.newest_filled}
        for f in columns
    ]


def source_drift_check(source: Source, keys: list[AssetKey]) -> AssetChecksDefinition:
    """The schema-drift checks of one source's raw tables, read-only, not blocking, in one
    step: a step per table would add a dozen steps (and their events) to every source run."""
    specs = [
        AssetCheckSpec(
            CHECK,
            asset=key,
            description=(
                f"Schema drift: no column of {key.path[-1]} filled in earlier loads is NULL "
                "throughout the newest load (a renamed or removed vendor field)."
            ),
            blocking=False,
        )
        for key in keys
    ]

    @multi_asset_check(
        name=f"schema_drift_{source.name}", specs=specs, pool=DUCKDB_POOL, can_subset=True
    )
    def _checks(
        context: AssetCheckExecutionContext, warehouse: Warehouse
    ) -> Iterator[AssetCheckResult]:
        selected = {c.asset_key for c in context.selected_asset_check_keys}
        chosen = [k for k in keys if k in selected]
        with (
            warehouse.slot(f"schema drift {source.name}", context.log.info),
            warehouse.connect() as con,  # one connection for the source's tables
        ):
            found = {key: fills(*key.path, con) for key in chosen}
        for key in chosen:
            yield result(*key.path, found[key])

    return _checks


def raw_tables() -> list[AssetKey]:
    """Every raw table holding vendor records: each source's tables and the child tables."""
    keys = [k for a in SOURCE_ASSETS.values() for k in a.keys] + [s.key for s in CHILD_TABLES]
    return sorted({k for k in keys if k.path[-1] not in SKIPPED_TABLES}, key=str)


def raw_tables_of(source: Source) -> list[AssetKey]:
    """The raw tables of one source (its dataset's), for the per-source checks."""
    return [k for k in RAW_TABLES if k.path[0] == source.dataset]


RAW_TABLES = raw_tables()
SCHEMA_DRIFT_BY_SOURCE = {s.name: source_drift_check(s, raw_tables_of(s)) for s in SOURCES}
SCHEMA_DRIFT_CHECKS = list(SCHEMA_DRIFT_BY_SOURCE.values())
