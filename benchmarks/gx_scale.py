"""How the chunked GX runner scales: time and peak memory on a synthetic fct_post_performance.

    .venv/bin/python -m benchmarks.gx_scale --rows 2000000 --chunk-rows 250000

Builds a DuckDB table of ``--rows`` posts (valid data), validates it with the same suite and
runner Dagster uses, and prints rows/s and the process's peak RSS. Run it with different
``--chunk-rows`` to see memory follow the chunk, not the table.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from data_quality.runner import validate_table
from data_quality.suites.engagement import FCT_POST_PERFORMANCE


def build(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        f"""
        create table marts.fct_post_performance as
        select
            'p' || i as post_id,
            case i % 2 when 0 then 'facebook' else 'instagram' end as platform,
            'acc' || (i % 50) as account_id,
            timestamp '2025-01-01' + to_seconds(i % 30000000) as published_at,
            (i % 500)::bigint as interactions,
            (1000 + i % 9000)::bigint as reach,
            (2000 + i % 9000)::bigint as impressions,
            (5000 + i % 1000)::bigint as followers,
            (i % 500) * 100.0 / (1000 + i % 9000) as er_by_reach,
            (i % 500) * 100.0 / (5000 + i % 1000) as er_by_followers,
            (i % 500) * 100.0 / (2000 + i % 9000) as er_by_impressions,
            (i % 500) * 100.0 / (1000 + i % 9000) as er_headline,
            'by_reach' as er_formula
        from range({rows}) t(i)
        """
    )
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        build(path, args.rows)
        built = time.perf_counter() - t0
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        result = validate_table(
            FCT_POST_PERFORMANCE,
            lambda: duckdb.connect(str(path), read_only=True),
            chunk_rows=args.chunk_rows,
        )
        elapsed = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows={args.rows:,} chunk_rows={args.chunk_rows:,} success={result.success}")
    print(
        f"table built in {built:.1f} s; validated in {elapsed:.1f} s "
        f"({args.rows / elapsed:,.0f} rows/s)"
    )
    print(f"peak RSS {peak:,.0f} MiB (before validation {rss_before:,.0f} MiB)")


if __name__ == "__main__":
    main()
