"""Where things live, from the environment: one place so Dagster, dbt and dlt agree.

``PULSE_WAREHOUSE`` is the DuckDB file every writer uses (default ``data/warehouse.duckdb``);
``PULSE_PUBLISHED`` is the read-only copy BI tools open (default ``data/published.duckdb``).
Importing this module exports ``PULSE_WAREHOUSE`` as an absolute path so the dbt profile, which
reads the same variable, points at the same file whatever the working directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pulse_config.paths import DBT_PROJECT_DIR, PROJECT_ROOT

__all__ = ["DBT_PROJECT_DIR", "PROJECT_ROOT"]  # re-exported for the orchestration modules
DUCKDB_POOL = "duckdb"
"""The concurrency pool of every step that writes or reads the warehouse file (limit 1)."""


def _path_from_env(name: str, default: Path) -> Path:
    path = Path(os.environ.get(name) or default)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def warehouse_path() -> Path:
    """The warehouse DuckDB file, made absolute and exported for dbt."""
    path = _path_from_env("PULSE_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb")
    os.environ["PULSE_WAREHOUSE"] = str(path)
    return path


def published_path() -> Path:
    """The published read-only copy of the marts."""
    return _path_from_env("PULSE_PUBLISHED", warehouse_path().with_name("published.duckdb"))


def dlt_pipelines_dir() -> Path:
    """Where dlt keeps local pipeline state, beside the warehouse so tests stay isolated."""
    return _path_from_env("PULSE_DLT_DIR", warehouse_path().parent / "dlt_pipelines")


def warehouse_lock_timeout_s() -> float:
    """How long a step waits for the warehouse writer slot before failing (default 15 min)."""
    return float(os.environ.get("PULSE_WAREHOUSE_LOCK_TIMEOUT_S") or 900)


def dbt_executable() -> str:
    """The ``dbt`` beside this interpreter, so runs work without an activated virtualenv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
