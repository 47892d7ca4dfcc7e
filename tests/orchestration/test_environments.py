"""Demo and production apart (issue 12, point 7): sandbox runs (the demo, ``make ui`` with the
sandbox) use files of their own, and a run refuses a warehouse loaded by the other kind.

Expected paths are spelled out from this checkout's location; the planted warehouses are made
by real loads of a one-table source (through the Dagster asset and through ``ingestion.run``),
and the recorded environment is read with plain SQL from ``_pulse.environment``, the table the
README documents.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
from dagster import materialize
from dagster_dlt import DagsterDltResource

from ingestion import catalogue, run
from ingestion.catalogue import Source
from orchestration.defs.ingestion import build_source_assets
from orchestration.defs.warehouse import Warehouse, warehouse_from_env
from pulse_config.environments import WrongEnvironment

CHECKOUT = Path(__file__).resolve().parents[2]
SANDBOX = "http://127.0.0.1:8765"


@dlt.source(name="tiny")
def tiny_source(ids: tuple[int, ...] = (1, 2), base_url: str = "") -> Any:
    return dlt.resource([{"id": i} for i in ids], name="rows")


TINY = Source("tiny", tiny_source, "0 0 * * *", "test source")


@pytest.fixture(autouse=True)
def no_ambient_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the developer's warehouse variables nor sources pointed anywhere leak in."""
    for name in list(os.environ):
        if name.startswith(("PULSE_", "SOURCES__")):
            monkeypatch.delenv(name)


def _rows(file: Path) -> list[tuple]:
    with duckdb.connect(str(file), read_only=True) as con:
        return con.sql("select id from raw_tiny.rows order by id").fetchall()


def _recorded(file: Path) -> list[tuple]:
    with duckdb.connect(str(file), read_only=True) as con:
        return con.sql("select environment, sandbox_url from _pulse.environment").fetchall()


def _dagster_load(file: Path, sandbox_url: str | None, ids: tuple[int, ...]) -> Any:
    """One run of the tiny source's asset into ``file``, as production or as the sandbox."""
    factory = TINY.factory
    source = Source(TINY.name, lambda: factory(ids=ids), TINY.cron, TINY.description)
    warehouse = Warehouse(path=str(file), sandbox_url=sandbox_url)
    return materialize(
        [build_source_assets(source)],
        resources={"warehouse": warehouse, "dlt": DagsterDltResource()},
        raise_on_error=False,
    )


def _failure(result: Any) -> str:
    (event,) = result.get_step_failure_events()
    return event.step_failure_data.user_failure_data.description


def test_the_demos_files_differ_from_productions() -> None:
    """The demo and ``make ui`` point their process at the sandbox with ``sandbox_env``; with
    no warehouse variable set, that alone moves every file under data/demo/."""
    from orchestration.demo import sandbox_env

    production = warehouse_from_env({})
    demo = warehouse_from_env(sandbox_env(SANDBOX))
    data = CHECKOUT / "data"
    assert (production.file, production.published_file, production.pipelines_dir) == (
        data / "warehouse.duckdb",
        data / "published.duckdb",
        data / "dlt_pipelines",
    )
    assert (demo.file, demo.published_file, demo.pipelines_dir) == (
        data / "demo" / "warehouse.duckdb",
        data / "demo" / "published.duckdb",
        data / "demo" / "dlt_pipelines",
    )
    assert (production.environment.name, demo.environment.name) == ("production", "sandbox")


def test_a_source_pointed_at_loopback_makes_a_sandbox_run_without_the_flag() -> None:
    """A base URL set by hand at the local sandbox still counts as the sandbox."""
    assert warehouse_from_env({"SOURCES__X__BASE_URL": "http://localhost:9/x"}).sandbox_url == (
        "http://localhost:9"
    )
    real = {"SOURCES__MATOMO__BASE_URL": "https://matomo.example.org"}
    assert warehouse_from_env(real).sandbox_url is None


@pytest.mark.parametrize("sandbox_url", [None, SANDBOX], ids=["production", "sandbox"])
def test_a_fresh_warehouse_records_the_environment_of_its_first_load(
    tmp_path: Path, sandbox_url: str | None
) -> None:
    file = tmp_path / "w.duckdb"
    assert _dagster_load(file, sandbox_url, (1, 2)).success
    assert _rows(file) == [(1,), (2,)]
    expected = ("sandbox", SANDBOX) if sandbox_url else ("production", None)
    assert _recorded(file) == [expected]


def test_a_production_run_refuses_a_sandbox_warehouse_and_loads_nothing(tmp_path: Path) -> None:
    file = tmp_path / "w.duckdb"
    assert _dagster_load(file, SANDBOX, (1, 2)).success
    result = _dagster_load(file, None, (3,))
    assert not result.success
    message = _failure(result)
    assert message.startswith(f"{file} holds rows loaded from the sandbox ({SANDBOX}); ")
    assert "production runs refuse it: point PULSE_WAREHOUSE at a fresh file" in message
    assert "`make demo` (its warehouse: data/demo/warehouse.duckdb)" in message
    assert _rows(file) == [(1,), (2,)]
    assert _recorded(file) == [("sandbox", SANDBOX)]


