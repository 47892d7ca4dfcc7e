"""The whole daily job through Dagster, in a child process whose process tree is sampled.

The child (``python -m benchmarks.bench_job``) serves the world from a process of its own (as
the vendors' APIs are apart from the job), points its own Dagster instance, warehouse and
sources at it, and runs what production runs:

1. backfill: every source's ingestion run (``ingest_everything`` per source, three at a time
   as ``orchestration.replay`` runs them) on the day before the world's last day;
2. the first ``transform_and_publish`` (raw GX gates, a full dbt build, GX suites on the
   marts, publication): with the backfill, the end-to-end figure of a new warehouse;
3. the daily job, measured: the clock advances a day, every source runs again, then
   ``transform_and_publish`` (incremental models build incrementally).

``--resume-from DIR`` starts at step 3 from a copy of a warehouse already backfilled and built
on the day before the world's last (``DIR/warehouse.duckdb`` and dlt's state ``DIR/dlt``):
the scale world's backfill takes longer than one sitting, so its daily job is measured on
the warehouse a stopped run left (BENCHMARKS.md, "The scale world through the sources"), or on
the copy a whole run keeps of its own after step 2 (``OUT/built``).

Each build's step times come from the Dagster event log, so the GX suites' share is measured
inside the job. The parent samples the peak memory of every process of the tree (the child,
its forked run workers, the dbt processes with DuckDB inside) and attributes each to the phase
it lived in (``phase`` file written by the child). It rewrites them to ``OUT/peaks.json``
every ``PEAKS_EVERY_S`` and when the child ends, so a run that fails or is stopped still
tells what each process reached.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_memory import TreeSampler, kind
from benchmarks.bench_steal import StealMeter

PEAKS_EVERY_S = 10.0


def measure_job(
    world: Path, out: Path, registry: Path | None, resume_from: Path | None = None
) -> dict[str, Any]:
    """Run the child on ``world`` under ``out``; its figures and every process's peak."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "benchmarks.bench_job", "--world", str(world),
               "--out", str(out), *(["--registry", str(registry)] if registry else []),
               *(["--resume-from", str(resume_from)] if resume_from else [])]  # fmt: skip
    phase_file = out / "phase"
    phase_file.write_text("start")
    started = time.perf_counter()
    child = subprocess.Popen(command)
    sampler = TreeSampler(child.pid)
    sampler.start()
    phases: dict[int, str] = {}
    saved = 0.0
    while child.poll() is None:
        phase = phase_file.read_text()
        for pid in list(sampler.peaks):
            phases.setdefault(pid, phase)
        if time.perf_counter() - saved > PEAKS_EVERY_S:  # a stopped run still tells its peaks
            save_peaks(out, processes(sampler.highest_first(), phases, child.pid))
            saved = time.perf_counter()
        time.sleep(0.2)
    found_processes = processes(sampler.stop(), phases, child.pid)
    save_peaks(out, found_processes)
    if child.returncode != 0:
        raise RuntimeError(
            f"the Dagster job benchmark failed ({child.returncode}); peaks in {out / 'peaks.json'}"
        )
    found = json.loads((out / "job.json").read_text())
    found["wall_seconds"] = time.perf_counter() - started
    found["processes"] = found_processes
    return found


def processes(peaks: list[Any], phases: dict[int, str], root: int) -> list[dict[str, Any]]:
    """Each process's label, the phase it was first seen in and its peak."""
    return [
        {"kind": kind(p, root), "pid": p.pid, "phase": phases.get(p.pid, "?"),
         "peak_mib": round(p.peak_mib, 1), "command": p.command}
        for p in peaks
    ]  # fmt: skip


def save_peaks(out: Path, found: list[dict[str, Any]]) -> None:
    """``out/peaks.json``: every process's peak so far (rewritten while the run goes on)."""
    (out / "peaks.json").write_text(json.dumps(found, indent=2))


def step_seconds(instance: Any, run_id: str) -> dict[str, float]:
    """Seconds of each step of a run, from its event log (step start to success or failure)."""
    starts: dict[str, float] = {}
    spent: dict[str, float] = defaultdict(float)
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            spent[event.step_key] += entry.timestamp - starts.pop(event.step_key, entry.timestamp)
    return dict(spent)


def build(instance: Any) -> dict[str, Any]:
    """One ``transform_and_publish`` run: wall seconds, success, and its step times grouped
    (dbt, GX suites on the marts, GX gates on the raw tables, publication, the rest)."""
    from orchestration.definitions import defs
    from orchestration.replay import BUILD_JOB

    steal = StealMeter()
    started = time.perf_counter()
    result = defs.resolve_job_def(BUILD_JOB).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    seconds = time.perf_counter() - started
    steps = step_seconds(instance, result.run_id)
    groups: dict[str, float] = defaultdict(float)
    for key, spent in steps.items():
        groups[step_group(key)] += spent
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    return {"seconds": seconds, "ok": result.success, "failed_checks": failed,
            "steps": dict(groups), "step_detail": steps,
            "cpu_steal_share": steal.share()}  # fmt: skip


