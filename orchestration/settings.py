"""Settings of the orchestration that are not the warehouse's (``defs.warehouse`` owns where
the files are): the DuckDB pool, the ``dbt`` executable and the production build's verb."""

from __future__ import annotations

import sys
from pathlib import Path

from pulse_config.paths import DBT_PROJECT_DIR, PROJECT_ROOT

__all__ = ["DBT_PROJECT_DIR", "DUCKDB_POOL", "PRODUCTION_BUILD", "PROJECT_ROOT", "dbt_executable"]
DUCKDB_POOL = "duckdb"
"""The concurrency pool of every step that writes or reads the warehouse file (limit 1)."""

PRODUCTION_BUILD = ("build", "--exclude-resource-type", "unit_test")
"""A production ``dbt build``: models, seeds and data tests. Unit tests check the SQL on static
inputs (docs.getdbt.com/docs/build/unit-tests), so a production run learns nothing from them:
CI runs them (tests/dbt); ``--exclude-resource-type`` (dbt >= 1.8) leaves them out here."""


def dbt_executable() -> str:
    """The ``dbt`` beside this interpreter, so runs work without an activated virtualenv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
