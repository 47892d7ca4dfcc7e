"""Great Expectations suites as Dagster asset checks, one per suite, on the table it guards.

A blocking suite (the raw posts) stops the run before dbt builds anything on bad rows.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from data_quality.runner import validate_table
from data_quality.spec import Suite
from data_quality.suites import ALL_SUITES
from orchestration.defs.resources import Warehouse
from orchestration.settings import DUCKDB_POOL


def suite_check(suite: Suite) -> AssetChecksDefinition:
    """An asset check that runs ``suite`` on its table, read-only, and reports each failure."""
    schema, table = suite.relation.split(".")

    @asset_check(
        asset=AssetKey([schema, table]),
        name=f"gx_{suite.name}",
        description=f"Great Expectations: {suite.description}",
        blocking=suite.blocking,
        pool=DUCKDB_POOL,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        result = validate_table(suite, warehouse.connect)
        context.log.info(result.summary())
        return AssetCheckResult(
            passed=result.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "rows": result.rows,
                "expectations": len(result.outcomes),
                "failed": MetadataValue.json(
                    [
                        {
                            "expectation": o.label,
                            "unexpected": o.unexpected_count,
                            "of": o.element_count,
                            "examples": [str(v) for v in o.sample[:5]],
                        }
                        for o in result.failed
                    ]
                ),
            },
        )

    return _check


GX_CHECKS = [suite_check(s) for s in ALL_SUITES]
