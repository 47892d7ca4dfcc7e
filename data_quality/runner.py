"""Run a suite with Great Expectations over a DuckDB table, in bounded memory.

GX 1.x has no DuckDB SQL dialect and its SQLAlchemy path over duckdb-engine returns no rows, so
we validate through GX's pandas datasource. To scale to large marts the table is never loaded
whole: row-level expectations run chunk by chunk over an Arrow record-batch stream, and for
table-level ones (uniqueness) DuckDB groups the key columns and hands GX only the rows whose
key repeats, so a healthy table costs GX nothing and memory never holds every key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from data_quality.spec import Expect, Now, Suite

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
    """Replace a ``Now`` placeholder with the validation time (plus its grace), typed like the
    column: a timestamp with or without time zone, or a ``date`` for DATE columns."""
    resolved = dict(kwargs)
    for key, value in kwargs.items():
        if isinstance(value, Now):
            column = df[kwargs["column"]]
            now = pd.Timestamp(datetime.now(UTC)) + timedelta(days=value.grace_days)
            if getattr(column.dtype, "tz", None) is None:
                now = now.tz_localize(None)
            first = column.dropna().head(1).tolist()
            is_date = bool(first) and type(first[0]) is date
            resolved[key] = now.date() if is_date else now
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


def _duplicated_rows_sql(suite: Suite, columns: tuple[str, ...], limit: int) -> str:
    """The rows whose ``columns`` repeat, found by DuckDB (which spills to disk if it must).

    Ordered by key so that, capped at ``limit`` (at least 2), the first duplicated key keeps
    two rows at least and GX still sees it repeat.
    NULL keys group together as in GX, which then ignores them (not-null checks catch those).
    """
    cols = ", ".join(f'"{c}"' for c in columns)
    same_key = " and ".join(f'p."{c}" is not distinct from d."{c}"' for c in columns)
    return f"""
        with projection as (select {cols} from ({suite.sql()}) as s),
        duplicated as (select {cols} from projection group by all having count(*) > 1)
        select p.* from projection as p semi join duplicated as d on {same_key}
        order by {cols} limit {max(limit, 2)}
    """


def validate_table(
    suite: Suite,
    connect: Callable[[], duckdb.DuckDBPyConnection],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SuiteResult:
    """Validate ``suite.relation`` in the warehouse that ``connect`` opens.

    Row-level expectations see the table in chunks of ``chunk_rows``; table-level ones see
    only the rows DuckDB found with a repeated key (at most ``chunk_rows`` of them, so past
    that many the unexpected count is a lower bound). Peak memory is about one chunk.
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
        else:
            (rows,) = con.execute(f"select count(*) from ({suite.sql()}) as s").fetchone()
        for e in table_level:
            df = con.execute(_duplicated_rows_sql(suite, e.columns, chunk_rows)).df()
            (r,) = validator.validate(df, [e])
            outcome = outcomes[e.label]
            _merge(outcome, r)
            outcome.element_count = rows  # GX saw only the suspects; report against the table
    finally:
        con.close()
    return SuiteResult(suite.name, suite.relation, rows, list(outcomes.values()))
