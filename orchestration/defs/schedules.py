"""Schedules: the daily refresh of every asset and check."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

refresh_everything = define_asset_job(
    "refresh_everything",
    selection=AssetSelection.all(),
    description="Ingest every source, build and test the marts, run the GX suites, publish.",
)

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_everything,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 06:00 UTC, once the APIs have settled yesterday's metrics.",
)
