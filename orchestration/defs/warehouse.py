"""The warehouse resource: the one owner of where the DuckDB file, its published copy and the
dlt state live, of the writer slot, and of the check that a run serves the warehouse's own
environment (sandbox or production, ``pulse_config.environments``).

Users name the files with environment variables (README); ``warehouse_from_env`` is the one
place that reads them, when the definitions load. Every step then gets this resource and
passes its paths down explicitly: to dlt (destination and pipelines folder), to dbt
(``--vars``, read by ``dbt_project/profiles.yml``), to the GX checks (a connection) and to
publication. Nothing writes the paths back into the environment.

A run pointed at the sandbox (``PULSE_SANDBOX_URL``, set by ``sandbox.credentials.source_env``)
defaults to the demo's files under ``data/demo/``; production's are under ``data/``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import requests
from dagster import ConfigurableResource, Failure
from pydantic import Field

from orchestration.duckdb_lock import wait_until_free
from orchestration.writer_lock import writer_slot
from pulse_config.duckdb_resources import connect as duckdb_connect
from pulse_config.environments import (
    PRODUCTION,
    Environment,
    WrongEnvironment,
    check_warehouse,
    environment_of,
)
from pulse_config.paths import PROJECT_ROOT, default_warehouse, dlt_state_beside, published_beside

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

    path: str | None = Field(
        default=None,
        description="The DuckDB file (PULSE_WAREHOUSE); default: data/warehouse.duckdb, or "
        "data/demo/warehouse.duckdb for the sandbox.",
    )
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
        description="Seconds a step waits for the writer slot and for another process's "
        "DuckDB lock on the file to go (PULSE_WAREHOUSE_LOCK_TIMEOUT_S).",
    )
    sandbox_url: str | None = Field(
        default=None,
        description="Set when the sources read the sandbox (PULSE_SANDBOX_URL or a loopback "
        "base URL): the warehouse must then hold sandbox rows only; unset: production.",
    )

    @property
    def environment(self) -> Environment:
        """The environment this run serves: the sandbox's or production."""
        return Environment("sandbox", self.sandbox_url) if self.sandbox_url else PRODUCTION

    def now(self) -> datetime:
        """The environment's present: the sandbox's clock for a sandbox run (its world lies in
        the past or the future of the wall clock), the wall clock in production. Retention
        measures its 13 months from here, so the demo never blanks its own recent data."""
        if not self.sandbox_url:
            return datetime.now(UTC)
        answer = requests.get(f"{self.sandbox_url.rstrip('/')}/_sandbox/clock", timeout=30)
        answer.raise_for_status()
        return datetime.fromisoformat(answer.json()["now"].removesuffix("Z")).replace(tzinfo=UTC)

    @property
    def file(self) -> Path:
        """The warehouse file, absolute."""
        if self.path:
            return _absolute(self.path)
        return default_warehouse(sandbox=self.environment.is_sandbox)

    @property
    def published_file(self) -> Path:
        """The published copy, absolute."""
        if self.published:
            return _absolute(self.published)
        return published_beside(self.file)

    @property
    def pipelines_dir(self) -> Path:
        """Where dlt keeps its local pipeline state."""
        return _absolute(self.dlt_dir) if self.dlt_dir else dlt_state_beside(self.file)

    def check_environment(self) -> None:
        """Refuse a warehouse that holds the other environment's rows (or rows of unknown
        origin); record this run's environment in a fresh one. Each source calls it under
        the writer slot before it reads its state, so a refused run loads nothing."""
        try:
            check_warehouse(self.file, self.environment)
        except WrongEnvironment as exc:
            raise Failure(description=str(exc), allow_retries=False) from None

    def dbt_vars(self, **extra: str) -> list[str]:
        """The dbt arguments that point the profile at this file (``extra``: more dbt vars of
        this invocation, e.g. a backfill's ``backfill_start``)."""
        return ["--vars", json.dumps({DBT_VAR: str(self.file), **extra})]

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A connection under the job's DuckDB limits (``pulse_config.duckdb_resources``)."""
        return duckdb_connect(self.file, read_only=read_only)

    @contextlib.contextmanager
    def slot(self, holder: str, log: Callable[[str], None] | None = None) -> Iterator[float]:
        """The writer slot (``orchestration.writer_lock``) for the time a step has the file
        open, then the file itself free of other processes' DuckDB locks (an analyst's
        session, ``orchestration.duckdb_lock``); both waits share ``lock_timeout_s``. Yields
        the seconds waited."""
        with writer_slot(self.file, holder, self.lock_timeout_s, on_wait=log) as waited:
            left = max(self.lock_timeout_s - waited, 0.0)
            yield waited + wait_until_free(self.file, holder, left, on_wait=log)


def warehouse_from_env(environ: Mapping[str, str] | None = None) -> Warehouse:
    """The warehouse ``environ`` (default: this process's environment) names
    (``ENVIRONMENT``), relative paths made absolute, and whether its sources read the sandbox
    (``pulse_config.environments.environment_of``): the only reader of those variables."""
    environ = os.environ if environ is None else environ
    values = {field: environ.get(name) for field, name in ENVIRONMENT.items()}
    config = {field: value for field, value in values.items() if value}
    for field in ("path", "published", "dlt_dir"):
        if field in config:
            config[field] = str(_absolute(config[field]))
    environment = environment_of(environ)
    if environment.is_sandbox:
        config["sandbox_url"] = environment.url
    return Warehouse(**config)


def refusal(warehouse: Warehouse) -> str | None:
    """Why ``warehouse`` refuses this run's environment, or None (a fresh file is recorded as
    this run's): what the demo and ``make ui`` check before they start anything."""
    try:
        with warehouse.slot("check the warehouse's environment", print):
            warehouse.check_environment()
    except Failure as exc:
        return exc.description
    return None
