"""Retention: people's free text and pseudonyms older than the configured months are removed.

One setting, ``PULSE_RETENTION_MONTHS`` (default 13: a year and the month before it, so a
year-on-year comparison of the last month still finds its counts). On every daily run:

- raw (both dlt datasets): rows dated (``RawTable.dated_by``) before the horizon keep their
  row, with the person and text columns (and any column the source does not declare: a new
  API field, stored keyed but unreviewed) set to NULL: a comment still counts in a post's
  comments, a review keeps its rating and dates, a visit its session; nobody can be found in
  it and nothing they wrote is left. Quarantine rows older than the horizon are deleted (they
  feed no count);
- derived tables: the same columns set to NULL in rows whose key (``LINK_COLUMNS``) is the key
  of an expired raw row, and any pseudonym no raw row holds any more (a visitor whose every
  visit expired) set to NULL wherever it is left;
- the published copy: the same derived pass; dlt's loaded packages older than the horizon are
  deleted; then each file where something changed is rewritten, so the bytes are gone
  (``privacy.compaction``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from privacy import compaction, dlt_files
from privacy.tables import derived_tables, in_list, raw_tables
from pulse_config.duckdb_resources import connect

MONTHS_ENV = "PULSE_RETENTION_MONTHS"
DEFAULT_MONTHS = 13


class BadRetention(ValueError):
    """The retention setting is not a positive whole number of months."""


def retention_months(environ: dict[str, str] | None = None) -> int:
    """``PULSE_RETENTION_MONTHS`` (default 13), a whole number of months of at least 1."""
    raw = (os.environ if environ is None else environ).get(MONTHS_ENV, "").strip()
    if not raw:
        return DEFAULT_MONTHS
    if not raw.isdigit() or int(raw) < 1:
        raise BadRetention(f"{MONTHS_ENV}={raw!r}: a whole number of months, at least 1")
    return int(raw)


def horizon(now: datetime, months: int) -> datetime:
    """``now`` minus ``months`` calendar months (the day clamped to the month's last)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    next_first = datetime(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - datetime(year, month, 1)).days
    return now.replace(year=year, month=month, day=min(now.day, last_day))


@dataclass
class Retention:
    """Rows blanked or deleted per ``schema.table``, and loaded dlt packages removed."""

    horizon: datetime
    rows: dict[str, int] = field(default_factory=dict)
    packages: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _blank(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], where: str) -> int:
    """Set ``columns`` to NULL where ``where`` and one of them is set; rows changed."""
    held = " or ".join(f'"{c}" is not null' for c in columns)
    condition = f"({where}) and ({held})"
    count = con.execute(f"select count(*) from {table} where {condition}").fetchone()[0]
    if count:
        values = ", ".join(f'"{c}" = null' for c in columns)
        con.execute(f"update {table} set {values} where {condition}")
    return count


def _old(entry_dated_by: str, cutoff: datetime) -> str:
    return f"\"{entry_dated_by}\" < timestamptz '{cutoff.isoformat()}'"


def expire_raw(con: duckdb.DuckDBPyConnection, cutoff: datetime, report: Retention) -> None:
    """Blank (or delete) raw rows dated before ``cutoff``. Their keys go to temp
    ``expired_keys``, their pseudonyms to temp ``expired_people``."""
    for name in ("expired_keys", "expired_people"):
        con.execute(f"create or replace temp table {name} (value varchar)")
    for located in raw_tables(con):
        entry = located.entry
        if entry.dated_by not in located.columns:
            continue
        old = _old(entry.dated_by, cutoff)
        if entry.retention == "delete":
            count = con.execute(f"select count(*) from {located.name} where {old}").fetchone()
            con.execute(f"delete from {located.name} where {old}")
            report.rows[located.label] = count[0]
            continue
        columns = located.present(entry.personal_columns) + located.unreviewed
        held = " or ".join(f'"{c}" is not null' for c in columns) or "false"
        if entry.key_sql:  # rows blanked on an earlier day were rebuilt blank downstream
            con.execute(
                f"insert into expired_keys select {entry.key_sql} from {located.name} "
                f"where {old} and ({held})"
            )
        for column in located.present(entry.person_columns):
            con.execute(
                f'insert into expired_people select distinct "{column}" from {located.name} '
                f'where {old} and "{column}" is not null'
            )
        if columns:
            report.rows[located.label] = _blank(con, located.name, columns, old)


def gone_pseudonyms(con: duckdb.DuckDBPyConnection) -> None:
    """Temp ``gone``: pseudonyms of expired rows that no raw row holds any more (a visitor
    whose every visit expired), after ``expire_raw``."""
    live = []
    for located in raw_tables(con):
        for column in located.present(located.entry.person_columns):
            live.append(
                f'select "{column}" as value from {located.name} where "{column}" is not null'
            )
    held = " union ".join(live) if live else "select null::varchar as value where false"
    con.execute(
        "create or replace temp table gone as select distinct value from expired_people "
        f"except select value from ({held})"
    )


def expire_derived(con: duckdb.DuckDBPyConnection, report: Retention, prefix: str = "") -> None:
    """Blank person and text columns of derived rows of expired keys (temp ``expired_keys``)
    and the pseudonyms of temp ``gone`` wherever they are left."""
    for derived in derived_tables(con):
        columns = derived.person + derived.text
        if not columns:
            continue
        count = 0
        if derived.links:
            where = " or ".join(in_list(c, "expired_keys") for c in derived.links)
            count += _blank(con, derived.name, columns, where)
        for column in derived.person:
            count += _blank(con, derived.name, (column,), in_list(column, "gone"))
        report.rows[prefix + derived.label] = count


def apply_retention(
    warehouse: Path,
    published: Path,
    pipelines_dir: Path,
    months: int,
    now: datetime | None = None,
) -> Retention:
    """Retention on the warehouse, the published copy and dlt's files (the caller holds the
    writer slot); a file where something was blanked is then rewritten."""
    cutoff = horizon(now or datetime.now(UTC), months)
    report = Retention(cutoff)
    with connect(warehouse) as con:
        con.execute("begin")
        expire_raw(con, cutoff, report)
        gone_pseudonyms(con)
        expire_derived(con, report)
        con.execute("commit")
        keys = [v for (v,) in con.execute("select value from expired_keys").fetchall()]
        gone = [v for (v,) in con.execute("select value from gone").fetchall()]
        compaction.checkpoint(con)
    if report.total:  # nothing blanked: no deleted bytes to clear
        compaction.rewrite(warehouse)
    if Path(published).exists():
        expire_published(Path(published), keys, gone, report)
    report.packages = dlt_files.remove_loaded_before(pipelines_dir, cutoff)
    return report


def expire_published(published: Path, keys: list[str], gone: list[str], report: Retention) -> None:
    """The derived pass on the published copy, with the warehouse's expired keys and gone
    pseudonyms; the file is rewritten and replaced whole if anything changed."""
    before = report.total

    def edit(con: duckdb.DuckDBPyConnection) -> bool:
        for name, values in (("expired_keys", keys), ("gone", gone)):
            con.execute(
                f"create or replace temp table {name} as "
                "select unnest(cast(? as varchar[])) as value",
                [values],
            )
        expire_derived(con, report, prefix="published.")
        return report.total > before

    compaction.edit_copy(published, edit)  # BI tools may hold the copy open: replaced whole
