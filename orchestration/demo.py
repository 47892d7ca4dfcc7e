"""``make demo``: the whole warehouse on the sandbox, through the same Dagster definitions.

Generates the sandbox world if missing, serves it on loopback, points the sources at it (which
makes this a sandbox run: its warehouse, published copy and dlt state are the demo's own, under
``data/demo/`` unless ``PULSE_WAREHOUSE`` says otherwise, and a production warehouse is
refused), parses the dbt project for that warehouse, then lives the world's last days the way
a production warehouse lives them (``orchestration.replay``): a backfill ``--daily-days`` days
before the world's last day, every source's daily ingestion on each following day with the
sandbox clock advancing, then one build on the last day (``transform_and_publish``: GX gates,
``dbt build``, GX suites, publication).

``fct_post_metrics_daily`` then holds real daily series and the recent posts of every platform
have their D+1 and D+7 values. The sandbox is stopped and the demo prints what was built and
where.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from orchestration.replay import BUILD_JOB, INGEST_JOB, Replay, replay
from orchestration.settings import PROJECT_ROOT
from pulse_config.paths import DEMO_DATA_DIR

DEMO_PSEUDONYMISATION_KEY = "demo-only-key-not-for-production"

DEFAULT_DAILY_DAYS = 14
"""Simulated days after the backfill: two weeks, so the posts of the last week have their D+1
and D+7 from snapshots taken on the day, and every platform a two-week daily series. Measured
on the default world and 2 cores in BENCHMARKS.md (``make demo`` stays under five minutes)."""


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def sandbox_env(base_url: str) -> dict[str, str]:
    """The environment that sends every source to a sandbox just started, with the sandbox's
    test credentials (and the demo's pseudonymisation key, unless one is set).

    The sources keep refresh tokens the sandbox rotates in the demo's own store, emptied here:
    a new sandbox knows only its initial refresh tokens (``ingestion/token_store.py``)."""
    from sandbox.credentials import source_env

    key = os.environ.get("PULSE_PSEUDONYMISATION_KEY") or DEMO_PSEUDONYMISATION_KEY
    store = DEMO_DATA_DIR / "rotated_tokens.json"
    store.unlink(missing_ok=True)
    return {
        **source_env(base_url),
        "PULSE_PSEUDONYMISATION_KEY": key,
        "PULSE_TOKEN_STORE": str(store),
    }


def sandbox_clock(base_url: str, action: str = "", **params: Any) -> dict[str, str]:
    """The sandbox clock (``GET /_sandbox/clock``), or ``set`` / ``advance`` it (POST)."""
    import requests

    url = f"{base_url}/_sandbox/clock" + (f"/{action}" if action else "")
    response = (requests.post if action else requests.get)(url, params=params, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"sandbox clock {action or 'read'} {params}: {response.text}")
    return response.json()


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


def _load_definitions() -> None:
    """Import the Dagster definitions now that the environment points at the sandbox (or
    reload them if already imported): their resources read the warehouse's paths and
    environment when they load, and the replay's runs must use the sandbox's."""
    module = sys.modules.get("orchestration.definitions")
    if module is None:
        importlib.import_module("orchestration.definitions")
    else:
        importlib.reload(module)


def _summarise(done: Replay) -> None:
    """Backfill, daily days and build: seconds and rows."""
    if done.backfill:
        b = done.backfill
        print(
            f"  backfill:       {b.day} (today {done.today} - {done.daily_days} days), "
            f"{len(b.runs)} source runs of {INGEST_JOB} in {b.seconds:.0f} s, "
            f"{b.rows_loaded:,} rows loaded"
        )
    daily = done.daily
    if daily:
        seconds = sum(d.seconds for d in daily)
        print(
            f"  daily runs:     {len(daily)} of {done.daily_days} days in {seconds:.0f} s "
            f"({seconds / len(daily):.1f} s a day), {sum(d.rows_loaded for d in daily):,} rows "
            "loaded"
        )
    if done.build:
        print(
            f"  build:          {BUILD_JOB} on {done.build.day} in {done.build.seconds:.0f} s "
            "(GX gates, dbt build, GX suites, publication)"
        )


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
        help=f"days replayed after the backfill (default {DEFAULT_DAILY_DAYS}; 0: backfill "
        "and build on the last day)",
    )
    args = parser.parse_args(argv)

    from orchestration.dbt_project import prepare
    from orchestration.defs.warehouse import refusal, warehouse_from_env
    from sandbox.server import ensure_world, run_in_thread

    started = time.monotonic()
    _step(f"sandbox world: {args.world}")
    ensure_world(Path(args.world))
    _step(f"starting the sandbox on 127.0.0.1:{args.port}")
    with run_in_thread(Path(args.world), port=args.port) as base_url:
        # The dlt sources read their configuration from the environment (dlt's documented
        # provider), here and in the replay's forked workers: this CLI's own process is
        # pointed at the sandbox it serves, and nothing else is. That also names the
        # sandbox's own warehouse (PULSE_SANDBOX_URL, read by warehouse_from_env).
        os.environ.update(sandbox_env(base_url))
        warehouse = warehouse_from_env()
        refused = refusal(warehouse)
        if refused:
            parser.exit(2, f"error: {refused}\n")
        _step(f"dbt manifest (dbt parse) for {warehouse.file}")
        prepare(warehouse)
        _load_definitions()
        _step(
            f"replay: backfill {args.daily_days} days before the world's last day, then one "
            "day at a time (every source, one run each), then the build"
        )
        try:
            done = replay(
                lambda action="", **params: sandbox_clock(base_url, action, **params),
                args.daily_days,
            )
        except ValueError as exc:  # --daily-days reaches before the world's first day
            parser.error(str(exc))
    _step("sandbox stopped")
    build = done.build
    failed_checks = build.failed_checks if build else []
    print(f"\nCommunity Pulse demo finished in {time.monotonic() - started:.0f} s")
    print(f"  run:            {'succeeded' if done.ok else 'FAILED (see the log above)'}")
    _summarise(done)
    _where_to_look(warehouse, failed_checks)
    return 0 if done.ok and not failed_checks else 1


def _where_to_look(warehouse: Any, failed_checks: list[str]) -> None:
    """The files, the marts' rows, the failed checks and how to open each tool."""
    published = warehouse.published_file
    rows = mart_rows(published)
    print(f"  warehouse:      {warehouse.file}  (the sandbox's; production's stays apart)")
    print(f"  published marts:{published}  (open this one read-only)")
    print(f"  dlt state:      {warehouse.pipelines_dir}")
    print("  rows per mart:")
    for table, count in rows.items():
        print(f"    marts.{table:<28} {count:>9,}")
    print(f"  failed checks:  {len(failed_checks)}")
    for check in failed_checks:
        print(f"    - {check}")
    print("  Dagster UI:     make ui   (then http://127.0.0.1:3000; these runs are in its history)")
    print("  dashboard:      make dashboard   (then http://127.0.0.1:3100/index.html)")
    print(f"  query:          duckdb.connect('{published}', read_only=True)")


if __name__ == "__main__":
    sys.exit(main())
