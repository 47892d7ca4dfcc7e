"""Freshness: a source that stopped loading shows as a failed check, not as quiet old numbers.

Raw tables: one check ``freshness`` per table, grouped in one multi-check per source (one step
per source, not per table). A table's age is the time since its newest ``fetched_at`` (when the
vendor answered), measured from ``Warehouse.now()`` (the sandbox clock for sandbox runs). Past
the source's ``warn_after_hours`` the check warns, past ``fail_after_hours`` it fails with ERROR
severity; an empty or missing table fails. The checks do not block: old rows are still good
rows; the point is that an on-call engineer sees the source is stale. Thresholds per source:
``config/freshness.yaml`` (``pulse_config.freshness``). They run in every build that checks the
raw tables and every hour through the ``freshness_checks`` schedule.

Marts: a Dagster freshness policy (time since the last materialisation) from the same file,
applied in ``orchestration.definitions``, which the UI shows on each mart.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetSelection,
    AssetSpec,
    DefaultScheduleStatus,
    FreshnessPolicy,
    ScheduleDefinition,
    define_asset_job,
    multi_asset_check,
)

from ingestion.catalogue import SOURCES
from orchestration.defs.schema_drift import raw_tables_of
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL
from pulse_config.freshness import Freshness, Threshold, freshness_file, load_freshness

CHECK = "freshness"
FETCHED = "fetched_at"


def newest_fetch(con: duckdb.DuckDBPyConnection, key: AssetKey) -> datetime | None:
    """The newest ``fetched_at`` of the table (None when the table is missing or empty)."""
    schema, table = key.path
    found = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        [schema, table, FETCHED],
    ).fetchone()[0]
    if not found:
        return None
    newest = con.execute(f'select max("{FETCHED}") from {schema}."{table}"').fetchone()[0]
    if newest is None:
        return None
    return newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest.astimezone(UTC)


def result(
    key: AssetKey, newest: datetime | None, now: datetime, limit: Threshold
) -> AssetCheckResult:
    """Passed, warning or failed, with the age and the thresholds as metadata."""
    table = ".".join(key.path)
    meta = {"warn_after_hours": limit.warn_after_hours, "fail_after_hours": limit.fail_after_hours}
    if newest is None:
        return AssetCheckResult(
            asset_key=key,
            check_name=CHECK,
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"{table}: no row has ever been loaded",
            metadata=meta,
        )
    age_h = round((now - newest).total_seconds() / 3600, 2)
    meta |= {"newest_fetched_at": newest.isoformat(), "age_hours": age_h}
    if age_h > limit.fail_after_hours:
        severity, passed, verdict = AssetCheckSeverity.ERROR, False, "stale"
    elif age_h > limit.warn_after_hours:
        severity, passed, verdict = AssetCheckSeverity.WARN, False, "late"
    else:
        severity, passed, verdict = AssetCheckSeverity.WARN, True, "fresh"
    return AssetCheckResult(
        asset_key=key,
        check_name=CHECK,
        passed=passed,
        severity=severity,
        description=f"{table}: {verdict}, newest record fetched {age_h} h ago",
        metadata=meta,
    )


def source_check(source: str, keys: list[AssetKey], limit: Threshold) -> AssetChecksDefinition:
    """The freshness checks of one source's raw tables, in one step."""
    specs = [
        AssetCheckSpec(
            CHECK,
            asset=key,
            description=(
                f"Freshness: the newest record of {key.path[-1]} was fetched less than "
                f"{limit.warn_after_hours:g} h ago (warn) / {limit.fail_after_hours:g} h (fail)."
            ),
        )
        for key in keys
    ]

    @multi_asset_check(name=f"freshness_{source}", specs=specs, pool=DUCKDB_POOL, can_subset=True)
    def _checks(
        context: AssetCheckExecutionContext, warehouse: Warehouse
    ) -> Iterator[AssetCheckResult]:
        selected = [
            k for k in keys if k in {c.asset_key for c in context.selected_asset_check_keys}
        ]
        now = warehouse.now()
        with warehouse.slot(f"freshness {source}", context.log.info), warehouse.connect() as con:
            found = {key: newest_fetch(con, key) for key in selected}
        for key in selected:
            yield result(key, found[key], now, limit)

    return _checks


def build(config: Freshness) -> list[AssetChecksDefinition]:
    """One multi-check per source over its raw tables (those ``schema_drift`` checks too)."""
    return [source_check(s.name, raw_tables_of(s), config.sources[s.name]) for s in SOURCES]


def mart_policy(config: Freshness) -> Callable[[AssetSpec], AssetSpec]:
    """The marts' freshness policy, for ``Definitions.map_resolved_asset_specs``."""
    policy = FreshnessPolicy.time_window(
        fail_window=config.marts.fail_after, warn_window=config.marts.warn_after
    )
    return lambda spec: spec.replace_attributes(freshness_policy=policy)


FRESHNESS = load_freshness(freshness_file(), [s.name for s in SOURCES])
FRESHNESS_CHECKS = build(FRESHNESS)

freshness_job = define_asset_job(
    "check_freshness",
    selection=AssetSelection.checks(*FRESHNESS_CHECKS),
    description="The freshness checks of every raw table, nothing else (no load, no build).",
)

freshness_schedule = ScheduleDefinition(
    name="freshness_checks",
    job=freshness_job,
    cron_schedule="5 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every hour at :05: is every source's newest record within its threshold?",
)
