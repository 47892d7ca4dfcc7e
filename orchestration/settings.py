"""Settings of the orchestration that are not the warehouse's (``defs.warehouse`` owns where
the files are): the DuckDB pool and the ``dbt`` executable."""

from __future__ import annotations

import sys
from pathlib import Path

from pulse_config.paths import DBT_PROJECT_DIR, PROJECT_ROOT

__all__ = ["DBT_PROJECT_DIR", "DUCKDB_POOL", "PROJECT_ROOT", "dbt_executable"]
DUCKDB_POOL = "duckdb"
"""The concurrency pool of every step that writes or reads the warehouse file (limit 1)."""


def dbt_executable() -> str:
    """The ``dbt`` beside this interpreter, so runs work without an activated virtualenv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
