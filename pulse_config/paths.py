"""The project root, defined once; every default path of the checkout is relative to it."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or, installed from the wheel, the folder holding the packages): defaults
only; a deployment sets ``PULSE_BRANDS``, ``PULSE_WAREHOUSE`` and friends."""

CONFIG_DIR = PROJECT_ROOT / "config"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DATA_DIR = PROJECT_ROOT / "data"
