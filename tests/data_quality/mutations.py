"""Shared by the suite tests: mutations of a good mart frame, one bad row per case (each
returns a new frame, so the good one stays good for the next case), and the loader that
writes frames as typed mart tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from data_quality.runner import SuiteResult, validate_table
from data_quality.spec import Suite

Mutation = Callable[[pd.DataFrame], pd.DataFrame]


def set_row(row: int, **values: object) -> Mutation:
    """Set columns of one row (by position)."""

    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.astype(object)
        for column, value in values.items():
            df.at[df.index[row], column] = value
        return df

    return mutate


def set_where(query: str, **values: object) -> Mutation:
    """Set columns of the rows ``query`` selects (at least one)."""

    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.astype(object)
        rows = df.query(query).index
        assert len(rows), query
        for column, value in values.items():
            df.loc[rows, column] = value
        return df

    return mutate


def load_tables(path: Path, tables: dict[str, pd.DataFrame], types: dict[str, str]) -> None:
    """Write each frame as its relation with the marts' column types (``types``; text unless
    typed), so a suite reads what DuckDB would hold."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        for relation, df in tables.items():
            casts = ", ".join(
                f'cast("{c}" as {types.get(c, "varchar")}) as "{c}"' for c in df.columns
            )
            con.register("frame", df.astype(object).where(df.notna(), None))
            con.execute(f"create or replace table {relation} as select {casts} from frame")
            con.unregister("frame")
    finally:
        con.close()


def run_suite(
    tmp_path: Path,
    suite: Suite,
    df: pd.DataFrame,
    frames: dict[str, Callable[[], pd.DataFrame]],
    load: Callable[[Path, dict[str, pd.DataFrame]], None],
    chunk_rows: int = 1000,
) -> SuiteResult:
    """Validate ``suite`` on ``df`` as its relation, beside the good ``frames`` of the other
    relations it reads (``load`` writes them with their types)."""
    path = tmp_path / "warehouse.duckdb"
    tables = {relation: build() for relation, build in frames.items()}
    tables[suite.relation] = df
    load(path, tables)
    return validate_table(
        suite, lambda: duckdb.connect(str(path), read_only=True), chunk_rows=chunk_rows
    )


def suite_cases(
    cases_by_suite: list[tuple[Suite, list[tuple[Mutation, str]]]],
) -> list[tuple[Suite, Mutation, str]]:
    """(suite, mutation, expected failure) for every case of every suite, in order."""
    return [
        (suite, mutate, expected) for suite, cases in cases_by_suite for mutate, expected in cases
    ]


def assert_fails_with(result: SuiteResult, expected: str) -> None:
    """The suite failed, on an expectation whose label holds ``expected``, each failure with
    at least one unexpected row."""
    assert not result.success
    failed = [o.label for o in result.failed]
    assert any(expected in label for label in failed), failed
    assert all(o.unexpected_count >= 1 for o in result.failed), result.summary()
