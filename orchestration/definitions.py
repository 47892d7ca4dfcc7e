"""The one Dagster code location of Community Pulse: ``dagster dev -w workspace.yaml``."""

from dagster import (
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    Definitions,
)

from orchestration.defs.alerts import ALERT_CHECKS, ALERT_RESOURCES, ALERT_SENSORS
from orchestration.defs.completeness import COMPLETENESS_CHECKS
from orchestration.defs.enrichment import text_sentiment
from orchestration.defs.failure_alerts import FAILURE_SENSORS
from orchestration.defs.freshness import FRESHNESS_CHECKS, freshness_job, freshness_schedule
from orchestration.defs.ingestion import CHILD_TABLES, SOURCE_ASSETS
from orchestration.defs.privacy import erase_person, personal_data_retention
from orchestration.defs.publish import published_marts_asset
from orchestration.defs.quality import GX_CHECKS
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import (
    INGEST_JOBS,
    INGEST_SCHEDULES,
    daily_refresh,
    ingest_everything,
    refresh_everything,
    transform_and_publish,
)
from orchestration.defs.schema_drift import SCHEMA_DRIFT_CHECKS
from orchestration.defs.transform import dbt_models

MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]

# The dbt models and the text enrichment follow their upstreams (orchestration/defs/
# automation.py): this sensor of the daemon (`make ui`) evaluates their conditions every minute.
follow_upstreams = AutomationConditionSensorDefinition(
    "dbt_follows_upstreams",
    target=AssetSelection.assets(dbt_models, text_sentiment),
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
    description="Rebuild the transforms whose upstreams were updated (docs/orchestration.md).",
)

defs = Definitions(
    assets=[
        *SOURCE_ASSETS.values(),
        *CHILD_TABLES,
        text_sentiment,
        dbt_models,
        published_marts_asset(MART_KEYS),
        personal_data_retention,  # after publication, in every daily run
    ],
    asset_checks=[
        *GX_CHECKS,
        *ALERT_CHECKS,
        *COMPLETENESS_CHECKS,
        *SCHEMA_DRIFT_CHECKS,
        *FRESHNESS_CHECKS,
    ],
    jobs=[
        refresh_everything,
        transform_and_publish,
        ingest_everything,
        *INGEST_JOBS,
        erase_person,
        freshness_job,
    ],
    schedules=[daily_refresh, *INGEST_SCHEDULES, freshness_schedule],
    sensors=[*ALERT_SENSORS, *FAILURE_SENSORS, follow_upstreams],
    resources={**build_resources(), **ALERT_RESOURCES},
)
