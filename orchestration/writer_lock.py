"""The warehouse writer slot: one process at a time opens the DuckDB file.

DuckDB lets one process write a file, and a process that has it open blocks every other one,
reader or writer. Dagster's pool ``duckdb`` serialises the steps that hold the file for their
whole life (dbt, the GX suites, publication); the dlt sources only need it while they load, so
they extract and normalise outside it, in parallel, and take this lock for the load. The lock
is an advisory ``flock`` on ``<warehouse>.lock``, so it holds across runs, processes and
threads, and is released by the kernel when its holder dies (a killed worker frees it).

A step that cannot get the slot within ``PULSE_WAREHOUSE_LOCK_TIMEOUT_S`` fails with a message
naming the holder, instead of hanging a schedule behind a stuck run. A process outside the
project (an analyst's ``duckdb`` session) never takes this lock, only DuckDB's own on the file:
``orchestration.duckdb_lock`` waits for that one, within the same timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

POLL_S = 0.05


class WarehouseBusy(RuntimeError):
    """The writer slot stayed taken longer than the timeout."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextlib.contextmanager
def writer_slot(
    warehouse: Path,
    holder: str,
    timeout_s: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[float]:
    """Hold the warehouse's writer slot; yields the seconds spent waiting for it.

    ``holder`` (e.g. ``"load raw_meta"``) is written into the lock file so that whoever waits
    can say what it waits for. ``on_wait`` is told once when the slot is taken by another.
    """
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(path, "a+") as handle:
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= timeout_s:
                    raise WarehouseBusy(
                        f"{holder}: the warehouse writer slot ({path}) is still held by "
                        f"{current_holder(path)} after {waited:.0f} s "
                        "(PULSE_WAREHOUSE_LOCK_TIMEOUT_S)"
                    ) from None
                if on_wait is not None and not told:
                    on_wait(f"{holder}: waiting for the writer slot ({current_holder(path)})")
                    told = True
                time.sleep(POLL_S)
        waited = time.monotonic() - started
        handle.seek(0)
        handle.truncate()
        since = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"{holder} (pid {os.getpid()}, since {since})")
        handle.flush()
        try:
            yield waited
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_holder(path: Path) -> str:
    """What the lock file says about its holder (best effort: it is written after locking)."""
    try:
        return path.read_text().strip() or "another process"
    except OSError:
        return "another process"
