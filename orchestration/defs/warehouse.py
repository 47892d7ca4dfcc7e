"""The warehouse resource: the one owner of where the DuckDB file, its published copy and the
dlt state live, and of the writer slot.

Users name the files with environment variables (README); ``warehouse_from_env`` is the one
place that reads them, when the definitions load. Every step then gets this resource and
passes its paths down explicitly: to dlt (destination and pipelines folder), to dbt
(``--vars``, read by ``dbt_project/profiles.yml``), to the GX checks (a connection) and to
publication. Nothing writes the paths back into the environment.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from orchestration.writer_lock import writer_slot
from pulse_config.paths import DATA_DIR, PROJECT_ROOT

DEFAULT_FILE = DATA_DIR / "warehouse.duckdb"
DBT_VAR = "warehouse_path"
"""The dbt variable ``profiles.yml`` takes the DuckDB file from."""

ENVIRONMENT = {
    "path": "PULSE_WAREHOUSE",
    "published": "PULSE_PUBLISHED",
    "dlt_dir": "PULSE_DLT_DIR",
    "lock_timeout_s": "PULSE_WAREHOUSE_LOCK_TIMEOUT_S",
}
"""The variable that sets each field of ``Warehouse`` (an unset or empty one: the default)."""


def _absolute(path: str) -> Path:
    """``path`` as given if absolute, else relative to the checkout (not the working
    directory, so every command of the project finds the same file)."""
    return (PROJECT_ROOT / path).resolve()


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file; connections are opened per step and closed at once,
    because DuckDB allows one writer process per file."""

    path: str = Field(default=str(DEFAULT_FILE), description="The DuckDB file (PULSE_WAREHOUSE).")
    published: str | None = Field(
        default=None,
        description="The read-only copy of the marts for BI tools (PULSE_PUBLISHED); "
        "default: published.duckdb beside the warehouse.",
    )
    dlt_dir: str | None = Field(
        default=None,
        description="dlt's local pipeline state (PULSE_DLT_DIR); default: dlt_pipelines "
        "beside the warehouse, so a warehouse of its own brings state of its own.",
    )
    lock_timeout_s: float = Field(
        default=900.0,
        description="Seconds a step waits for the writer slot (PULSE_WAREHOUSE_LOCK_TIMEOUT_S).",
    )

    @property
    def file(self) -> Path:
        """The warehouse file, absolute."""
        return _absolute(self.path)

    @property
    def published_file(self) -> Path:
        """The published copy, absolute."""
        if self.published:
            return _absolute(self.published)
        return self.file.with_name("published.duckdb")

    @property
    def pipelines_dir(self) -> Path:
        """Where dlt keeps its local pipeline state."""
        return _absolute(self.dlt_dir) if self.dlt_dir else self.file.parent / "dlt_pipelines"

    def dbt_vars(self) -> list[str]:
        """The dbt arguments that point the profile at this file."""
        return ["--vars", json.dumps({DBT_VAR: str(self.file)})]

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.file), read_only=read_only)

    @contextlib.contextmanager
    def slot(self, holder: str, log: Callable[[str], None] | None = None) -> Iterator[float]:
        """The writer slot (``orchestration.writer_lock``) for the time a step has the file
        open; yields the seconds waited."""
        with writer_slot(self.file, holder, self.lock_timeout_s, on_wait=log) as waited:
            yield waited


def warehouse_from_env() -> Warehouse:
    """The warehouse the environment names (``ENVIRONMENT``), relative paths made absolute:
    the only reader of those variables."""
    values = {field: EnvVar(name).get_value() for field, name in ENVIRONMENT.items()}
    config = {field: value for field, value in values.items() if value}
    for field in ("path", "published", "dlt_dir"):
        if field in config:
            config[field] = str(_absolute(config[field]))
    return Warehouse(**config)
