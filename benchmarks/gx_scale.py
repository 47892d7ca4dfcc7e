"""How the chunked GX runner scales: time and peak memory on a synthetic fct_post_performance
(every column of the mart's contract, valid data) under its blocking contract suite.

    .venv/bin/python -m benchmarks.gx_scale --rows 2000000 --chunk-rows 250000

Builds a DuckDB table of ``--rows`` posts (valid data), validates it with the same suite and
runner Dagster uses, and prints rows/s and the process's peak RSS. Run it with different
``--chunk-rows`` to see memory follow the chunk, not the table.
"""

from __future__ import annotations

import argparse
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
        with base as (
            select
                'p' || i as post_id,
                ['facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok'][1 + i % 6]
                    as platform,
                'acc' || (i % 50) as account_id,
                'b' || (i % 3) as brand_id,
                ['image', 'video', 'reel', 'carousel', 'text'][1 + i % 5] as format,
                ['Preuve', 'Pedagogie', 'Communaute', 'Marque', 'unclassified'][1 + i % 5]
                    as pillar,
                timestamp '2025-01-01' + to_seconds(i % 30000000) as published_at,
                (1000 + i % 9000)::bigint as reach,
                (2000 + i % 9000)::bigint as impressions,
                (i % 300)::bigint as likes,
                (i % 100)::bigint as comments,
                (i % 60)::bigint as shares,
                (i % 40)::bigint as saves,
                (i % 5000)::bigint as video_views,
                (i % 1000)::bigint as video_completions,
                (i % 70)::bigint as clicks,
                (5000 + i % 1000)::bigint as followers
            from range({rows}) t(i)
        ),
        parts as (
            select
                *,
                cast(published_at as date) as published_date,
                cast(published_at as date) + 30 as latest_snapshot_date,
                30::bigint as post_age_days,
                likes + comments + shares + saves as interactions
            from base
        )
        select
            * exclude (interactions, followers),
            interactions,
            followers,
            reach // 2 as reach_d1, impressions // 2 as impressions_d1,
            interactions // 2 as interactions_d1,
            cast(interactions // 2 as double) * 100.0 / (reach // 2) as er_headline_d1,
            reach as reach_d7, impressions as impressions_d7, interactions as interactions_d7,
            cast(interactions as double) * 100.0 / reach as er_headline_d7,
            reach as reach_d28, impressions as impressions_d28, interactions as interactions_d28,
            cast(interactions as double) * 100.0 / reach as er_headline_d28,
            cast(interactions as double) * 100.0 / reach as er_by_reach,
            cast(interactions as double) * 100.0 / followers as er_by_followers,
            cast(interactions as double) * 100.0 / impressions as er_by_impressions,
            cast(interactions as double) * 100.0 / reach as er_headline,
            case when video_views > 0
                then cast(video_completions as double) * 100.0 / video_views
            end as video_completion_rate,
            'by_reach' as er_formula,
            'v1' as er_formula_version,
            true as has_reach,
            true as has_impressions,
            true as has_followers
        from parts
        """
    )
    con.close()


def main(argv: list[str] | None = None) -> bool:
    """Build, validate, print the figures; whether the suite passed (it must: valid data)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    args = parser.parse_args(argv)
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
    return result.success


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
