"""DuckDB's memory limit, threads and temp directory for the dlt loads and every connection
the job opens to the warehouse or its published copy (checks, publication, privacy passes).

The environment variables own these settings (docs/performance.md): ``PULSE_DUCKDB_MEMORY_LIMIT``
(default ``3GB``), ``PULSE_DUCKDB_THREADS`` (``2``) and ``PULSE_DUCKDB_TEMP_DIR`` (DuckDB's own
default, ``<database file>.tmp``). dbt reads the same variables in ``dbt_project/profiles.yml``,
so a load and a build of the same file run under the same limits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

MEMORY_ENV, THREADS_ENV, TEMP_ENV = (
    "PULSE_DUCKDB_MEMORY_LIMIT",
    "PULSE_DUCKDB_THREADS",
    "PULSE_DUCKDB_TEMP_DIR",
)


def duckdb_settings(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings a connection to ``path`` opens with."""
    env = os.environ if environ is None else environ
    return {
        "memory_limit": env.get(MEMORY_ENV) or "3GB",
        "threads": int(env.get(THREADS_ENV) or 2),
        "temp_directory": env.get(TEMP_ENV) or f"{path}.tmp",
    }


def duckdb_destination(path: Path) -> Any:
    """dlt's DuckDB destination for ``path``, opened with ``duckdb_settings``."""
    credentials = DuckDbCredentials(str(path))
    credentials.global_config = duckdb_settings(path)
    return dlt.destinations.duckdb(credentials)


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to ``path`` opened with ``duckdb_settings``.

    Without them DuckDB may take 80 % of the machine's RAM: at 50 brands one GX suite's query
    grew the Dagster process to 22 GB and the system killed it (BENCHMARKS.md)."""
    return duckdb.connect(str(path), read_only=read_only, config=duckdb_settings(Path(path)))
