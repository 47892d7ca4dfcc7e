"""Sandbox or production: which APIs a run reads, and which of the two a warehouse holds.

The demo, ``make ui`` with the sandbox, the benchmark and the tests point the sources at the
sandbox (``sandbox.credentials.source_env``, which also sets ``PULSE_SANDBOX_URL``); every other
run reads the real APIs. A warehouse records which of the two it serves when it is first
loaded (table ``_pulse.environment``), and every later load checks that record before it reads
dlt state or writes a row, so sandbox rows never mix with real ones (issue 12, point 7).

    .venv/bin/python -m pulse_config.environments show data/warehouse.duckdb
    .venv/bin/python -m pulse_config.environments record production data/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import duckdb

from pulse_config.duckdb_resources import connect
from pulse_config.paths import PROJECT_ROOT, default_warehouse

SANDBOX_URL = "PULSE_SANDBOX_URL"
"""Set by ``sandbox.credentials.source_env`` beside the sources' sandbox base URLs."""
SCHEMA, TABLE = "_pulse", "environment"
MARKER = f"{SCHEMA}.{TABLE}"


@dataclass(frozen=True)
class Environment:
    """``production`` (the real APIs) or ``sandbox`` (served at ``url``)."""

    name: Literal["production", "sandbox"]
    url: str = ""

    @property
    def is_sandbox(self) -> bool:
        return self.name == "sandbox"

    def rows_from(self) -> str:
        """Where the rows of a warehouse serving this environment come from, for messages."""
        return f"the sandbox ({self.url or 'local'})" if self.is_sandbox else "the real APIs"


PRODUCTION = Environment("production")


class WrongEnvironment(RuntimeError):
    """A run was pointed at a warehouse of the other environment (or of unknown origin)."""


def _on_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def environment_of(environ: Mapping[str, str], base_urls: Iterable[str | None] = ()) -> Environment:
    """The environment a run serves: the sandbox if ``PULSE_SANDBOX_URL`` is set, or if any
    source's base URL (``SOURCES__*__BASE_URL`` or one given explicitly) is on loopback, where
    the sandbox binds and no vendor API lives; production otherwise."""
    if environ.get(SANDBOX_URL):
        return Environment("sandbox", environ[SANDBOX_URL].rstrip("/"))
    configured = [v for k, v in environ.items() if k.startswith("SOURCES__") and "BASE_URL" in k]
    for url in [*configured, *base_urls]:
        if url and _on_loopback(url):
            parts = urlsplit(url)
            return Environment("sandbox", f"{parts.scheme}://{parts.netloc}")
    return PRODUCTION


def _shown(file: Path) -> str:
    """``file`` relative to the checkout when it is inside it, as users name it."""
    return str(file.relative_to(PROJECT_ROOT)) if file.is_relative_to(PROJECT_ROOT) else str(file)


def recorded(con: duckdb.DuckDBPyConnection) -> Environment | None:
    """The environment recorded in the open warehouse, if any."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [SCHEMA, TABLE],
    ).fetchone()[0]
    if not found:
        return None
    name, url = con.execute(f"select environment, sandbox_url from {MARKER} limit 1").fetchone()
    return Environment(name, url or "")


def record(con: duckdb.DuckDBPyConnection, environment: Environment) -> None:
    """Write ``environment`` as the warehouse's own (replacing any previous record)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {MARKER} (environment varchar not null, "
        "sandbox_url varchar, recorded_at timestamptz not null default current_timestamp)"
    )
    con.execute(
        f"insert into {MARKER} (environment, sandbox_url) values (?, ?)",
        [environment.name, environment.url or None],
    )


def _refusal(file: Path, found: Environment | None, run: Environment) -> str:
    """Why a ``run`` refuses ``file``, and how to get going."""
    shown, kind = _shown(file), f"{run.name} runs refuse it"
    if found is None:
        return (
            f"{shown} holds tables but no record of where its rows came from (written before "
            f"warehouses recorded it; `make demo` used data/warehouse.duckdb until then); "
            f"{kind}: move it away and load again, or, if its rows came from "
            f"{run.rows_from()}, record that with `.venv/bin/python -m pulse_config.environments "
            f"record {run.name} {shown}`"
        )
    fix = (
        "point PULSE_WAREHOUSE at a fresh file (or move this one away) and run the sandbox "
        f"with `make demo` (its warehouse: {_shown(default_warehouse(sandbox=True))})"
        if not run.is_sandbox
        else f"unset PULSE_WAREHOUSE (the sandbox's default is "
        f"{_shown(default_warehouse(sandbox=True))}) or give a fresh path"
    )
    return f"{shown} holds rows loaded from {found.rows_from()}; {kind}: {fix}"


def check_warehouse(file: Path, run: Environment) -> Environment:
    """Refuse (``WrongEnvironment``) a warehouse that holds the other environment's rows, or
    tables of unknown origin; on a fresh file, record ``run``'s environment. Returns the
    warehouse's environment. Call it before any load reads state or writes a row."""
    file.parent.mkdir(parents=True, exist_ok=True)
    con = connect(file)
    try:
        found = recorded(con)
        if found is None:
            tables = con.execute(
                "select count(*) from information_schema.tables where table_schema <> ?",
                [SCHEMA],
            ).fetchone()[0]
            if tables:
                raise WrongEnvironment(_refusal(file, None, run))
            record(con, run)
            return run
    finally:
        con.close()
    if found.name != run.name:
        raise WrongEnvironment(_refusal(file, found, run))
    return found


def main(argv: list[str] | None = None) -> int:
    """``show`` a warehouse's recorded environment, or ``record`` one by hand (an old
    warehouse whose origin you know)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("action", choices=["show", "record"])
    parser.add_argument("environment_or_file", help="show: the file; record: the environment")
    parser.add_argument("file", nargs="?", help="record: the DuckDB file")
    parser.add_argument("--sandbox-url", default="", help="record sandbox: the sandbox's URL")
    args = parser.parse_args(argv)
    if args.action == "show":
        con = duckdb.connect(args.environment_or_file, read_only=True)
        try:
            found = recorded(con)
        finally:
            con.close()
        print(f"{found.name} {found.url}".strip() if found else "no environment recorded")
        return 0
    if args.environment_or_file not in ("production", "sandbox") or not args.file:
        parser.error("record production|sandbox FILE")
    con = duckdb.connect(args.file)
    try:
        record(con, Environment(args.environment_or_file, args.sandbox_url))
    finally:
        con.close()
    print(f"{args.file}: recorded {args.environment_or_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
