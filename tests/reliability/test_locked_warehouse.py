"""A warehouse another process holds open (an analyst's ``duckdb`` session, or a notebook):
a step waits for DuckDB's own lock within PULSE_WAREHOUSE_LOCK_TIMEOUT_S, retrying, then
fails with a message naming the lock and the holder's PID; if the holder lets go in time,
the step goes on and succeeds. The step here is publication, run as Dagster runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, materialize

from orchestration.defs.publish import published_marts_asset
from orchestration.defs.warehouse import Warehouse, warehouse_from_env
from orchestration.duckdb_lock import WarehouseLocked

ANALYST = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])  # read-write, as `duckdb file.duckdb` opens it\n"
    "con.execute('select count(*) from marts.fct_posts').fetchall()\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()  # until the test closes our stdin\n"
)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse with one mart of three rows."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_posts as select * from range(3) t(post)")
    return path


@pytest.fixture
def analyst(warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process with the warehouse open for writing, until its stdin is closed."""
    process = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(10)


def _publish(warehouse: Path, timeout_s: float) -> tuple[bool, str, list[str], float]:
    """Run the publication step; (success, failure message, log lines, seconds taken)."""
    resource = Warehouse(
        path=str(warehouse),
        published=str(warehouse.with_name("published.duckdb")),
        lock_timeout_s=timeout_s,
    )
    with DagsterInstance.ephemeral() as instance:
        started = time.monotonic()
        result = materialize(
            [published_marts_asset([])],
            resources={"warehouse": resource},
            instance=instance,
            raise_on_error=False,
        )
        took = time.monotonic() - started
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    failures = [
        e.step_failure_data.error.to_string()  # with its causes
        for e in result.all_events
        if e.event_type == DagsterEventType.STEP_FAILURE
    ]
    return result.success, "\n".join(failures), logs, took


def test_a_step_waits_then_fails_naming_the_lock_and_its_holder(
    warehouse: Path, analyst: subprocess.Popen[str]
) -> None:
    success, failure, logs, took = _publish(warehouse, timeout_s=2.0)
    assert not success
    assert took >= 2.0  # it waited the whole budget before giving up
    assert "Could not set lock on file" in failure and str(warehouse) in failure
    assert f"PID {analyst.pid}" in failure
    assert "PULSE_WAREHOUSE_LOCK_TIMEOUT_S" in failure
    waits = [line for line in logs if "waiting for another process" in line]
    assert len(waits) == 1 and f"PID {analyst.pid}" in waits[0]
    assert not warehouse.with_name("published.duckdb").exists()


def test_a_step_goes_on_once_the_holder_lets_go(
    warehouse: Path, analyst: subprocess.Popen[str]
) -> None:
    assert analyst.stdin is not None
    release = threading.Timer(1.5, analyst.stdin.close)  # the analyst quits after 1.5 s
    release.start()
    try:
        success, failure, logs, took = _publish(warehouse, timeout_s=30.0)
    finally:
        release.cancel()
    assert success, failure
    assert took < 30  # went on when the lock went, not at the timeout
    assert any("waiting for another process" in line for line in logs)  # found it held
    with duckdb.connect(str(warehouse.with_name("published.duckdb")), read_only=True) as con:
        assert con.execute("select sum(post) from marts.fct_posts").fetchone() == (3,)


def test_the_wait_retries_within_the_one_budget(
    warehouse: Path, analyst: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PULSE_WAREHOUSE_LOCK_TIMEOUT_S bounds the writer slot and this wait together."""
    tries: list[float] = []
    real_connect = duckdb.connect

    def counted(path: str, *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        if path == str(warehouse):
            tries.append(time.monotonic())
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counted)
    monkeypatch.setenv("PULSE_WAREHOUSE_LOCK_TIMEOUT_S", "1.2")
    resource = warehouse_from_env({**os.environ, "PULSE_WAREHOUSE": str(warehouse)})
    started = time.monotonic()
    with pytest.raises(WarehouseLocked, match=f"PID {analyst.pid}"), resource.slot("dbt build"):
        pytest.fail("entered a warehouse another process holds")
    assert 1.2 <= time.monotonic() - started < 2.0
    assert len(tries) >= 3  # tried again and again, not once


def test_a_missing_warehouse_is_free_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "warehouse.duckdb"
    with Warehouse(path=str(missing), lock_timeout_s=1).slot("first load") as waited:
        assert waited < 0.5
    assert not missing.exists()
