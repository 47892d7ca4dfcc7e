"""Shared by the suite tests: mutations of a good mart frame, one bad row per case (each
returns a new frame, so the good one stays good for the next case), and the loader that
writes frames as typed mart tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

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
