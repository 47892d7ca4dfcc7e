"""What a data-quality suite is: a SQL projection of one table and the GX expectations on it.

Suites are plain data so they can be read, listed in Dagster and tested without importing
Great Expectations (whose import alone takes about six seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NOW = "$now"
"""Placeholder for the validation time, resolved by the runner (e.g. "no dates in the future")."""


@dataclass(frozen=True)
class Expect:
    """One GX expectation: its class name in ``great_expectations.expectations`` and kwargs.

    ``scope="row"`` expectations hold row by row, so the runner streams the table in chunks;
    ``scope="table"`` ones (uniqueness) need every row of their columns at once, so the runner
    reads only those columns.
    """

    type: str
    kwargs: dict[str, Any]
    scope: Literal["row", "table"] = "row"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns this expectation reads."""
        if "column" in self.kwargs:
            return (self.kwargs["column"],)
        return tuple(self.kwargs.get("column_list", ()))

    @property
    def label(self) -> str:
        """A short name for reports: ``ExpectColumnValuesToBeUnique(post_id)``."""
        return f"{self.type}({', '.join(self.columns)})"


@dataclass(frozen=True)
class Suite:
    """A named suite over ``relation``; ``select`` may add derived columns to expect on."""

    name: str
    relation: str
    expectations: tuple[Expect, ...]
    select: str = "*"
    description: str = ""
    blocking: bool = False
    key_columns: tuple[str, ...] = field(default_factory=tuple)

    def sql(self) -> str:
        """The projection the expectations run on."""
        return f"select {self.select} from {self.relation}"


def not_null(*columns: str) -> list[Expect]:
    """Not-null expectations, one per column."""
    return [Expect("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def unique(column: str) -> Expect:
    """Uniqueness of one column, over the whole table."""
    return Expect("ExpectColumnValuesToBeUnique", {"column": column}, scope="table")


def unique_together(*columns: str) -> Expect:
    """Uniqueness of a combination of columns, over the whole table."""
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, scope="table")


def between(column: str, min_value: Any = None, max_value: Any = None) -> Expect:
    """Values within bounds (NULLs are not counted as failures)."""
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": min_value, "max_value": max_value},
    )


def is_null(column: str) -> Expect:
    """Every value is NULL: used on derived columns that flag a broken invariant."""
    return Expect("ExpectColumnValuesToBeNull", {"column": column})


def not_in_future(column: str) -> Expect:
    """No timestamp after the time of validation."""
    return between(column, max_value=NOW)
