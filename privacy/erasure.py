"""Erasure (GDPR Art. 17): remove one person from every table and file that holds their data.

Given a platform and the person's user id (and optionally their display name or username,
which sources hash in columns of their own), the pseudonyms are computed as the source computes
them (``privacy.pseudonyms``). Then, in the warehouse:

- raw (both dlt datasets of the source): rows holding the id's pseudonym in a person column
  are deleted, and rows holding a name's pseudonym and no id (namesakes share a name, not an
  id), and the source's quarantine rows whose payload mentions the id's pseudonym;
- derived (intermediate, marts, restricted, enrichment): rows holding a pseudonym in a column
  named like one (``catalogue.DERIVED_PERSON_COLUMNS``) are deleted, and every row whose key
  (``catalogue.LINK_COLUMNS``) is the key of a deleted row: the comment's text in
  ``restricted``, its sentiment, its categories;
- the pseudonyms go on the erasure list (``privacy.erasure_list``) so ingestion drops them;
- one row of ``privacy.erasure_log`` records who, when, which tables, how many rows, and no
  personal data. A second erasure of the same person removes nothing and is logged as such.

Then the published copy gets the same derived erasure, both files are rewritten so the bytes
are gone (``privacy.compaction``), and the source's local dlt folders are removed
(``privacy.dlt_files``). Rows are deleted, not blanked: the person asked to be forgotten, and
the marts' counts are rebuilt from raw by the next dbt build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from privacy import compaction, dlt_files
from privacy.catalogue import datasets_of
from privacy.erasure_list import DDL as LIST_DDL
from privacy.erasure_list import SCHEMA, add_to_list
from privacy.tables import Located, derived_tables, in_list, raw_tables
from pulse_config.duckdb_resources import connect

LOG_TABLE = f"{SCHEMA}.erasure_log"
LOG_DDL = f"""
create table if not exists {LOG_TABLE} (
    erased_at timestamp with time zone not null,
    run_by varchar not null,
    platform varchar not null,
    outcome varchar not null,
    rows_removed bigint not null,
    tables varchar not null,
    files_removed varchar not null
);
"""


@dataclass
class Erasure:
    """What one erasure removed: rows per ``schema.table`` and dlt folders."""

    platform: str
    sources: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def outcome(self) -> str:
        """Rows decide: dlt folders are removed every time, as a load since may have
        written one (without the person: the erasure list filtered them)."""
        return "erased" if self.total else "nothing to erase"


def _temp_values(con: duckdb.DuckDBPyConnection, name: str, values: list[str]) -> None:
    con.execute(f"create or replace temp table {name} (value varchar)")
    if values:
        con.executemany(f"insert into {name} values (?)", [(v,) for v in values])


def _count_then_delete(con: duckdb.DuckDBPyConnection, table: str, where: str) -> int:
    count = con.execute(f"select count(*) from {table} where {where}").fetchone()[0]
    if count:
        con.execute(f"delete from {table} where {where}")
    return count


def _author_match(located: Located) -> str:
    """SQL: the row is the person's own. An id column holds their id pseudonym (temp
    ``erased``), or, in a row with no id at all, a name column their name's (``erased_names``:
    a namesake with an id of their own is someone else)."""
    entry = located.entry
    authors = located.present(entry.author_columns)
    ids = [c for c in authors if c not in entry.name_columns]
    names = [c for c in authors if c in entry.name_columns]
    tests = [in_list(c, "erased") for c in ids]
    if names:
        no_id = " and ".join(f'"{c}" is null' for c in ids) or "true"
        by_name = " or ".join(in_list(c, "erased_names") for c in names)
        tests.append(f"(({by_name}) and {no_id})")
    return " or ".join(tests)


def _expand(con: duckdb.DuckDBPyConnection, located: Located, where: str) -> None:
    """Add the other ids of the person's rows (``RawTable.expands``: a contact's e-mail, phone
    and web key) to temp ``erased``, and the rows' keys to temp ``erased_records``."""
    for column in located.present(located.entry.expands):
        con.execute(
            f'insert into erased select distinct "{column}" from {located.name} '
            f'where ({where}) and "{column}" is not null '
            f'and "{column}" not in (select value from erased)'
        )
    if located.entry.expands and located.entry.key_sql:
        con.execute(
            f"insert into erased_records select {located.entry.key_sql} "
            f"from {located.name} where {where}"
        )


def erase_raw(con: duckdb.DuckDBPyConnection, source: str, erasure: Erasure) -> None:
    """Delete the person's raw rows, keeping their keys in temp ``erased_keys``; rows linking
    to them (``RawTable.refers_to``) go too."""
    for located in raw_tables(con, (source,)):
        entry = located.entry
        count = _blank_references(con, located)
        if located.present(entry.author_columns):
            where = _author_match(located)  # reads temp erased: after _expand, its ids too
            _expand(con, located, where)
            if entry.key_sql:
                con.execute(
                    f"insert into erased_keys select {entry.key_sql} "
                    f"from {located.name} where {where}"
                )
        elif entry.refers_to and entry.key_sql:
            where = f"{entry.refers_to} in (select value from erased_records)"
            con.execute(
                f"insert into erased_keys select {entry.key_sql} from {located.name} where {where}"
            )
        elif "payload" in located.columns:
            where = "exists (select 1 from erased where payload like '%' || value || '%')"
        else:
            where = "false"
        count += _count_then_delete(con, located.name, where)
        erasure.rows[located.label] = count


