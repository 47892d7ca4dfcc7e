"""What a data-quality suite is: a SQL projection of one table and the GX expectations on it.

Suites are plain data so they can be read, listed in Dagster and tested without importing
Great Expectations (whose import alone takes about six seconds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Now:
    """Placeholder for the validation time, resolved by the runner ("no dates in the future").

    ``grace_days`` widens the bound for calendar dates that may be local dates of brands east
    of UTC, which run up to 14 hours ahead of the UTC clock the runner reads.
    """

    grace_days: int = 0


NOW = Now()


@dataclass(frozen=True)
class Expect:
    """One GX expectation: its class name in ``great_expectations.expectations`` and kwargs.

    ``scope="row"`` expectations hold row by row, so the runner streams the table in chunks;
    ``scope="table"`` ones (uniqueness) need every row of their columns at once, so the runner
    lets DuckDB find the rows whose key repeats and hands GX only those.
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


Severity = Literal["error", "warn"]


@dataclass(frozen=True)
class Suite:
    """A named suite over ``relation``; ``select`` may add derived columns to expect on, and
    ``joins`` bring in what they are checked against (one join, not a subquery per row).

    ``blocking`` suites fail with ERROR severity and stop the assets downstream of their table;
    the others report with ``severity`` and let the run go on.
    """

    name: str
    relation: str
    expectations: tuple[Expect, ...]
    select: str = "*"
    description: str = ""
    blocking: bool = False
    severity: Severity = "error"
    key_columns: tuple[str, ...] = field(default_factory=tuple)
    joins: str = ""

    def __post_init__(self) -> None:
        # Results are matched back to expectations by label: two alike would merge silently.
        labels = [e.label for e in self.expectations]
        duplicated = sorted({label for label in labels if labels.count(label) > 1})
        if duplicated:
            raise ValueError(f"suite {self.name}: expectations repeated: {duplicated}")
        if self.blocking and self.severity != "error":
            raise ValueError(f"suite {self.name}: Dagster blocks only on ERROR severity")

    def sql(self) -> str:
        """The projection the expectations run on."""
        return f"select {self.select} from {self.relation} {self.joins}".rstrip()


def not_null(*columns: str) -> list[Expect]:
    """Not-null expectations, one per column."""
    return [Expect("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def unique(column: str) -> Expect:
    """Uniqueness of one column, over the whole table."""
    return Expect("ExpectColumnValuesToBeUnique", {"column": column}, scope="table")


def unique_together(*columns: str) -> Expect:
    """Uniqueness of a combination of columns (a compound key), over the whole table."""
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, scope="table")


def between(column: str, min_value: Any = None, max_value: Any = None) -> Expect:
    """Values within bounds (NULLs are not counted as failures)."""
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": min_value, "max_value": max_value},
    )


def in_set(column: str, values: Iterable[str]) -> Expect:
    """Values from a closed vocabulary (NULLs are not counted as failures)."""
    return Expect("ExpectColumnValuesToBeInSet", {"column": column, "value_set": sorted(values)})


def is_null(column: str) -> Expect:
    """Every value is NULL: used on derived columns that flag a broken invariant."""
    return Expect("ExpectColumnValuesToBeNull", {"column": column})


def not_in_future(column: str, grace_days: int = 0) -> Expect:
    """No timestamp (or date) after the time of validation, plus ``grace_days``."""
    return between(column, max_value=Now(grace_days) if grace_days else NOW)


@dataclass(frozen=True)
class Violation:
    """A row invariant no single-column expectation states, written in SQL.

    The projection derives ``name``: NULL on rows that hold, and on each row where
    ``broken_when`` is true the text of ``show`` (the row's key, or the offending values), so
    GX's unexpected examples point at the rows to fix. ``broken_when`` must be NULL-safe: a
    condition that evaluates to NULL counts as holding.
    """

    name: str
    broken_when: str
    show: str

    @property
    def column_sql(self) -> str:
        shown = f"coalesce(cast(({self.show}) as varchar), 'NULL')"
        return f"case when {self.broken_when} then {shown} end as {self.name}"

    @property
    def expectation(self) -> Expect:
        return is_null(self.name)


def with_violations(violations: Iterable[Violation], base: str = "*") -> str:
    """A ``select`` list: ``base`` plus one derived column per violation."""
    return ",\n    ".join([base, *(v.column_sql for v in violations)])
