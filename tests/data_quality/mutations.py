"""Mutations of a good mart frame, one bad row per case, shared by the suite tests: each
returns a new frame, so the good one stays good for the next case."""

from __future__ import annotations

from collections.abc import Callable

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
