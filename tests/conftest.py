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

# Modules that read the one `make demo` replay (the session fixture in tests/e2e/conftest.py).
DEMO_REPLAY_MODULES = {
    "test_demo_replay.py",
    "test_engagement_rates.py",
    "test_conversion_marts.py",
    "test_reputation_marts.py",
}


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before xdist workers start: they would otherwise both write
    the same manifest when they import the Dagster definitions."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from orchestration.defs.transform import dbt_project

        dbt_project()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``pytest -n`` (``--dist loadgroup``) a module runs on one worker, in order, with
    its module fixtures built once; the replay's readers share one worker, so the replay runs
    once."""
    for item in items:
        module = item.path.name
        group = "demo_replay" if module in DEMO_REPLAY_MODULES else str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