def _blank_references(con: duckdb.DuckDBPyConnection, located: Located) -> int:
    """In rows that only refer to the person (a reply to them), blank the reference and the
    row's text (a reply to someone names them); the row, someone else's, stays."""
    entry = located.entry
    referring = [c for c in located.present(entry.person_columns) if c not in entry.author_columns]
    count = 0
    for column in referring:
        where = in_list(column, "erased")
        found = con.execute(f"select count(*) from {located.name} where {where}").fetchone()[0]
        if found:
            blank = ", ".join(
                f'"{c}" = null' for c in (column, *located.present(entry.text_columns))
            )
            con.execute(f"update {located.name} set {blank} where {where}")
        count += found
    return count


def erase_derived(con: duckdb.DuckDBPyConnection, erasure: Erasure) -> None:
    """Delete derived rows holding an id pseudonym of temp ``erased`` or a key of temp
    ``erased_keys`` (the rows found by name in raw bring their keys)."""
    tables = derived_tables(con)
    for derived in tables:  # keys first: a text row has no pseudonym, only its item's key
        if derived.person and derived.links:
            who = " or ".join(in_list(c, "erased") for c in derived.person)
            for link in derived.links:
                con.execute(
                    f'insert into erased_keys select "{link}" from {derived.name} '
                    f'where ({who}) and "{link}" is not null'
                )
    for derived in tables:
        tests = [in_list(c, "erased") for c in derived.person]
        tests += [in_list(c, "erased_keys") for c in derived.links]
        if tests:
            erasure.rows[derived.label] = _count_then_delete(con, derived.name, " or ".join(tests))


def log(con: duckdb.DuckDBPyConnection, erasure: Erasure, run_by: str) -> None:
    """One audit row: who, when, what (tables and counts), never whom."""
    con.execute(LOG_DDL)
    con.execute(
        f"insert into {LOG_TABLE} values (now(), ?, ?, ?, ?, ?, ?)",
        [
            run_by,
            erasure.platform,
            erasure.outcome,
            erasure.total,
            json.dumps({k: v for k, v in sorted(erasure.rows.items()) if v}),
            json.dumps(erasure.files),
        ],
    )


def _values(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [v for (v,) in con.execute(f"select distinct value from {table}").fetchall()]


def erase_in_warehouse(
    warehouse: Path, erasure: Erasure, ids: list[str], names: list[str]
) -> tuple[list[str], list[str]]:
    """Raw erasure in each of the platform's sources (in order: the ids found on the person's
    rows in one join the next), derived erasure and the erasure list, in one transaction, then
    checkpoint; returns (every id pseudonym erased, the keys of the rows erased), for the
    published copy."""
    with connect(warehouse) as con:
        con.execute("begin")
        _temp_values(con, "erased", ids)
        _temp_values(con, "erased_names", names)
        _temp_values(con, "erased_keys", [])
        _temp_values(con, "erased_records", [])
        for source in erasure.sources:
            erase_raw(con, source, erasure)
        erase_derived(con, erasure)
        con.execute(LIST_DDL)
        all_ids, records = _values(con, "erased"), _values(con, "erased_records")
        for source in erasure.sources:
            add_to_list(con, source, all_ids, kind="id")
            add_to_list(con, source, names, kind="name")
            add_to_list(con, source, records, kind="record")
        con.execute("commit")
        keys = _values(con, "erased_keys")
        compaction.checkpoint(con)
    return all_ids, keys


def erase_in_published(published: Path, ids: list[str], keys: list[str], erasure: Erasure) -> None:
    """The derived erasure on the published copy of the marts, then its rewrite."""
    if not Path(published).exists():
        return
    found = Erasure(erasure.platform, erasure.sources)

    def edit(con: duckdb.DuckDBPyConnection) -> bool:
        _temp_values(con, "erased", ids)
        _temp_values(con, "erased_keys", keys)
        erase_derived(con, found)
        return found.total > 0

    compaction.edit_copy(published, edit)  # BI tools may hold the copy open: replaced whole
    erasure.rows.update({f"published.{k}": v for k, v in found.rows.items()})


def erase_person(
    files: tuple[Path, Path, Path],
    platform: str,
    sources: tuple[str, ...],
    pseudonyms: tuple[list[str], list[str]],
    run_by: str,
) -> Erasure:
    """Erase the person everywhere (the caller holds the writer slot): ``files`` are the
    warehouse, its published copy and dlt's pipelines folder; ``sources`` the platform's
    (``Platform.sources``); ``pseudonyms`` (ids, names) from
    ``privacy.pseudonyms.person_pseudonyms``. Returns what went."""
    warehouse, published, pipelines_dir = files
    ids, names = pseudonyms
    erasure = Erasure(platform, sources)
    all_ids, keys = erase_in_warehouse(warehouse, erasure, ids, names)
    erase_in_published(published, all_ids, keys, erasure)
    datasets = tuple(d for source in sources for d in datasets_of(source))
    erasure.files = dlt_files.remove_pipelines(pipelines_dir, datasets)
    with connect(warehouse) as con:
        log(con, erasure, run_by)
    compaction.rewrite(warehouse)
    return erasure
