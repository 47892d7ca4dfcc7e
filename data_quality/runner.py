"""Run a suite with Great Expectations over a DuckDB table, in bounded memory.

GX 1.x has no DuckDB SQL dialect and its SQLAlchemy path over duckdb-engine returns no rows, so
we validate through GX's pandas datasource. To scale to large marts the table is never loaded
whole: row-level expectations run chunk by chunk over an Arrow record-batch stream, and
table-level ones (uniqueness) read only the columns they need.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from data_quality.spec import NOW, Expect, Suite

DEFAULT_CHUNK_ROWS = 250_000


@dataclass
class ExpectationOutcome:
    """The outcome of one expectation, summed over every chunk it ran on."""

    label: str
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    sample: list[Any] = field(default_factory=list)


@dataclass
class SuiteResult:
    """What a suite found: overall success, rows seen, and one outcome per expectation."""

    suite: str
    relation: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def summary(self) -> str:
        """One line per failure, naming the expectation, how many rows broke it, and examples."""
        if self.success:
            return f"{self.suite}: {len(self.outcomes)} expectations passed on {self.rows} rows"
        lines = [f"{self.suite}: {len(self.failed)} of {len(self.outcomes)} expectations failed"]
        for o in self.failed:
            lines.append(
                f"  {o.label}: {o.unexpected_count} of {o.element_count} rows, e.g. {o.sample[:5]}"
            )
        return "\n".join(lines)


class _Validator:
    """One ephemeral GX context with a single pandas batch definition, reused across chunks."""

    def __init__(self, name: str) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx  # lazy: the import alone takes seconds
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self._context.data_sources.add_pandas(f"{name}_source")
        asset = source.add_dataframe_asset(f"{name}_frame")
        self._batch_definition = asset.add_batch_definition_whole_dataframe(f"{name}_batch")

    def validate(self, df: pd.DataFrame, expectations: list[Expect]) -> list[Any]:
        """Validate ``df`` against ``expectations``; GX results in the same order."""
        import great_expectations.expectations as gxe

        configs = [getattr(gxe, e.type)(**_resolve(e.kwargs, df)) for e in expectations]
        suite = self._gx.ExpectationSuite(name="chunk", expectations=configs)
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format="SUMMARY")
        # GX does not keep the suite's order: match results back by type and columns.
        by_key = {
            _key(r.expectation_config.type, r.expectation_config.kwargs): r for r in result.results
        }
        return [by_key[_key(_snake(e.type), e.kwargs)] for e in expectations]


def _snake(class_name: str) -> str:
    """``ExpectColumnValuesToBeUnique`` -> ``expect_column_values_to_be_unique`` (GX's type)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in class_name).lstrip("_")


def _key(expectation_type: str, kwargs: dict[str, Any]) -> tuple[str, str]:
    columns = kwargs.get("column") or ",".join(kwargs.get("column_list") or ())
    return expectation_type, str(columns)


def _resolve(kwargs: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """Replace the NOW placeholder with the validation time, matching the column's timezone."""
    resolved = dict(kwargs)
    for key, value in kwargs.items():
        if value == NOW:
            now = pd.Timestamp(datetime.now(UTC))
            dtype = df[kwargs["column"]].dtype
            if getattr(dtype, "tz", None) is None:
                now = now.tz_localize(None)
            resolved[key] = now
    return resolved


def _merge(outcome: ExpectationOutcome, gx_result: Any) -> None:
    """Add one chunk's GX result into the running outcome."""
    res = gx_result.result or {}
    outcome.success = outcome.success and bool(gx_result.success)
    outcome.element_count += int(res.get("element_count") or 0)
    outcome.unexpected_count += int(res.get("unexpected_count") or 0)
    if len(outcome.sample) < 10:
        outcome.sample.extend(list(res.get("partial_unexpected_list") or [])[:10])
    if gx_result.exception_info and gx_result.exception_info.get("raised_exception"):
        outcome.success = False
        outcome.sample.append(gx_result.exception_info.get("exception_message"))


def _chunks(con: duckdb.DuckDBPyConnection, sql: str, rows: int) -> Iterator[pd.DataFrame]:
    reader = con.sql(sql).to_arrow_reader(rows)
    for batch in reader:
        yield batch.to_pandas()


def validate_frame(suite: Suite, df: pd.DataFrame) -> SuiteResult:
    """Validate an in-memory DataFrame (the projection of ``suite``) in one batch."""
    validator = _Validator(suite.name)
    outcomes = [ExpectationOutcome(e.label) for e in suite.expectations]
    for outcome, result in zip(
        outcomes, validator.validate(df, list(suite.expectations)), strict=True
    ):
        _merge(outcome, result)
    return SuiteResult(suite.name, suite.relation, len(df), outcomes)


def validate_table(
    suite: Suite,
    connect: Callable[[], duckdb.DuckDBPyConnection],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SuiteResult:
    """Validate ``suite.relation`` in the warehouse that ``connect`` opens.

    Row-level expectations see the table in chunks of ``chunk_rows``; table-level ones see all
    rows of just their own columns. Peak memory is one chunk plus the key columns.
    """
    validator = _Validator(suite.name)
    row_level = [e for e in suite.expectations if e.scope == "row"]
    table_level = [e for e in suite.expectations if e.scope == "table"]
    outcomes = {e.label: ExpectationOutcome(e.label) for e in suite.expectations}
    con = connect()
    try:
        rows = 0
        if row_level:
            for chunk in _chunks(con, suite.sql(), chunk_rows):
                rows += len(chunk)
                for e, r in zip(row_level, validator.validate(chunk, row_level), strict=True):
                    _merge(outcomes[e.label], r)
        for e in table_level:
            cols = ", ".join(f'"{c}"' for c in e.columns)
            df = con.execute(f"select {cols} from ({suite.sql()}) as projection").df()
            rows = max(rows, len(df))
            (r,) = validator.validate(df, [e])
            _merge(outcomes[e.label], r)
    finally:
        con.close()
    return SuiteResult(suite.name, suite.relation, rows, list(outcomes.values()))
