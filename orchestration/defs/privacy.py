"""Retention on every daily run, and the erasure job (docs/privacy.md).

``privacy/retention`` runs after the published copy is made (it depends on it), so in the
daily job (``transform_and_publish``) and in ``refresh_everything`` it is the last step: the
marts just rebuilt and their published copy are cleaned with the raw tables, then both files
are rewritten. ``erase_person`` is the Dagster form of ``python -m privacy erase``, same
config. Both hold the warehouse writer slot and the ``duckdb`` pool while they write.

The erasure job's run config (the platform user id in clear) stays in Dagster's run history:
delete the run after it succeeded, or use the command line, which keeps nothing.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    OpExecutionContext,
    asset,
    job,
    op,
)
from pydantic import Field

from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL
from privacy.commands import describe_erasure, describe_retention, erase, retention
from privacy.pseudonyms import UnknownPlatform
from privacy.retention import BadRetention, retention_months

PUBLISHED_MARTS = AssetKey(["published", "marts"])


@asset(
    key=AssetKey(["privacy", "retention"]),
    deps=[PUBLISHED_MARTS],
    group_name="privacy",
    pool=DUCKDB_POOL,
    kinds={"python", "duckdb"},
    description="Blank people's text and pseudonyms older than PULSE_RETENTION_MONTHS "
    "(default 13) in raw, derived and published tables; rewrite both files.",
)
def personal_data_retention(
    context: AssetExecutionContext, warehouse: Warehouse
) -> MaterializeResult:
    try:
        months = retention_months()
    except BadRetention as exc:
        raise Failure(description=str(exc), allow_retries=False) from None
    report = retention(warehouse, months, context.log.info, now=warehouse.now())
    context.log.info(describe_retention(report))
    return MaterializeResult(
        metadata={
            "months": months,
            "horizon": report.horizon.isoformat(),
            "rows_changed": report.total,
            "dlt_packages_removed": report.packages,
        }
    )


class ErasureConfig(Config):
    """The same options as ``python -m privacy erase``."""

    platform: str = Field(description="facebook, instagram, linkedin, youtube, x, ...")
    user_id: str = Field(description="the person's id on the platform (hashed at once)")
    names: list[str] = Field(
        default_factory=list, description="their display name or username, if known"
    )


@op(pool=DUCKDB_POOL, description="Erase one person everywhere (GDPR Art. 17).")
def erase_one_person(
    context: OpExecutionContext, config: ErasureConfig, warehouse: Warehouse
) -> None:
    run_by = f"dagster run {context.run_id}"
    user = context.run.tags.get("dagster/user") if context.run else None
    if user:
        run_by += f" by {user}"
    try:
        done = erase(
            warehouse, config.platform, config.user_id, config.names, run_by, context.log.info
        )
    except UnknownPlatform as exc:
        raise Failure(description=str(exc), allow_retries=False) from None
    context.log.info(describe_erasure(done))


@job(description="Erase one person (platform and user id in the run config); docs/privacy.md.")
def erase_person() -> None:
    erase_one_person()
