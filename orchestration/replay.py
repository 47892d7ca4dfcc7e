"""Live the sandbox world's last days as production lives them, through Dagster.

Production ingests each source in its own run on its own schedule and rebuilds the marts once
a day (``daily_refresh``: job ``transform_and_publish``). The replay does the same on the
sandbox, day by day with the sandbox clock:

1. backfill: the clock is set ``daily_days`` before its default today (the world's last
   generated day) and every source loads its whole history, one run per source;
2. each following day the clock advances one day and every source runs again, so every post's
   lifetime metrics are snapshotted on each day it lives through;
3. on the last day, after that day's ingestion, ``transform_and_publish`` runs once: the
   blocking GX gates on the raw tables, ``dbt build``, the GX suites on the marts, publication.

A day's source runs execute side by side in ``PARALLEL_RUNS`` worker processes, as a run queue
would launch them: each extracts outside the warehouse writer slot and queues only for its
load (``orchestration.writer_lock``). Each is a Dagster run of ``ingest_everything`` restricted
to that source's assets (without the raw GX suites, which the build runs first), so every run
shows in the Dagster UI.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

INGEST_JOB = "ingest_everything"
BUILD_JOB = "transform_and_publish"
PARALLEL_RUNS = 3
"""Source runs at once. Measured on 2 cores (2026-12-06, one day of nine runs, warm workers):
three and four workers both take about 9.5 s a day, against 18-20 s for the nine runs in
series; each run costs about 1.3 s of CPU, so more workers only queue for the two cores."""


@dataclass
class RunOutcome:
    """One Dagster run: which job (and source) on which sandbox day, and how it went."""

    job: str
    day: date
    ok: bool
    seconds: float
    rows_loaded: int
    failed_checks: list[str]
    output: str = ""
    """What a quiet run wrote on stdout (dlt's progress), shown only if the run failed."""
    source: str = ""


@dataclass
class DayOutcome:
    """The runs of one simulated day: every source's ingestion, then the build (last day)."""

    label: str
    day: date
    seconds: float
    runs: list[RunOutcome]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.runs)

    @property
    def build(self) -> RunOutcome | None:
        return next((r for r in self.runs if r.job == BUILD_JOB), None)


def run_job(
    name: str, day: date, quiet: bool = False, source: str = "", instance: Any = None
) -> RunOutcome:
    """Execute job ``name`` of ``orchestration.definitions`` in this process on ``instance``
    (default: the instance of ``DAGSTER_HOME``, so the run shows in the UI), restricted to
    ``source``'s assets if given. A quiet run logs warnings and errors only and keeps dlt's
    progress lines out of the console."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def(name)
    if source:
        job = source_subset(job, source)
    captured = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(captured) if quiet else contextlib.nullcontext():
        result = job.execute_in_process(
            instance=instance or DagsterInstance.get(),
            raise_on_error=False,
            run_config={
                "loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}
            },
        )
    seconds = time.monotonic() - started
    rows = 0
    for event in result.get_asset_materialization_events():
        loaded = event.event_specific_data.materialization.metadata.get("rows_loaded")
        rows += int(loaded.value) if loaded is not None else 0
    failed = [
        f"{'/'.join(e.asset_key.path)}: {e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    output = captured.getvalue()
    return RunOutcome(name, day, result.success, seconds, rows, failed, output, source)


def source_subset(job: Any, source: str) -> Any:
    """``job`` restricted to ``source``'s tables and their schema-drift checks: what a daily
    load needs. Selecting assets alone would bring back every check on them, among them the
    raw GX suites (which the build runs first) and freshness (its own hourly job): measured,
    each simulated day then took 30-40 s instead of 12."""
    from orchestration.definitions import SOURCE_ASSETS
    from orchestration.defs.schema_drift import SCHEMA_DRIFT_BY_SOURCE

    return job.get_subset(
        asset_selection=set(SOURCE_ASSETS[source].keys),
        asset_check_selection=set(SCHEMA_DRIFT_BY_SOURCE[source].check_keys),
    )


def _ingest_source(source: str, day: date) -> RunOutcome:
    """One source's ingestion run (a worker process's task)."""
    return run_job(INGEST_JOB, day, quiet=True, source=source)


@dataclass
class Replay:
    """The days of the backfill-then-daily replay, in order."""

    today: date
    """The sandbox clock's today when the replay began: the day the build runs."""
    daily_days: int
    days: list[DayOutcome] = field(default_factory=list)

    @property
    def backfill(self) -> DayOutcome | None:
        return self.days[0] if self.days else None

    @property
    def daily(self) -> list[DayOutcome]:
        """The days after the backfill (the last one also holds the build)."""
        return self.days[1:]

    @property
    def build(self) -> RunOutcome | None:
        return self.days[-1].build if self.days else None

    @property
    def ok(self) -> bool:
        return bool(self.days) and self.build is not None and all(d.ok for d in self.days)


