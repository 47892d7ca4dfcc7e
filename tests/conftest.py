"""Test-wide settings: no telemetry (there is no network), and placeholder secrets."""

from __future__ import annotations

import os

import pytest

for name, value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}.items():
    os.environ[name] = value


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before xdist workers start: they would otherwise both write
    the same manifest when they import the Dagster definitions."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from orchestration.defs.transform import dbt_project

        dbt_project()
