"""``make demo``: the whole warehouse on the sandbox, through the same Dagster definitions.

Generates the sandbox world if missing, serves it on loopback and points the sources at it,
then lives the world's last days the way a production warehouse lives them:

1. backfill: the sandbox clock is set ``--daily-days`` days before its default today (the
   world's last generated day) and the job ``ingest_everything`` loads every source;
2. daily runs: the clock advances one day and ``ingest_everything`` runs again, once per day,
   so every post's lifetime metrics are snapshotted on each day it lives through;
3. on the last day, ``refresh_everything`` (the job the daily schedule runs) does that day's
   ingestion, the blocking GX gates on the raw tables, ``dbt build``, the GX suites on the
   marts and the publication, once.

``fct_post_metrics_daily`` then holds real daily series and the recent posts of every platform
have their D+1 and D+7 values. The sandbox is stopped and the demo prints what was built and
where. ``--daily-days 0`` runs ``refresh_everything`` alone on the last day (one snapshot per
post, no daily series).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orchestration.settings import PROJECT_ROOT, published_path, warehouse_path

DEMO_PSEUDONYMISATION_KEY = "demo-only-key-not-for-production"

DEFAULT_DAILY_DAYS = 2
"""Simulated days after the backfill. Measured on the default world and 2 cores (2026-12-06,
BENCHMARKS.md): the backfill takes about 115-130 s, each daily run about 20 s (nine dlt
pipelines' fixed cost, Dagster and about 420 requests) and the final build about 95-115 s, so two
days keep ``make demo`` under five minutes (242 s); they give three days of daily series and,
with the backfill's own snapshots, D+1 and D+7 on every platform. ``--daily-days 14`` replays two
weeks (about 9 minutes)."""

BACKFILL_JOB = DAILY_JOB = "ingest_everything"
FINAL_JOB = "refresh_everything"


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def point_sources_at(base_url: str) -> None:
    """Send every source to the sandbox with the sandbox's test credentials."""
    from sandbox.credentials import source_env

    os.environ.update(source_env(base_url))
    os.environ.setdefault("PULSE_PSEUDONYMISATION_KEY", DEMO_PSEUDONYMISATION_KEY)


def sandbox_clock(base_url: str, action: str = "", **params: Any) -> dict[str, str]:
    """The sandbox clock (``GET /_sandbox/clock``), or ``set`` / ``advance`` it (POST)."""
    import requests

    url = f"{base_url}/_sandbox/clock" + (f"/{action}" if action else "")
    response = (requests.post if action else requests.get)(url, params=params, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"sandbox clock {action or 'read'} {params}: {response.text}")
    return response.json()


@dataclass
class RunOutcome:
    """One Dagster run of the demo: which job on which sandbox day, and how it went."""

    job: str
    day: date
    ok: bool
    seconds: float
    rows_loaded: int
    failed_checks: list[str]
    output: str = ""
    """What a quiet run wrote on stdout (dlt's progress), shown only if the run failed."""


def run_job(name: str, day: date, instance: Any = None, quiet: bool = False) -> RunOutcome:
    """Execute job ``name`` of ``orchestration.definitions`` in this process on ``instance``
    (default: the instance of ``DAGSTER_HOME``, so the run shows in the UI). A quiet run logs
    warnings and errors only and keeps dlt's progress lines out of the console."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def(name)
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
    return RunOutcome(name, day, result.success, seconds, rows, failed, captured.getvalue())


@dataclass
class Replay:
    """The runs of the backfill-then-daily replay, in order."""

    today: date
    """The sandbox clock's today when the replay began: the day the final build runs."""
    daily_days: int
    runs: list[RunOutcome] = field(default_factory=list)

    @property
    def backfill(self) -> RunOutcome | None:
        return self.runs[0] if self.daily_days and self.runs else None

    @property
    def daily(self) -> list[RunOutcome]:
        """The daily ingestion runs (the last day's ingestion is in the final run)."""
        return [r for r in self.runs[1:] if r.job == DAILY_JOB] if self.daily_days else []

    @property
    def final(self) -> RunOutcome | None:
        last = self.runs[-1] if self.runs else None
        return last if last is not None and last.job == FINAL_JOB else None

    @property
    def ok(self) -> bool:
        return bool(self.runs) and self.final is not None and all(r.ok for r in self.runs)


def replay(
    base_url: str,
    daily_days: int,
    instance: Any = None,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> Replay:
    """Backfill at (today - ``daily_days``), one ``ingest_everything`` per following day with
    the sandbox clock advanced, ``refresh_everything`` on today; stops at the first failed run
    (a failed load would leave the marts built on a hole, and the build would not run)."""
    from dagster import DagsterInstance

    instance = instance or DagsterInstance.get()
    clock = sandbox_clock(base_url)
    today, first = date.fromisoformat(clock["today"]), date.fromisoformat(clock["first_day"])
    start = today - timedelta(days=daily_days)
    if daily_days < 0 or start < first:
        raise ValueError(
            f"--daily-days {daily_days}: the backfill day {start} is outside the world "
            f"({first} .. {today}); at most {(today - first).days}"
        )
    done = Replay(today, daily_days)

    def run(job: str, day: date, label: str) -> bool:
        quiet = job != FINAL_JOB
        if not quiet:
            _step(f"{label} {day}: job {FINAL_JOB} (ingestion, GX gates, dbt build, publish)")
        outcome = run_job(job, day, instance, quiet=quiet)
        done.runs.append(outcome)
        status = "ok" if outcome.ok else "FAILED"
        say(
            f"  {label:<12} {day}  {job:<18} {outcome.seconds:6.1f} s  "
            f"{outcome.rows_loaded:>9,} rows loaded  {status}"
        )
        if not outcome.ok and outcome.output:
            print(outcome.output[-5000:], flush=True)
        return outcome.ok

    if daily_days == 0:
        run(FINAL_JOB, today, "today")
        return done
    _step(
        f"backfill: sandbox clock set to {start} (today {today} - {daily_days} days), "
        f"job {BACKFILL_JOB}"
    )
    sandbox_clock(base_url, "set", today=start.isoformat())
    if not run(BACKFILL_JOB, start, "backfill"):
        return done
    _step(
        f"{daily_days} daily runs: the sandbox clock advances one day before each; "
        f"job {DAILY_JOB}, then {FINAL_JOB} on {today}"
    )
    for i in range(1, daily_days + 1):
        day = date.fromisoformat(sandbox_clock(base_url, "advance", days=1)["today"])
        job = FINAL_JOB if i == daily_days else DAILY_JOB
        if not run(job, day, f"day {i}/{daily_days}"):
            break
    return done


def mart_rows(path: Path) -> dict[str, int]:
    """Rows per table of the ``marts`` schema in ``path`` (the published copy)."""
    import duckdb

    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        ).fetchall()
        return {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for (t,) in tables}
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8765")))
    parser.add_argument("--world", default=str(PROJECT_ROOT / "data" / "sandbox" / "world.duckdb"))
    parser.add_argument(
        "--daily-days",
        type=int,
        default=DEFAULT_DAILY_DAYS,
        help=f"days replayed one run a day after the backfill (default {DEFAULT_DAILY_DAYS}; "
        "0: one refresh_everything run on the last day)",
    )
    args = parser.parse_args(argv)

    from sandbox.server import ensure_world, run_in_thread

    started = time.monotonic()
    _step(f"sandbox world: {args.world}")
    ensure_world(Path(args.world))
    _step(f"starting the sandbox on 127.0.0.1:{args.port}")
    with run_in_thread(Path(args.world), port=args.port) as base_url:
        point_sources_at(base_url)
        try:
            done = replay(base_url, args.daily_days)
        except ValueError as exc:  # --daily-days reaches before the world's first day
            parser.error(str(exc))
    _step("sandbox stopped")

    final = done.final
    ok = done.ok
    failed_checks = final.failed_checks if final else []
    published = published_path()
    rows = mart_rows(published)
    print(f"\nCommunity Pulse demo finished in {time.monotonic() - started:.0f} s")
    print(f"  run:            {'succeeded' if ok else 'FAILED (see the log above)'}")
    if done.backfill:
        b = done.backfill
        print(
            f"  backfill:       {b.day} (today {done.today} - {done.daily_days} days), "
            f"{BACKFILL_JOB} {b.seconds:.0f} s, {b.rows_loaded:,} rows loaded"
        )
    if done.daily_days:
        daily, days = done.daily, len(done.runs) - 1
        seconds = sum(r.seconds for r in daily)
        per_day = f" ({seconds / len(daily):.1f} s a day)" if daily else ""
        print(
            f"  daily runs:     {days} of {done.daily_days}: {len(daily)} x {DAILY_JOB} in "
            f"{seconds:.0f} s{per_day}, {sum(r.rows_loaded for r in daily):,} rows loaded"
            + (f", then {FINAL_JOB}" if final else "")
        )
    if final:
        print(
            f"  final run:      {FINAL_JOB} on {final.day} in {final.seconds:.0f} s "
            f"(that day's ingestion, build, checks, publication)"
        )
    print(f"  warehouse:      {warehouse_path()}  (written by the pipeline)")
    print(f"  published marts:{published}  (open this one read-only)")
    print("  rows per mart:")
    for table, count in rows.items():
        print(f"    marts.{table:<28} {count:>9,}")
    print(f"  failed checks:  {len(failed_checks)}")
    for check in failed_checks:
        print(f"    - {check}")
    print("  Dagster UI:     make ui   (then http://127.0.0.1:3000; these runs are in its history)")
    print(f"  query:          duckdb.connect('{published}', read_only=True)")
    return 0 if ok and not failed_checks else 1


if __name__ == "__main__":
    sys.exit(main())
