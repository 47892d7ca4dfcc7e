"""The scale world's benchmark in steps, for a world whose whole run outlasts one sitting.

``make bench BENCH_WORLD=scale`` measures everything in one go: at 50 brands on 2 cores that
is hours (the backfill alone, BENCHMARKS.md). These steps take the same measurements one at a
time on one folder, each adding its figures to ``<folder>/steps.json``:

    python -m benchmarks.scale_steps --world W --folder F backfill meta linkedin ...
    python -m benchmarks.scale_steps --world W --folder F build   # dbt parse + full refresh
    python -m benchmarks.scale_steps --world W --folder F job     # the daily job via Dagster
    python -m benchmarks.scale_steps --world W --folder F daily   # the same day, no Dagster
    python -m benchmarks.scale_steps --world W --folder F rebuild # dbt alone, no loads
    python -m benchmarks.scale_steps --world W --folder F checks  # every GX suite, no loads

``--registry`` defaults to the world's ``brands.yaml``. ``backfill`` runs the named sources on
the day before the world's last day, as ``make bench`` does, into ``F/warehouse.duckdb``
(sources already there keep their state: a second ``backfill`` adds sources). ``job`` copies
that warehouse and dlt's state and runs the last day through Dagster: every source's run,
then ``transform_and_publish``, with every process's peak memory (``bench_job``). ``daily``
runs that last day in the folder itself (so it moves the folder on a day: copy it first)
without Dagster: each source's next run, then an incremental ``dbt build``, as ``make bench``.
``rebuild`` times dbt alone on the folder's warehouse as it stands: a full refresh, then an
incremental build restating the same windows as the last day's (repeatable, for medians).
``checks`` runs every GX suite over the folder's warehouse as the job runs them, one after the
other under the job's DuckDB settings: seconds and outcome per suite, and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks import bench_daily, bench_dbt, bench_job
from benchmarks.bench import day_before_last, warehouse_in
from benchmarks.bench_sandbox import Served, serve_counted


@contextmanager
def served_folder(args: argparse.Namespace) -> Iterator[tuple[Served, Any]]:
    """The world served, and the folder's warehouse with the sources pointed at it."""
    with serve_counted(args.world) as served:
        yield served, warehouse_in(args.folder, served.url, args.registry)


def backfill(args: argparse.Namespace) -> dict[str, Any]:
    """The named sources' first runs, on the day before the world's last day."""
    with served_folder(args) as (served, warehouse):
        day_before_last(served)
        loads = bench_daily.load_sources(args.sources, warehouse, served)
    overrides = {k: v for k, v in os.environ.items() if k.endswith("BACKFILL_DAYS")}
    return {"loads": [asdict(load) for load in loads], "overrides": overrides}


def build(args: argparse.Namespace) -> dict[str, Any]:
    """``dbt parse`` and a full-refresh ``dbt build`` of the whole project."""
    with served_folder(args) as (_, warehouse):
        target = args.folder / "target"
        parse_seconds = bench_dbt.parse(warehouse, target)
        return {"parse_seconds": parse_seconds, "full": bench_dbt.build(warehouse, target, True)}


def daily(args: argparse.Namespace) -> dict[str, Any]:
    """The last day without Dagster: every source's next run, then an incremental build."""
    from ingestion.catalogue import SOURCES

    with served_folder(args) as (served, warehouse):
        loads = bench_daily.load_sources([s.name for s in SOURCES], warehouse, served)
        incremental = bench_dbt.build(warehouse, args.folder / "target", False)
    return {"loads": [asdict(load) for load in loads], "incremental": incremental}


def rebuild(args: argparse.Namespace) -> dict[str, Any]:
    """A full refresh, then an incremental ``dbt build``, of the warehouse as it stands."""
    with served_folder(args) as (_, warehouse):
        target = args.folder / "target"
        full = bench_dbt.build(warehouse, target, True)
        return {"full": full, "incremental": bench_dbt.build(warehouse, target, False)}


def job(args: argparse.Namespace) -> dict[str, Any]:
    """The last day's job through Dagster, on a copy of the folder's warehouse."""
    return bench_job.measure_job(args.world, args.folder / "job", args.registry, args.folder)


def checks(args: argparse.Namespace) -> dict[str, Any]:
    """Every GX suite over the folder's warehouse, as the job's checks run them."""
    from data_quality.runner import validate_table
    from data_quality.suites import ALL_SUITES
    from pulse_config.duckdb_resources import connect

    warehouse = args.folder / "warehouse.duckdb"
    suites = []
    for suite in ALL_SUITES:
        started = time.perf_counter()
        result = validate_table(suite, lambda: connect(warehouse, read_only=True))
        suites.append({"suite": suite.name, "seconds": time.perf_counter() - started,
                       "ok": result.success, "rows": result.rows})  # fmt: skip
        print(f"{suite.name}: {suites[-1]['seconds']:.1f} s, ok={result.success}", flush=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": sum(s["seconds"] for s in suites), "peak_mib": peak_mib, "suites": suites}


STEPS = {
    "backfill": backfill,
    "build": build,
    "checks": checks,
    "daily": daily,
    "job": job,
    "rebuild": rebuild,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("sources", nargs="*", help="backfill: the sources to load")
    args = parser.parse_args(argv)
    args.registry = args.registry or args.world.parent / "brands.yaml"
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.step == "backfill" and not args.sources:
        parser.error("backfill needs the sources to load")
    found = STEPS[args.step](args)
    saved = args.folder / "steps.json"
    steps = json.loads(saved.read_text()) if saved.exists() else {}
    key = f"backfill {' '.join(args.sources)}" if args.step == "backfill" else args.step
    steps[key] = found
    saved.write_text(json.dumps(steps, indent=2, default=str))
    print(json.dumps(found, indent=2, default=str)[:4000])


if __name__ == "__main__":
    main()
