"""Runs the cells: one task per source, each with its own sandbox (own port) and pipelines,
so tasks run side by side in worker processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}
SANDBOX_ENV = {"SANDBOX_X_RATE_RESET_S": "0"}
"""X's 429s say "retry now" rather than in two seconds (as the sources' tests set it)."""


@contextlib.contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """The worker's stdout and stderr (dlt, the sources' warnings) go to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)


def run_source(source: str, faults: Sequence[str], world: str, workdir: str) -> list[dict]:
    """Every fault of ``faults`` against ``source`` (a worker process's task)."""
    os.environ.update({**TELEMETRY_OFF, **SANDBOX_ENV})
    base = Path(workdir) / source
    base.mkdir(parents=True, exist_ok=True)
    os.environ["PULSE_TOKEN_STORE"] = str(base / "rotated-tokens.json")
    for name in [n for n in os.environ if n.startswith("SOURCES__")]:
        del os.environ[name]  # the cells pass every setting; the developer's own stay out
    from reliability.cells import run_cell
    from reliability.plan import fault_named
    from sandbox.server import run_in_thread
    from tests.sources.support import TODAY, Sandbox

    results = []
    with _logging_to(base / "cells.log"), run_in_thread(world, today=TODAY, faults="") as url:
        sandbox = Sandbox(url, Path(world))
        for name in faults:
            cell_dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
            result = run_cell(sandbox, Path(world), source, fault_named(name), cell_dir)
            results.append(result.as_dict())
            if result.outcome in ("ok", "not_fired"):  # kept: the failed loads, to look into
                shutil.rmtree(cell_dir, ignore_errors=True)
    return results


def run_matrix(
    sources: Sequence[str],
    faults: Sequence[str],
    world: Path,
    workdir: Path,
    workers: int,
    progress: Callable[[dict[str, Any]], None] = lambda cell: None,
) -> tuple[list[dict[str, Any]], float]:
    """Every cell, in the order of ``sources`` x ``faults``, and the wall time it took."""
    started = time.monotonic()
    by_source: dict[str, list[dict[str, Any]]] = {}
    context = get_context("spawn")  # a fresh interpreter: no threads or DuckDB handles inherited
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        tasks = {
            pool.submit(run_source, s, list(faults), str(world), str(workdir)): s for s in sources
        }
        for done in as_completed(tasks):
            by_source[tasks[done]] = done.result()
            for cell in by_source[tasks[done]]:
                progress(cell)
    cells = [cell for s in sources for cell in by_source[s]]
    return cells, time.monotonic() - started