def test_a_sandbox_run_refuses_a_production_warehouse_and_loads_nothing(tmp_path: Path) -> None:
    file = tmp_path / "w.duckdb"
    assert _dagster_load(file, None, (1, 2)).success
    result = _dagster_load(file, SANDBOX, (3,))
    assert not result.success
    message = _failure(result)
    assert message.startswith(f"{file} holds rows loaded from the real APIs; sandbox runs refuse")
    assert "data/demo/warehouse.duckdb" in message
    assert _rows(file) == [(1,), (2,)]


def test_a_warehouse_of_unknown_origin_is_refused(tmp_path: Path) -> None:
    """A file loaded before warehouses recorded their environment (the old demo's
    data/warehouse.duckdb) could hold either: it is refused until someone says which."""
    file = tmp_path / "w.duckdb"
    with duckdb.connect(str(file)) as con:
        con.execute("create schema raw_tiny; create table raw_tiny.rows as select 1 as id")
    result = _dagster_load(file, None, (3,))
    assert not result.success
    assert "no record of where its rows came from" in _failure(result)
    assert f"pulse_config.environments record production {file}" in _failure(result)
    assert _rows(file) == [(1,)]


def test_the_runner_checks_too_and_keeps_dlt_state_beside_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m ingestion.run``: a load at a loopback base URL is a sandbox load, refused
    on a file production loaded; dlt's state is beside the file, not in ~/.dlt."""
    monkeypatch.setattr(catalogue, "SOURCES", (TINY,))
    file = tmp_path / "w.duckdb"
    run.run_source("tiny", file)
    assert (tmp_path / "dlt_pipelines" / "tiny").is_dir()
    with pytest.raises(WrongEnvironment, match="holds rows loaded from the real APIs; sandbox"):
        run.run_source("tiny", file, ids=(3,), base_url=f"{SANDBOX}/tiny")
    with pytest.raises(SystemExit, match="holds rows loaded from the real APIs"):
        run.main(["tiny", "--db", str(file), "--base-url", f"{SANDBOX}/tiny"])
    assert _rows(file) == [(1,), (2,)]
    assert _recorded(file) == [("production", None)]


def test_the_demo_refuses_a_production_warehouse_before_running_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make demo`` with PULSE_WAREHOUSE at production's file stops before dbt and the
    replay (the sandbox is stubbed: nothing is asked of it before the check)."""
    from orchestration import demo
    from sandbox import server

    file = tmp_path / "w.duckdb"
    assert _dagster_load(file, None, (1, 2)).success

    @contextlib.contextmanager
    def no_sandbox(*_args: Any, **_kwargs: Any) -> Iterator[str]:
        yield SANDBOX

    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the demo went on past the refusal")

    monkeypatch.setattr(server, "ensure_world", lambda _path: None)
    monkeypatch.setattr(server, "run_in_thread", no_sandbox)
    monkeypatch.setattr("orchestration.dbt_project.prepare", never)
    monkeypatch.setattr(demo, "replay", never)
    monkeypatch.setenv("PULSE_WAREHOUSE", str(file))
    saved = dict(os.environ)
    try:
        with pytest.raises(SystemExit) as exit_:
            demo.main(["--world", str(tmp_path / "world.duckdb")])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert exit_.value.code == 2
    assert _rows(file) == [(1,), (2,)]


def test_make_ui_gives_dagster_the_demos_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration import ui

    dagster_env: list[dict[str, str]] = []
    monkeypatch.setattr(ui.subprocess, "Popen", lambda *a, **k: None)
    monkeypatch.setattr(ui.subprocess, "call", lambda *a, env, **k: dagster_env.append(env) or 0)
    monkeypatch.setattr(ui, "refusal", lambda _warehouse: None)  # the checkout's demo file
    assert ui.main(["--sandbox-port", "8765"]) == 0
    (env,) = dagster_env
    assert warehouse_from_env(env).file == CHECKOUT / "data" / "demo" / "warehouse.duckdb"


def test_make_ui_refuses_a_production_warehouse_before_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import ui

    file = tmp_path / "w.duckdb"
    assert _dagster_load(file, None, (1, 2)).success
    monkeypatch.setenv("PULSE_WAREHOUSE", str(file))
    monkeypatch.setattr(ui.subprocess, "Popen", lambda *a, **k: pytest.fail("sandbox started"))
    monkeypatch.setattr(ui.subprocess, "call", lambda *a, **k: pytest.fail("dagster started"))
    assert ui.main(["--sandbox-port", "8765"]) == 2
