"""A backfill, then the next day's incremental run: requests, seconds and records per source.

Each source runs its own dlt pipeline (the one Dagster runs, ``pipeline_for``) into the
benchmark's warehouse, one after the other, so the sandbox's request counter tells each
source's requests apart. The backfill's figures are also the end-to-end rate (sandbox to
DuckDB); the daily run is the same pipelines again, their state kept, one day later.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.bench_sandbox import Served

FLOOR = "bench_dlt_floor"  # dlt_floor's pipeline and dataset


@dataclass
class SourceLoad:
    """One source's run: wall seconds, API requests the sandbox answered, records loaded."""

    source: str
    seconds: float
    requests: int
    records: int

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def load_sources(names: list[str], warehouse: Any, served: Served) -> list[SourceLoad]:
    """Run each named source once into ``warehouse``; what each cost."""
    from ingestion.catalogue import source_named
    from orchestration.defs.ingestion import pipeline_for

    loads = []
    for name in names:
        source = source_named(name)
        before = served.counter.total
        started = time.perf_counter()
        pipeline = pipeline_for(source, warehouse)
        pipeline.run(source.factory()).raise_on_failed_jobs()
        seconds = time.perf_counter() - started
        loads.append(
            SourceLoad(name, seconds, served.counter.total - before, records_loaded(pipeline))
        )
        print(f"    {name:<16} {seconds:7.2f} s {loads[-1].requests:6d} requests "
              f"{loads[-1].records:9,d} records", flush=True)  # fmt: skip
    return loads


def dlt_floor(warehouse: Any, runs: int = 3) -> float:
    """Median seconds of a dlt run with nothing to do: one row, one table, built as
    ``pipeline_for`` builds a source's pipeline (same DuckDB file, settings and state folder).
    What every source run pays before its own work; its dataset is dropped after."""
    import dlt
    import duckdb

    from pulse_config.duckdb_resources import duckdb_destination

    @dlt.resource(name="one_row", write_disposition="append")
    def one_row() -> Any:
        yield {"n": 1}

    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        pipeline = dlt.pipeline(
            pipeline_name=FLOOR,
            destination=duckdb_destination(warehouse.file),
            dataset_name=FLOOR,
            pipelines_dir=str(warehouse.pipelines_dir),
        )
        pipeline.run(one_row()).raise_on_failed_jobs()
        seconds.append(time.perf_counter() - started)
    with duckdb.connect(str(warehouse.file)) as con:
        con.execute(f"drop schema if exists {FLOOR} cascade")
    return statistics.median(seconds)


def records_loaded(pipeline: Any) -> int:
    """Rows the last run normalised into the source's own tables (dlt's bookkeeping tables
    left out), from dlt's trace of that run."""
    info = pipeline.last_trace.last_normalize_info
    counts = info.row_counts if info else {}
    return sum(n for table, n in counts.items() if not table.startswith("_dlt"))


def daily_ratios(
    backfill: list[SourceLoad], daily: list[SourceLoad], floor_s: float | None = None
) -> dict[str, Any]:
    """The daily run as a share of the backfill, per source and in total (the goal: at most
    5 % of the requests and of the time); with ``floor_s`` (``dlt_floor``), the share of the
    daily run's time that is dlt's fixed cost alone."""
    by_name = {load.source: load for load in backfill}
    per_source = {}
    for load in daily:
        first = by_name[load.source]
        per_source[load.source] = {
            "backfill": asdict(first),
            "daily": asdict(load),
            "requests_ratio": _ratio(load.requests, first.requests),
            "seconds_ratio": _ratio(load.seconds, first.seconds),
        }
    total_b = (sum(x.requests for x in backfill), sum(x.seconds for x in backfill))
    total_d = (sum(x.requests for x in daily), sum(x.seconds for x in daily))
    return {
        "per_source": per_source,
        "backfill_requests": total_b[0],
        "backfill_seconds": total_b[1],
        "daily_requests": total_d[0],
        "daily_seconds": total_d[1],
        "requests_ratio": _ratio(total_d[0], total_b[0]),
        "seconds_ratio": _ratio(total_d[1], total_b[1]),
        "dlt_floor_seconds": floor_s,
        "dlt_floor_share": _ratio(floor_s * len(daily), total_d[1]) if floor_s else None,
    }


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
