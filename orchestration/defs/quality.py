"""Great Expectations suites as Dagster asset checks, one per suite, on the table it guards.

A blocking suite fails with ERROR severity and stops what is downstream of its table: on the
raw posts, the dbt build; on the engagement marts (their contract suites), the publication of
the marts, so BI tools keep the last good copy. A non-blocking suite reports with its own
severity (the marts' plausibility suites warn) and lets the run go on.

Every validation writes an HTML page (``orchestration.defs.reports``), linked from the
check's metadata (``report``, ``report_path``).
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
from data_quality.spec import Severity, Suite
from data_quality.suites import ALL_SUITES
from orchestration.defs.reports import links, write_gx_report
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL

SEVERITIES: dict[Severity, AssetCheckSeverity] = {
    "error": AssetCheckSeverity.ERROR,
    "warn": AssetCheckSeverity.WARN,
}


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
        with warehouse.slot(f"GX suite {suite.name}", context.log.info):
            result = validate_table(suite, warehouse.connect)
        context.log.info(result.summary())
        try:
            page_links = links(write_gx_report(warehouse, suite, result, context.run.run_id))
        except OSError as error:  # a report that cannot be written must not change the verdict
            context.log.warning(f"no report for {suite.name}: {error}")
            page_links = {}
        return AssetCheckResult(
            passed=result.success,
            severity=SEVERITIES[suite.severity],
            metadata={
                "rows": result.rows,
                "expectations": len(result.outcomes),
                **page_links,
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
