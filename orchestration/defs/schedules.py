"""Schedules: each source ingests at its own cadence; the marts are rebuilt every morning.

Ingestion runs are per source, so a failing source fails its own run and leaves the others
alone; the daily transform run builds the marts from whatever the raw tables then hold, after
the blocking GX suites on those tables pass.
"""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
)

from orchestration.defs.ingestion import SOURCE_ASSETS
from orchestration.sources import SOURCES

refresh_everything = define_asset_job(
    "refresh_everything",
    selection=AssetSelection.all(),
    description="Ingest every source, build and test the marts, run the GX suites, publish.",
)

_INGESTION = AssetSelection.groups(*(s.group for s in SOURCES))

transform_and_publish = define_asset_job(
    "transform_and_publish",
    selection=(AssetSelection.all() - _INGESTION)
    | AssetSelection.checks_for_assets(*SOURCE_ASSETS.values()),
    description="dbt build (models and tests), GX suites (raw ones first, blocking), publish.",
)


def ingest_job(group: str, name: str):  # noqa: ANN201 (dagster keeps the type private)
    return define_asset_job(
        f"ingest_{name}",
        selection=AssetSelection.groups(group),
        description=f"Load the {name} source into raw_{name}, with its checks.",
    )


INGEST_JOBS = [ingest_job(s.group, s.name) for s in SOURCES]

INGEST_SCHEDULES = [
    ScheduleDefinition(
        name=f"ingest_{s.name}_schedule",
        job=job,
        cron_schedule=s.cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.STOPPED,
        description=f"{s.description}: {s.cron} (UTC).",
    )
    for s, job in zip(SOURCES, INGEST_JOBS, strict=True)
]

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=transform_and_publish,
    cron_schedule="30 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 06:30 UTC, after the morning loads: rebuild, test and publish.",
)
