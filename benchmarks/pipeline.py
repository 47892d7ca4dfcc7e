"""End-to-end timings on the default sandbox world (3 brands x 365 days, every source).

    .venv/bin/python -m benchmarks.pipeline [--out /tmp/bench]

Generates the world, serves it, loads each source with its dlt pipeline into a fresh
warehouse (timing each, with rows loaded), then runs ``dbt build`` once; prints a table for
BENCHMARKS.md. Run it on a quiet machine: the figures are wall-clock seconds.

The benchmark is a sandbox run with files of its own (``--out``): its warehouse records the
sandbox as its environment, and it refuses to replace a production warehouse found there.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.settings import PRODUCTION_BUILD


def _rows(warehouse: Path, dataset: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_name not like '\\_dlt%' escape '\\'",
            [dataset],
        ).fetchall()
        return sum(
            con.execute(f"select count(*) from {dataset}.{t}").fetchone()[0] for (t,) in tables
        )
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="/tmp/pulse_bench")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _refuse_production(out / "warehouse.duckdb")
    for name in ("world.duckdb", "warehouse.duckdb", "rotated_tokens.json"):
        (out / name).unlink(missing_ok=True)
    from ingestion.catalogue import SOURCES
    from orchestration.defs.ingestion import pipeline_for
    from orchestration.defs.warehouse import Warehouse
    from sandbox.credentials import source_env
    from sandbox.server import run_in_thread
    from sandbox.world.generator import generate

    lines = ["| step | seconds | rows | rows/s |", "|---|---:|---:|---:|"]
    t0 = time.perf_counter()
    totals = generate(out / "world.duckdb")
    lines.append(f"| generate world | {time.perf_counter() - t0:.1f} | | |")
    print(totals, flush=True)
    with run_in_thread(out / "world.duckdb") as url:
        warehouse = Warehouse(
            path=str(out / "warehouse.duckdb"), dlt_dir=str(out / "dlt"), sandbox_url=url
        )
        warehouse.check_environment()  # a fresh file: records the sandbox
        # The dlt sources of this process read their configuration from its environment
        # (dlt's documented provider): this benchmark points its own process at its sandbox.
        os.environ.update(
            source_env(url),
            PULSE_PSEUDONYMISATION_KEY="bench-pseudonymisation-key-0123456789abcdef",
            PULSE_TOKEN_STORE=str(out / "rotated_tokens.json"),  # this sandbox's rotations
            RUNTIME__DLTHUB_TELEMETRY="false",
            DO_NOT_TRACK="1",
        )
        for source in SOURCES:
            t0 = time.perf_counter()
            pipeline_for(source, warehouse).run(source.factory()).raise_on_failed_jobs()
            secs = time.perf_counter() - t0
            rows = _rows(out / "warehouse.duckdb", source.dataset)
            lines.append(f"| load {source.name} | {secs:.1f} | {rows:,} | {rows / secs:,.0f} |")
            print(lines[-1], flush=True)
    lines.append(_enrich(out / "warehouse.duckdb"))
    print(lines[-1], flush=True)
    dbt = Path(sys.executable).parent / "dbt"
    t0 = time.perf_counter()
    subprocess.run(
        [
            str(dbt),
            *PRODUCTION_BUILD,
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(out / "target"),
            "--quiet",
            *warehouse.dbt_vars(),
        ],
        check=True,
    )
    lines.append(f"| dbt build (all models and tests) | {time.perf_counter() - t0:.1f} | | |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"| peak RSS of this process | | {peak:,.0f} MiB | |")
    print("\n".join(lines))


def _refuse_production(warehouse: Path) -> None:
    """Stop before deleting ``warehouse`` if it is production's (``--out`` at the data
    folder by mistake): recorded as production, or production's default file."""
    from pulse_config.environments import recorded
    from pulse_config.paths import default_warehouse

    if not warehouse.exists():
        return
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = recorded(con)
    finally:
        con.close()
    if warehouse.resolve() == default_warehouse(sandbox=False) or (found and not found.is_sandbox):
        sys.exit(f"error: {warehouse} is a production warehouse; choose another --out")


def _enrich(path: Path) -> str:
    """The text-sentiment step the daily job runs between the loads and dbt (dbt reads its
    table as a source), timed as one row of the table."""
    import duckdb

    from enrichment.store import refresh_text_sentiment

    t0 = time.perf_counter()
    con = duckdb.connect(str(path))
    try:
        counts = refresh_text_sentiment(con)
    finally:
        con.close()
    secs = time.perf_counter() - t0
    rows = counts["rows"]
    return f"| enrichment (text sentiment) | {secs:.1f} | {rows:,} | {rows / secs:,.0f} |"


if __name__ == "__main__":
    main()
