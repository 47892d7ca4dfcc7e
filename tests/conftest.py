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
    """Prepare the dbt manifest once (``dbt parse``), before xdist workers start and import
    the Dagster definitions, so every test sees the project as it is in the checkout."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from orchestration.dbt_project import prepare

        prepare()
