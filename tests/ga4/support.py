"""Shared helpers of the web analytics tests (GA4 and Matomo): world, pipelines, queries."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import requests

START = date(2025, 11, 1)
DAYS = 40
TODAY = START + timedelta(days=DAYS - 1)


def make_world(base: Path) -> Path:
    """A small world (40 days) for the committed registry, every discovered vendor included;
    generated once per test session (``base`` is the session's base temp dir)."""
    from sandbox.world.generator import WorldSpec, generate

    path = base / "web_world.duckdb"
    if not path.exists():
        generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


def run(source: Any, tmp: Path, name: str, dataset: str) -> Path:
    """Run ``source`` into ``tmp/w.duckdb`` (pipeline state kept in ``tmp`` between runs)."""
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        name,
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name=dataset,
    )
    pipeline.run(source).raise_on_failed_jobs()
    return db


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def has_table(db: Path, schema: str, table: str) -> bool:
    sql = (
        "select 1 from information_schema.tables "
        f"where table_schema='{schema}' and table_name='{table}'"
    )
    return bool(query(db, sql))


def set_faults(url: str, spec: str) -> None:
    requests.put(f"{url}/_sandbox/faults", data=spec, timeout=10).raise_for_status()


def advance(url: str, days: int = 1) -> None:
    requests.post(f"{url}/_sandbox/clock/advance", params={"days": days}, timeout=10)


@contextmanager
def patched_json(mutate: Any) -> Iterator[None]:
    """Let ``mutate(url, body) -> body`` rewrite JSON answers (to inject malformed records)."""
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        resp = original(self, method, url, **kwargs)
        try:
            body = resp.json()
        except ValueError:
            return resp
        import json

        resp._content = json.dumps(mutate(url, kwargs, body)).encode()
        return resp

    requests.Session.request = request  # type: ignore[method-assign]
    try:
        yield
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


def clean_env() -> None:
    for name in list(os.environ):
        if name.startswith(("SOURCES__GA4__", "SOURCES__MATOMO__")):
            del os.environ[name]
