"""The warehouse writer slot: one holder at a time across processes, a bounded wait that names
the holder, and a slot freed by the kernel when its holder is killed."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from orchestration.writer_lock import WarehouseBusy, lock_path, writer_slot


def _hold(warehouse: str, holder: str, ready: multiprocessing.synchronize.Event) -> None:
    with writer_slot(Path(warehouse), holder, timeout_s=5):
        ready.set()
        time.sleep(60)


@pytest.fixture
def holder(tmp_path: Path):  # noqa: ANN201
    """A separate process holding the slot of ``tmp_path/warehouse.duckdb`` until killed."""
    warehouse = tmp_path / "warehouse.duckdb"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=_hold, args=(str(warehouse), "load raw_meta", ready))
    process.start()
    assert ready.wait(30), "the holder never took the slot"
    yield warehouse, process
    if process.is_alive():
        process.kill()
    process.join(10)


def test_a_second_holder_waits_then_fails_naming_the_first(holder) -> None:  # noqa: ANN001
    warehouse, process = holder
    told: list[str] = []
    started = time.monotonic()
    with (
        pytest.raises(WarehouseBusy) as error,
        writer_slot(warehouse, "dbt build", timeout_s=0.5, on_wait=told.append),
    ):
        pytest.fail("entered a slot another process holds")
    assert time.monotonic() - started >= 0.5
    message = str(error.value)
    assert "dbt build" in message and "load raw_meta" in message
    assert f"pid {process.pid}" in message
    assert len(told) == 1 and "load raw_meta" in told[0]


def test_a_killed_holder_frees_the_slot(holder) -> None:  # noqa: ANN001
    warehouse, process = holder
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    with writer_slot(warehouse, "dbt build", timeout_s=5) as waited:
        assert waited < 1
        assert "dbt build" in lock_path(warehouse).read_text()


def test_the_slot_is_taken_once_released(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with writer_slot(warehouse, "first", timeout_s=1):
        pass
    assert lock_path(warehouse).read_text() == ""
    with writer_slot(warehouse, "second", timeout_s=1) as waited:
        assert waited < 0.5


def _slot_taken(warehouse: Path) -> bool:
    """Whether someone holds the slot: try it from a fresh file description."""
    try:
        with writer_slot(warehouse, "probe", timeout_s=0):
            return False
    except WarehouseBusy:
        return True


def test_a_source_holds_the_slot_only_to_read_its_state_and_to_load(tmp_path: Path) -> None:
    """Extraction and normalisation (HTTP, rate limits) run outside the slot."""
    from types import SimpleNamespace

    from orchestration.defs.ingestion import extract_then_load
    from orchestration.defs.warehouse import Warehouse

    warehouse = tmp_path / "warehouse.duckdb"
    calls: list[tuple[str, bool]] = []

    class Pipeline:
        def __getattr__(self, step: str):  # noqa: ANN204
            def call(*_args: object) -> SimpleNamespace:
                calls.append((step, _slot_taken(warehouse)))
                return SimpleNamespace(raise_on_failed_jobs=lambda: None)

            return call

    context = SimpleNamespace(log=SimpleNamespace(info=lambda _message: None))
    source = SimpleNamespace(name="tiktok", dataset="raw_tiktok")
    extract_then_load(context, source, object(), Pipeline(), Warehouse(path=str(warehouse)))
    assert calls == [
        ("drop", True),
        ("sync_destination", True),
        ("extract", False),
        ("normalize", False),
        ("load", True),
    ]
