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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``pytest -n`` (``--dist loadgroup``) a module runs on one worker, in order, with
    its module fixtures built once. The end-to-end modules share one worker: the demo replay
    (a session fixture) runs once, and the replay and test_pipeline, which both point the
    process at their own warehouse, never interleave."""
    for item in items:
        group = "e2e" if item.path.parent.name == "e2e" else str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
