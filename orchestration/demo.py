"""``make demo``: the whole warehouse on the sandbox, through the same Dagster definitions.

Generates the sandbox world if missing, serves it on loopback, points the sources at it,
runs the ``refresh_everything`` job of ``orchestration.definitions`` (the job the daily
schedule runs), stops the sandbox and prints what was built and where.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from orchestration.settings import PROJECT_ROOT, published_path, warehouse_path

DEMO_PSEUDONYMISATION_KEY = "demo-only-key-not-for-production"


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def point_sources_at(base_url: str) -> None:
    """Send every source to the sandbox with the sandbox's test credentials."""
    from sandbox.credentials import source_env

    os.environ.update(source_env(base_url))
    os.environ.setdefault("PULSE_PSEUDONYMISATION_KEY", DEMO_PSEUDONYMISATION_KEY)


def run_everything() -> tuple[bool, list[str]]:
    """Execute the ``refresh_everything`` job in this process on the Dagster instance of
    ``DAGSTER_HOME``, so the run shows in the UI; returns success and failed checks."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh_everything")
    instance = DagsterInstance.get()
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    failed = [
        f"{'/'.join(e.asset_key.path)}: {e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    return result.success, failed


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8765")))
    parser.add_argument("--world", default=str(PROJECT_ROOT / "data" / "sandbox" / "world.duckdb"))
    args = parser.parse_args(argv)

    from sandbox.server import ensure_world, run_in_thread

    started = time.monotonic()
    _step(f"sandbox world: {args.world}")
    ensure_world(Path(args.world))
    _step(f"starting the sandbox on 127.0.0.1:{args.port}")
    with run_in_thread(Path(args.world), port=args.port) as base_url:
        point_sources_at(base_url)
        _step("materialising every asset through Dagster (job refresh_everything)")
        ok, failed_checks = run_everything()
    _step("sandbox stopped")

    published = published_path()
    rows = mart_rows(published)
    print(f"\nCommunity Pulse demo finished in {time.monotonic() - started:.0f} s")
    print(f"  run:            {'succeeded' if ok else 'FAILED (see the log above)'}")
    print(f"  warehouse:      {warehouse_path()}  (written by the pipeline)")
    print(f"  published marts:{published}  (open this one read-only)")
    print("  rows per mart:")
    for table, count in rows.items():
        print(f"    marts.{table:<28} {count:>9,}")
    print(f"  failed checks:  {len(failed_checks)}")
    for check in failed_checks:
        print(f"    - {check}")
    print("  Dagster UI:     make ui   (then http://127.0.0.1:3000; this run is in its history)")
    print(f"  query:          duckdb.connect('{published}', read_only=True)")
    return 0 if ok and not failed_checks else 1


if __name__ == "__main__":
    sys.exit(main())
