"""A bounded wait on DuckDB's own lock on the warehouse file.

The writer slot (``orchestration.writer_lock``) orders this project's own steps, but an analyst
who opens the warehouse with the ``duckdb`` CLI or from Python takes DuckDB's file lock without
asking it. Every step that opens the file (a dlt load, ``dbt build``, a GX suite, publication,
retention and erasure) would then fail at once with DuckDB's ``IOException``. So once a step
holds the writer slot, ``wait_until_free`` opens the file the way a writer does, every
``RETRY_S``, until DuckDB lets it (then closes it again, for the step to open it its own way)
or the time is up: the step then fails with DuckDB's own words, which name the holding
process and its PID. The slot and this wait share one budget, PULSE_WAREHOUSE_LOCK_TIMEOUT_S.

Between this probe and the step's own open another process could still take the file; the
step then fails with the same DuckDB message, and the next run waits again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration.writer_lock import WarehouseBusy

RETRY_S = 0.5
LOCK_CONFLICT = "Could not set lock on file"
"""The start of DuckDB's ``IOException`` when another process has the file open."""


class WarehouseLocked(WarehouseBusy):
    """Another process kept DuckDB's lock on the warehouse file for the whole wait."""


def conflict(path: Path) -> str | None:
    """DuckDB's message if another process holds ``path``, else None. A file that does not
    exist yet is free (the probe must not create it: a fresh warehouse is recorded by the
    first step that writes it). Any other DuckDB error is the step's own to raise."""
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if LOCK_CONFLICT in str(error):
            return str(error)
        return None
    except duckdb.Error:
        return None
    return None


def wait_until_free(
    path: Path,
    holder: str,
    timeout_s: float,
    on_wait: Callable[[str], None] | None = None,
) -> float:
    """Wait until no other process holds DuckDB's lock on ``path``; the seconds waited.

    Raises ``WarehouseLocked`` naming the file, the holder DuckDB reports and the setting,
    after ``timeout_s``. ``on_wait`` is told once, when the first attempt finds the lock.
    """
    started = time.monotonic()
    told = False
    while (message := conflict(path)) is not None:
        waited = time.monotonic() - started
        if waited >= timeout_s:
            raise WarehouseLocked(
                f"{holder}: another process still has the warehouse file open after "
                f"{waited:.0f} s (PULSE_WAREHOUSE_LOCK_TIMEOUT_S); close that connection "
                f"(BI tools and analysts read the published copy instead). DuckDB: {message}"
            )
        if on_wait is not None and not told:
            on_wait(f"{holder}: waiting for another process to close {path}: {message}")
            told = True
        time.sleep(min(RETRY_S, max(timeout_s - waited, 0.0)))
    return time.monotonic() - started