def replay(
    clock: Callable[..., dict[str, str]],
    daily_days: int,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> Replay:
    """Backfill at (today - ``daily_days``), every source again on each following day with
    the sandbox clock advanced, then ``transform_and_publish`` on today. ``clock(action,
    **params)`` reads, sets or advances the sandbox clock. Stops at the first failed day (a
    failed load would leave the marts built on a hole)."""
    from ingestion.catalogue import SOURCES

    now = clock()
    today, first = date.fromisoformat(now["today"]), date.fromisoformat(now["first_day"])
    start = today - timedelta(days=daily_days)
    if daily_days < 0 or start < first:
        raise ValueError(
            f"--daily-days {daily_days}: the backfill day {start} is outside the world "
            f"({first} .. {today}); at most {(today - first).days}"
        )
    done = Replay(today, daily_days)
    _prepare_workers()
    clock("set", today=start.isoformat())
    context = multiprocessing.get_context("fork")  # workers inherit the imported definitions
    with ProcessPoolExecutor(PARALLEL_RUNS, mp_context=context) as pool:
        for i in range(daily_days + 1):
            day = start if i == 0 else date.fromisoformat(clock("advance", days=1)["today"])
            label = "backfill" if i == 0 else f"day {i}/{daily_days}"
            started = time.monotonic()
            runs = list(pool.map(_ingest_source, [s.name for s in SOURCES], [day] * len(SOURCES)))
            outcome = DayOutcome(label, day, time.monotonic() - started, runs)
            done.days.append(outcome)
            _report(outcome, say)
            if not outcome.ok:
                return done
    say(f"\n==> {today}: job {BUILD_JOB} (GX gates, dbt build, GX suites, publication)")
    build = run_job(BUILD_JOB, today)
    done.days[-1].runs.append(build)
    say(f"  build        {today}  {BUILD_JOB:<22} {build.seconds:6.1f} s  {_status(build.ok)}")
    return done


def _prepare_workers() -> None:
    """Import the definitions and create the Dagster instance's SQLite databases before the
    workers fork: they then share the imported code (an import takes about 10 s), and no two
    processes create the same dlt pipeline folder or the instance's schema at once (both race)."""
    from dagster import DagsterInstance

    import orchestration.definitions  # noqa: F401

    DagsterInstance.get().get_runs(limit=1)


def _status(ok: bool) -> str:
    return "ok" if ok else "FAILED"


def _report(day: DayOutcome, say: Callable[[str], None]) -> None:
    """One line per day; a failed run's output and name."""
    say(
        f"  {day.label:<12} {day.day}  {len(day.runs)} source runs {day.seconds:11.1f} s  "
        f"{day.rows_loaded:>9,} rows loaded  {_status(day.ok)}"
    )
    for run in day.runs:
        if not run.ok:
            say(f"    {run.source}: {INGEST_JOB} FAILED\n{run.output[-5000:]}")
