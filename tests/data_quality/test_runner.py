"""The runner's own guarantees: uniqueness found by DuckDB still fails in GX however many
duplicates there are, "not in the future" works on DATE columns with a grace, and a suite
cannot hold two expectations whose results would merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from data_quality.runner import validate_table
from data_quality.spec import Suite, not_in_future, unique, unique_together


def _table(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.t as {sql}")
    finally:
        con.close()


def _validate(path: Path, suite: Suite, chunk_rows: int):
    return validate_table(suite, lambda: duckdb.connect(str(path), read_only=True), chunk_rows)


def test_more_duplicates_than_a_chunk_still_fail(tmp_path: Path) -> None:
    """Five keys each twice and one once: GX is handed at most two rows (the cap), all of one
    repeated key, and the outcome still reports against the whole table."""
    path = tmp_path / "w.duckdb"
    _table(path, "select k % 5 as k, k % 2 as part from range(10) r(k) union all select 99, 0")
    suite = Suite("t", "marts.t", (unique("k"), unique_together("k", "part")))
    result = _validate(path, suite, chunk_rows=2)
    by_label = {o.label: o for o in result.outcomes}
    single = by_label["ExpectColumnValuesToBeUnique(k)"]
    assert not single.success and single.unexpected_count == 2 and single.element_count == 11
    assert set(single.sample) == {0}
    # (k, part) is unique: k % 5 and k % 2 together identify k below 10.
    assert by_label["ExpectCompoundColumnsToBeUnique(k, part)"].success
    assert result.rows == 11


@pytest.mark.parametrize(
    "days_ahead,grace,passes",
    [(0, 0, True), (1, 0, False), (1, 1, True), (2, 1, False)],
)
def test_not_in_future_on_a_date_column(
    tmp_path: Path, days_ahead: int, grace: int, passes: bool
) -> None:
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).date()
    path = tmp_path / "w.duckdb"
    _table(path, f"select date '2026-01-05' as d union all select date '{day.isoformat()}'")
    suite = Suite("t", "marts.t", (not_in_future("d", grace_days=grace),))
    result = _validate(path, suite, chunk_rows=1000)
    assert result.success is passes, result.summary()


def test_a_suite_refuses_expectations_that_would_merge() -> None:
    with pytest.raises(ValueError, match="repeated"):
        Suite("t", "marts.t", (unique("k"), unique("k")))


def test_a_blocking_suite_must_fail_with_error_severity() -> None:
    with pytest.raises(ValueError, match="ERROR"):
        Suite("t", "marts.t", (unique("k"),), blocking=True, severity="warn")
