"""The project root, defined once; every default path of the checkout is relative to it."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or, installed from the wheel, the folder holding the packages): defaults
only; a deployment sets ``PULSE_BRANDS``, ``PULSE_WAREHOUSE`` and friends."""

CONFIG_DIR = PROJECT_ROOT / "config"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DATA_DIR = DATA_DIR / "demo"
"""The sandbox's own warehouse, published copy and dlt state (``make demo``, ``make ui`` with
the sandbox): never beside production's, so the two cannot mix (issue 12, point 7)."""
WAREHOUSE_FILE = "warehouse.duckdb"
PUBLISHED_FILE = "published.duckdb"
DLT_STATE_DIR = "dlt_pipelines"


def default_warehouse(sandbox: bool) -> Path:
    """The warehouse file when ``PULSE_WAREHOUSE`` is unset: ``data/warehouse.duckdb`` for
    production, ``data/demo/warehouse.duckdb`` for the sandbox."""
    return (DEMO_DATA_DIR if sandbox else DATA_DIR) / WAREHOUSE_FILE


def published_beside(warehouse: Path) -> Path:
    """The published copy of the marts when ``PULSE_PUBLISHED`` is unset."""
    return warehouse.with_name(PUBLISHED_FILE)


def dlt_state_beside(warehouse: Path) -> Path:
    """dlt's local pipeline state when ``PULSE_DLT_DIR`` is unset (and for ``ingestion.run``):
    beside the warehouse, so a warehouse of its own brings state of its own, never dlt's
    shared default (``~/.dlt/pipelines``)."""
    return warehouse.parent / DLT_STATE_DIR
