"""``make bench``: ingestion, the daily run, dbt and the Dagster job, measured in one run.

    .venv/bin/python -m benchmarks [--world default|scale] [--world-file PATH] [--runs N]
                                   [--smoke] [--sources a,b] [--no-job] [--out DIR]

Writes ``bench.json`` (every run's figures and the medians) and ``bench.md`` (each goal of
issue 14 beside its figure) to ``--results`` (default benchmarks/results/). Stages, each in its
own module:

- ``bench_daily``: each source's backfill from the sandbox into DuckDB (the end-to-end rate),
  then the next day's run; requests counted by the sandbox (``bench_sandbox``);
- ``bench_dbt``: a full-refresh ``dbt build`` after the backfill, an incremental one after the
  next day, per layer, the ten slowest models;
- ``bench_ingest``: the sources fed their recorded pages from disk beside DuckDB's
  ``read_json`` of the same records;
- ``bench_job``: the whole daily job through Dagster, every process's peak memory, the GX
  suites' share.

``--smoke`` runs every stage on a 40-day world with two small sources and their staging models
(what ``make test`` runs so the harness cannot rot); it skips the Dagster job unless ``--job``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import bench_daily, bench_dbt, bench_ingest, bench_job
from benchmarks.bench_report import markdown
from benchmarks.bench_sandbox import point_sources_at, serve_counted

RESULTS = Path(__file__).resolve().parent / "results"
SMOKE_SOURCES = ("tiktok", "trustpilot")
SMOKE_DAYS = 40


def prepare_world(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """The world store (generated under ``--out`` if missing) and, for a scale world, its
    brand registry."""
    from sandbox.world.generator import WorldSpec, generate

    if args.world_file:
        world = Path(args.world_file)
        registry = world.parent / "brands.yaml"
        return world, registry if args.world == "scale" else None
    if args.world == "scale":
        raise SystemExit("--world scale needs --world-file (python -m sandbox generate --scale)")
    world = args.out / ("smoke_world.duckdb" if args.smoke else "world.duckdb")
    if not world.exists():
        spec = WorldSpec(days=SMOKE_DAYS) if args.smoke else WorldSpec()
        generate(world, spec=spec)
    return world, None


def load_and_build(args: argparse.Namespace, world: Path, registry: Path | None, run: int) -> dict:
    """One run of the backfill, full dbt build, next day and incremental build."""
    folder = args.out / f"run{run}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    select = " ".join(f"staging.{s}" for s in args.sources) if args.smoke else None
    found: dict[str, Any] = {}
    with serve_counted(world) as served:
        day_before_last(served)
        warehouse = warehouse_in(folder, served.url, registry)
        print(f"  run {run}: backfill", flush=True)
        found["backfill"] = bench_daily.load_sources(args.sources, warehouse, served)
        if args.dbt:
            found["parse_seconds"] = bench_dbt.parse(warehouse, folder / "target")
            found["full"] = bench_dbt.build(warehouse, folder / "target", True, select)
        served.clock("advance", days=1)
        print(f"  run {run}: the next day", flush=True)
        found["daily"] = bench_daily.load_sources(args.sources, warehouse, served)
        found["dlt_floor"] = bench_daily.dlt_floor(warehouse)
        if args.dbt:
            found["incremental"] = bench_dbt.build(warehouse, folder / "target", False, select)
    return found


def warehouse_in(folder: Path, sandbox_url: str, registry: Path | None) -> Any:
    """``folder``'s warehouse and dlt state, the sources pointed at the sandbox
    (``point_sources_at``), checked as a job checks them (a fresh file records the sandbox it
    was loaded from)."""
    from orchestration.defs.warehouse import Warehouse

    point_sources_at(sandbox_url, folder, registry)
    warehouse = Warehouse(path=str(folder / "warehouse.duckdb"), dlt_dir=str(folder / "dlt"),
                          sandbox_url=sandbox_url)  # fmt: skip
    warehouse.check_environment()
    return warehouse


def day_before_last(served: Any) -> None:
    """Set the sandbox clock to the day before the world's last day: the backfill's day (the
    next day's run then reads the last day)."""
    from datetime import date, timedelta

    last = date.fromisoformat(served.clock()["today"])
    served.clock("set", today=(last - timedelta(days=1)).isoformat())


def median_by(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The item whose ``key`` is the median (the lower middle of an even count)."""
    ordered = sorted(items, key=lambda item: item[key])
    return ordered[(len(ordered) - 1) // 2]


def summarise_loads(runs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The daily-run section and the dbt section from every run's figures (medians)."""
    medians = {}
    for phase in ("backfill", "daily"):
        loads = []
        for i, first in enumerate(runs[0][phase]):
            same = [run[phase][i] for run in runs]
            loads.append(bench_daily.SourceLoad(
                first.source, statistics.median(x.seconds for x in same),
                int(statistics.median(x.requests for x in same)),
                int(statistics.median(x.records for x in same))))  # fmt: skip
        medians[phase] = loads
    floor = statistics.median(run["dlt_floor"] for run in runs)
    daily = bench_daily.daily_ratios(medians["backfill"], medians["daily"], floor)
    if "full" not in runs[0]:
        return daily, {}
    full = median_by([r["full"] for r in runs], "seconds")
    inc = median_by([r["incremental"] for r in runs], "seconds")
    dbt = {"full": full, "incremental": inc, "ratio": inc["seconds"] / full["seconds"],
           "parse_seconds": statistics.median(r["parse_seconds"] for r in runs)}  # fmt: skip
    return daily, dbt


def summarise_ingest(found: dict[str, Any]) -> dict[str, Any]:
    """Rates from the median seconds; the lowest ratio is the figure of the goal."""
    for figures in found.values():
        records = figures["api_records"]
        figures["replay_rate"] = records / statistics.median(figures["replay_seconds"])
        figures["native_rate"] = records / statistics.median(figures["native_seconds"])
        figures["ratio"] = figures["replay_rate"] / figures["native_rate"]
    lowest = min(found, key=lambda name: found[name]["ratio"])
    return {"per_source": found, "lowest_source": lowest, "lowest_ratio": found[lowest]["ratio"]}


def summarise_job(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median daily job, with the peak of every process kind over every run."""
    job = median_by(runs, "daily_job_seconds")
    steps = job["daily_build"]["steps"]
    job["gx_share"] = steps.get("gx_marts", 0.0) / job["daily_job_seconds"]
    processes = [p for run in runs for p in run["processes"]]
    top = max(processes, key=lambda p: p["peak_mib"])
    job["peak_mib"], job["peak_process"] = top["peak_mib"], top["kind"]
    by_kind: dict[tuple[str, str], float] = {}
    for p in processes:
        key = (p["kind"], p["phase"])
        by_kind[key] = max(by_kind.get(key, 0.0), p["peak_mib"])
    job["peaks_by_kind"] = sorted(((k, ph, v) for (k, ph), v in by_kind.items()),
                                  key=lambda row: -row[2])  # fmt: skip
    return job


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cpus": os.cpu_count(), "memory_gib": pages / 2**30,
            "load_at_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "started": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def save(bench: dict[str, Any], results: Path) -> None:
    """bench.json and bench.md as far as measured (a stage that fails keeps the others)."""
    results.mkdir(parents=True, exist_ok=True)
    (results / "bench.json").write_text(json.dumps(bench, indent=2, default=_plain))
    (results / "bench.md").write_text(markdown(bench))


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every stage; the files written to ``--results`` after each."""
    bench: dict[str, Any] = {"meta": {**machine(), "world": args.world, "runs": args.runs,
                                      "smoke": args.smoke, "sources": args.sources}}  # fmt: skip
    started = time.perf_counter()
    world, registry = prepare_world(args)
    print("==> backfill, dbt full refresh, next day, dbt incremental", flush=True)
    runs = [load_and_build(args, world, registry, i) for i in range(args.runs)]
    bench["daily"], dbt = summarise_loads(runs)
    if dbt:
        bench["dbt"] = dbt
    save(bench, args.results)
    print("==> the sources fed from files, beside DuckDB's read_json", flush=True)
    with serve_counted(world) as served:  # recorded on the backfill's day
        day_before_last(served)
        point_sources_at(served.url, args.out, registry)
        shutil.rmtree(args.out / "ingest", ignore_errors=True)
        found = bench_ingest.ingest_work(args.sources, served.url, args.out / "ingest", args.runs)
    bench["ingest"] = summarise_ingest(found)
    save(bench, args.results)
    if args.job:
        print("==> the daily job through Dagster", flush=True)
        jobs = [bench_job.measure_job(world, args.out / f"job{i}", registry)
                for i in range(args.job_runs)]  # fmt: skip
        bench["job"] = summarise_job(jobs)
    bench["meta"]["seconds"] = time.perf_counter() - started
    save(bench, args.results)
    return bench


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--world", choices=("default", "scale"), default="default")
    parser.add_argument("--world-file", default=None, help="an existing world store")
    parser.add_argument("--runs", type=int, default=3, help="runs of each stage (median)")
    parser.add_argument("--job-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--smoke", action="store_true", help="tiny world, two sources")
    parser.add_argument("--sources", default=None, help="comma-separated (default: all)")
    parser.add_argument("--dbt", action=argparse.BooleanOptionalAction, default=True,
                        help="measure the dbt builds (default: yes)")  # fmt: skip
    parser.add_argument("--job", action=argparse.BooleanOptionalAction, default=None,
                        help="measure the Dagster job (default: yes, no with --smoke)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("/tmp/pulse_bench"))
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from ingestion.catalogue import SOURCES

    default = SMOKE_SOURCES if args.smoke else [s.name for s in SOURCES]
    args.sources = args.sources.split(",") if args.sources else list(default)
    args.job = (not args.smoke) if args.job is None else args.job
    args.job_runs = args.job_runs or args.runs
    args.out.mkdir(parents=True, exist_ok=True)
    bench = run(args)
    print(markdown(bench))
    return bench


def _plain(value: Any) -> Any:
    """JSON for the dataclasses of the figures."""
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) else str(value)
