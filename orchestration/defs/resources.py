"""Resources; the warehouse's paths are read from the environment here, once per load of
the definitions (``defs.warehouse.warehouse_from_env``)."""

from __future__ import annotations

from dagster_dlt import DagsterDltResource

from orchestration.dbt_project import dbt_cli
from orchestration.defs.warehouse import warehouse_from_env


def build_resources() -> dict[str, object]:
    """Every resource the definitions need, keyed as the assets ask for them."""
    return {
        "warehouse": warehouse_from_env(),
        "dlt": DagsterDltResource(),
        "dbt": dbt_cli(),
    }