def step_group(step_key: str) -> str:
    """The group a build step belongs to, by its key."""
    key = step_key.lower()
    if "gx_" in key:
        return "gx_marts" if "marts" in key else "gx_raw"
    if "dbt" in key:
        return "dbt"
    if "publish" in key:
        return "publish"
    return "other"


def ingest_day(pool: ProcessPoolExecutor, day: date) -> dict[str, Any]:
    """Every source's ingestion run of ``day``, three at a time as the replay runs them."""
    from ingestion.catalogue import SOURCES
    from orchestration.replay import _ingest_source

    started = time.perf_counter()
    runs = list(pool.map(_ingest_source, [s.name for s in SOURCES], [day] * len(SOURCES)))
    failed = [r.source for r in runs if not r.ok]
    for run in runs:
        if not run.ok:
            print(run.output[-3000:], flush=True)
    return {"seconds": time.perf_counter() - started, "ok": not failed, "failed": failed,
            "rows_loaded": sum(r.rows_loaded for r in runs)}  # fmt: skip


def child(
    world: Path, out: Path, registry: Path | None, resume_from: Path | None = None
) -> dict[str, Any]:
    """What the child process runs (see the module's docstring)."""
    from benchmarks.bench_sandbox import point_sources_at, serve_apart

    phase = out / "phase"
    for name in ("warehouse.duckdb", "published.duckdb"):
        (out / name).unlink(missing_ok=True)
    if resume_from is not None:
        copy_state(resume_from, out)
    os.environ.update(
        PULSE_WAREHOUSE=str(out / "warehouse.duckdb"),
        PULSE_DLT_DIR=str(out / "dlt"),
        DAGSTER_HOME=str(out / "dagster_home"),
    )
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(exist_ok=True)
    project_home = Path(__file__).resolve().parents[1] / "dagster_home" / "dagster.yaml"
    (home / "dagster.yaml").write_text(project_home.read_text())
    with serve_apart(world) as served:
        last = date.fromisoformat(served.clock()["today"])
        point_sources_at(served.url, out, registry)
        from dagster import DagsterInstance

        from orchestration.dbt_project import prepare
        from orchestration.replay import PARALLEL_RUNS, _prepare_workers

        phase.write_text("setup")
        prepare()
        _prepare_workers()
        instance = DagsterInstance.get()
        served.clock("set", today=(last - timedelta(days=1)).isoformat())
        found: dict[str, Any] = {}
        forked = multiprocessing.get_context("fork")  # workers share the imported definitions
        with ProcessPoolExecutor(PARALLEL_RUNS, mp_context=forked) as pool:
            if resume_from is None:
                found.update(backfill_and_build(pool, instance, served, phase))
                copy_state(out, out / "built")  # for ``--resume-from OUT/built``
            phase.write_text("daily job")
            started = time.perf_counter()
            day = date.fromisoformat(served.clock("advance", days=1)["today"])
            before = served.counter.total
            found["daily_ingest"] = ingest_day(pool, day)
            found["daily_ingest"]["requests"] = served.counter.total - before
            found["daily_build"] = build(instance)
            found["daily_job_seconds"] = time.perf_counter() - started
    return found


def backfill_and_build(
    pool: ProcessPoolExecutor, instance: Any, served: Any, phase: Path
) -> dict[str, Any]:
    """Steps 1 and 2: every source's first run on the sandbox's day, then the first build."""
    phase.write_text("backfill")
    before = served.counter.total
    day = date.fromisoformat(served.clock()["today"])
    found: dict[str, Any] = {"backfill": ingest_day(pool, day)}
    found["backfill"]["requests"] = served.counter.total - before
    phase.write_text("first build")
    found["first_build"] = build(instance)
    found["end_to_end_seconds"] = found["backfill"]["seconds"] + found["first_build"]["seconds"]
    return found


def copy_state(source: Path, target: Path) -> None:
    """Copy a warehouse and dlt's state from folder ``source`` to ``target``: to resume a run
    on a copy, or to keep one after the first build (at 50 brands the backfill takes an hour;
    ``--resume-from OUT/built`` measures the daily job again without it)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "warehouse.duckdb", target / "warehouse.duckdb")
    shutil.rmtree(target / "dlt", ignore_errors=True)
    shutil.copytree(source / "dlt", target / "dlt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--resume-from", type=Path, default=None)
    args = parser.parse_args()
    resume_from = args.resume_from.resolve() if args.resume_from else None
    found = child(args.world, args.out, args.registry, resume_from)
    (args.out / "job.json").write_text(json.dumps(found, indent=2, default=str))


if __name__ == "__main__":
    main()
