"""Resources, configured from the environment (see ``orchestration.settings``)."""

from __future__ import annotations

import duckdb
from dagster import ConfigurableResource
from dagster_dlt import DagsterDltResource
from pydantic import Field

from orchestration.defs.transform import dbt_cli
from orchestration.settings import published_path, warehouse_path


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file; connections are opened per step and closed at once,
    because DuckDB allows one writer process per file."""

    path: str = Field(default_factory=lambda: str(warehouse_path()))
    published: str = Field(default_factory=lambda: str(published_path()))

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(self.path, read_only=read_only)


def build_resources() -> dict[str, object]:
    """Every resource the definitions need, keyed as the assets ask for them."""
    return {
        "warehouse": Warehouse(),
        "dlt": DagsterDltResource(),
        "dbt": dbt_cli(),
    }
