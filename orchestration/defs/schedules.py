"""Schedules: each source ingests at its own cadence; the marts are rebuilt every morning.

Ingestion runs are per source, so a failing source fails its own run and leaves the others
alone; the daily transform run builds the marts from whatever the raw tables then hold, after
the blocking GX suites on those tables pass. ``ingest_everything`` (no schedule) loads every
source in one run: a whole day's ingestion, as ``make demo`` runs it for each simulated day.
"""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
)

from ingestion.catalogue import SOURCES
from orchestration.defs.ingestion import SOURCE_ASSETS

# Run monitoring (dagster_home/dagster.yaml) cancels a run past this many seconds, which frees
# the duckdb pool slot of a run whose worker died: above each job's slowest normal run (a
# source's own run_deadline_s is 3600 s).
INGEST_MAX_RUNTIME = {"dagster/max_runtime": "7200"}
BUILD_MAX_RUNTIME = {"dagster/max_runtime": "10800"}

refresh_everything = define_asset_job(
    "refresh_everything",
    selection=AssetSelection.all(),
    description="Ingest every source, build and test the marts, run the GX suites, publish.",
    tags=BUILD_MAX_RUNTIME,
)

_INGESTION = AssetSelection.groups(*(s.group for s in SOURCES))

# The raw-table GX suites are left out on purpose: they are blocking checks whose only job is
# to stop dbt from building on bad raw rows, and this job builds nothing. Every run that builds
# (refresh_everything, transform_and_publish) runs them on the raw tables first, so a day of
# ingestion without them gates nothing less; with them, each simulated day of `make demo` would
# re-validate the whole raw insights table (5 to 9 s measured on 2 cores) for no gain.
ingest_everything = define_asset_job(
    "ingest_everything",
    selection=_INGESTION.without_checks(),
    description=(
        "Load every source into its raw dataset in one run (a whole day's ingestion), without "
        "the raw GX suites: the runs that build the marts run those first."
    ),
    tags=BUILD_MAX_RUNTIME,
)

transform_and_publish = define_asset_job(
    "transform_and_publish",
    selection=(AssetSelection.all() - _INGESTION)
    | AssetSelection.checks_for_assets(*SOURCE_ASSETS.values()),
    description="dbt build (models and tests), GX suites (raw ones first, blocking), publish.",
    tags=BUILD_MAX_RUNTIME,
)


def ingest_job(group: str, name: str):  # noqa: ANN201 (dagster keeps the type private)
    return define_asset_job(
        f"ingest_{name}",
        selection=AssetSelection.groups(group),
        description=f"Load the {name} source into raw_{name}, with its checks.",
        tags=INGEST_MAX_RUNTIME,
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
