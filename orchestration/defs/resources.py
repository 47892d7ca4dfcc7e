"""Resources, configured from the environment (see ``orchestration.settings``)."""

from __future__ import annotations

from dagster_dlt import DagsterDltResource

from orchestration.dbt_project import dbt_cli
from orchestration.defs.warehouse import Warehouse


def build_resources() -> dict[str, object]:
    """Every resource the definitions need, keyed as the assets ask for them."""
    return {
        "warehouse": Warehouse(),
        "dlt": DagsterDltResource(),
        "dbt": dbt_cli(),
    }
