"""What every source's tests share: the small world, a sandbox they drive, a loader, queries
and the oracles that are not the code under test (a keyed hash recomputed here, the world's
own tables).

Fixtures over these live in ``tests/conftest.py``; what only one source needs stays in that
source's test directory.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import os
import typing
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
TODAY = START + timedelta(days=DAYS - 1)  # 2025-12-10: the sandbox's default today
PSEUDONYMISATION_KEY = "test-pseudonymisation-key-0123456789abcdef"  # 32 bytes at least
FAST_RETRIES: dict[str, float] = {
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "max_total_wait_s": 10.0,
}
"""Retry options every test passes, so a planted fault costs milliseconds, not minutes."""


def small_world(directory: Path) -> Path:
    """A 40-day world for the committed registry, every vendor included (a few seconds)."""
    from sandbox.world.generator import WorldSpec, generate

    path = directory / "world.duckdb"
    if not path.exists():
        generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


class Sandbox:
    """A running sandbox and its control routes (clock, faults, what the faults did)."""

    def __init__(self, url: str, world: Path) -> None:
        self.url, self.world = url, world

    def vendor(self, name: str) -> str:
        """The base URL a source of vendor ``name`` is given (``http://host:port/<name>``)."""
        return f"{self.url}/{name}"

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = requests.request(method, f"{self.url}/_sandbox{path}", timeout=30, **kwargs)
        resp.raise_for_status()
        return resp.json()

    def set_today(self, day: date) -> None:
        self._control("POST", "/clock/set", params={"today": day.isoformat()})

    def advance(self, days: int = 1) -> None:
        self._control("POST", "/clock/advance", params={"days": days})

    def set_faults(self, spec: str) -> None:
        """Plant faults, e.g. ``throttle=0.3,seed=3`` (``off`` removes them)."""
        self._control("PUT", "/faults", data=spec)

    def fired(self) -> dict[str, int]:
        """How many faults of each kind the sandbox served since the last ``set_faults``."""
        return self._control("GET", "/faults/fired")

    def expire_token(self, vendor: str, token: str, after: int) -> None:
        """``token`` answers ``after`` more requests of ``vendor``, then is expired for good."""
        self._control("POST", f"/tokens/expire?vendor={vendor}&token={token}&after={after}")

    def token_grants(self, vendor: str) -> int:
        """Refreshes the vendor's token endpoint granted since the last reset."""
        return self._control("GET", "/tokens")[vendor]["grants"]

    def reset(self) -> None:
        """Back at TODAY with no fault and no dying, minted or rotated token (the sources'
        store of rotated refresh tokens is emptied with the sandbox's)."""
        self.set_faults("off")
        self.set_today(TODAY)
        self._control("POST", "/tokens/reset")
        Path(os.environ.get("PULSE_TOKEN_STORE", "/nonexistent")).unlink(missing_ok=True)


def load(source: Any, workdir: Path, dataset: str, name: str = "test") -> Path:
    """Run a dlt source into ``workdir/w.duckdb``; the pipeline state stays in ``workdir``, so
    a second call is the next scheduled run of the same pipeline."""
    db = workdir / "w.duckdb"
    pipeline = dlt.pipeline(
        name,
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(workdir / "pipelines"),
        dataset_name=dataset,
    )
    pipeline.run(source).raise_on_failed_jobs()
    return db


def sandbox_options(name: str, url: str) -> dict[str, Any]:
    """The factory keywords of source ``name`` against the sandbox at ``url``: its base URLs
    and test credentials (from ``sandbox.credentials``, as the demo sets them), the test
    pseudonymisation key and fast retries, each where the factory takes it."""
    from sandbox.credentials import source_env

    prefix = f"SOURCES__{name.upper()}__"
    options: dict[str, Any] = {
        "pseudonymisation_key": PSEUDONYMISATION_KEY,
        **FAST_RETRIES,
        "request_timeout_s": 10.0,
    }
    for env, value in source_env(url).items():
        if env.startswith(prefix):
            options[env.removeprefix(prefix).lower()] = (
                json.loads(value) if value.startswith("{") else value
            )
    return options


def factory_kwargs(name: str, url: str, **overrides: Any) -> dict[str, Any]:
    """The keywords that point source ``name``'s factory at the sandbox; ``overrides`` win (a
    bad token, a page size, a stub's base URL)."""
    from ingestion.catalogue import source_named

    factory = source_named(name).factory
    accepted = inspect.signature(factory).parameters
    http = http_fields(factory)
    options = {k: v for k, v in sandbox_options(name, url).items() if k in accepted or k in http}
    options.update(overrides)
    if http:  # retry and page-size options go in the factory's ``_http`` configuration
        options["_http"] = {k: options.pop(k) for k in list(options) if k in http}
    return options


def build_source(name: str, url: str, **overrides: Any) -> Any:
    """Source ``name`` of the catalogue pointed at the sandbox (``factory_kwargs``)."""
    from ingestion.catalogue import source_named

    return source_named(name).factory(**factory_kwargs(name, url, **overrides))


@contextmanager
def fault_when(matches: typing.Callable[[str, dict[str, Any]], bool]) -> Iterator[list[str]]:
    """Send ``X-Sandbox-Fault: server_error`` with every request ``matches(url, kwargs)``
    selects; yields the URLs it was sent with (to show the fault really was planted)."""
    planted: list[str] = []
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        if matches(url, kwargs):
            planted.append(url)
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-Sandbox-Fault": "server_error"}
        return original(self, method, url, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign]
    try:
        yield planted
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


def http_fields(factory: Any) -> set[str]:
    """The fields of the ``_http`` configuration (``ingestion.http.HttpConfig``) a source
    factory takes; empty when it takes none."""
    from dlt.common.configuration.inject import get_fun_spec

    hint = get_fun_spec(factory).get_resolvable_fields().get("_http")
    specs = [t for t in typing.get_args(hint) if t is not type(None)]
    return set(specs[0].get_resolvable_fields()) if specs else set()


def load_source(
    name: str,
    url: str,
    workdir: Path,
    pipeline: str = "test",
    resources: tuple[str, ...] = (),
    **overrides: Any,
) -> Path:
    """``build_source`` run into ``workdir/w.duckdb`` (dataset ``raw_<name>``)."""
    source = build_source(name, url, **overrides)
    if resources:
        source = source.with_resources(*resources)
    return load(source, workdir, f"raw_{name}", pipeline)


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """One read-only query (DuckDB allows one writer: the connection is closed at once)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def count(db: Path, table: str) -> int:
    """Rows of ``dataset.table``."""
    return query(db, f"select count(*) from {table}")[0][0]


def has_table(db: Path, dataset: str, table: str) -> bool:
    sql = "select 1 from information_schema.tables where table_schema = ? and table_name = ?"
    return bool(query(db, sql, [dataset, table]))


def keyed_hash(value: str, source: str, key: str = PSEUDONYMISATION_KEY) -> str:
    """HMAC-SHA256 hex of ``value`` under ``source``'s own key, computed here by hand from the
    documented derivation (docs/privacy.md): the source's key is HMAC-SHA256 of
    ``community-pulse/pseudonym/v1/<source>`` under the master key. The oracle of every
    pseudonym test (an unkeyed hash, the master key, another source's key or a NULL differs)."""
    label = f"community-pulse/pseudonym/v1/{source}".encode()
    source_key = hmac.new(key.encode(), label, hashlib.sha256).digest()
    return hmac.new(source_key, value.encode(), hashlib.sha256).hexdigest()


def cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of ``kind`` in the chain dlt wraps a source's error in."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


@contextmanager
def requests_seen(fragment: str) -> Iterator[list[str]]:
    """Record the URL of every HTTP request containing ``fragment`` (to show, for instance,
    that a refused token was asked once and not retried)."""
    seen: list[str] = []
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        if fragment in (request.url or ""):
            seen.append(request.url or "")
        return original(self, request, **kwargs)

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


@contextmanager
def patched_json(mutate: Any) -> Iterator[None]:
    """Let ``mutate(url, request_kwargs, body) -> body`` rewrite JSON answers (to plant
    malformed records)."""
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        resp = original(self, method, url, **kwargs)
        try:
            body = resp.json()
        except ValueError:
            return resp
        resp._content = json.dumps(mutate(url, kwargs, body)).encode()
        return resp

    requests.Session.request = request  # type: ignore[method-assign]
    try:
        yield
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


def world_rows(world: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """A query on the world store itself: the ground truth, read without the sandbox's API."""
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def vendor_truth(world: Path, name: str, day: date) -> dict[str, Any]:
    """``build_manifest(world, day)["sources"][name]`` without computing the other vendors."""
    from sandbox.vendors import discover
    from sandbox.world.store import open_readonly

    vendor = next(v for v in discover() if v.name == name)
    con = open_readonly(world)
    try:
        return vendor.manifest(con.cursor(), day)
    finally:
        con.close()
