"""The one Dagster code location of Community Pulse: ``dagster dev -w workspace.yaml``."""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs.ingestion import meta_assets
from orchestration.defs.publish import published_marts_asset
from orchestration.defs.quality import GX_CHECKS
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import daily_refresh, refresh_everything
from orchestration.defs.transform import dbt_models

MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]

defs = Definitions(
    assets=[meta_assets, dbt_models, published_marts_asset(MART_KEYS)],
    asset_checks=GX_CHECKS,
    jobs=[refresh_everything],
    schedules=[daily_refresh],
    resources=build_resources(),
)
