"""``python -m privacy erase --platform P --user-id ID`` and ``python -m privacy retention``.

The warehouse, its published copy and dlt's folder are those of the environment
(``PULSE_WAREHOUSE``, ``PULSE_PUBLISHED``, ``PULSE_DLT_DIR``; orchestration/defs/warehouse.py),
or given with ``--db``. The pseudonymisation key is the sources' own
(``sources.<source>.pseudonymisation_key`` or ``PULSE_PSEUDONYMISATION_KEY``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from privacy.catalogue import PLATFORMS
from privacy.commands import describe_erasure, describe_retention, erase, retention
from privacy.retention import BadRetention, retention_months


def _warehouse(db: str | None):  # noqa: ANN202 (the Dagster resource type)
    from orchestration.defs.warehouse import warehouse_from_env

    environ = dict(os.environ)
    if db:
        environ["PULSE_WAREHOUSE"] = db
    return warehouse_from_env(environ)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m privacy", description=__doc__)
    parser.add_argument("--db", help="the DuckDB warehouse (default: PULSE_WAREHOUSE)")
    commands = parser.add_subparsers(dest="command", required=True)
    erase_cmd = commands.add_parser("erase", help="remove one person everywhere (GDPR Art. 17)")
    erase_cmd.add_argument("--platform", required=True, choices=sorted(PLATFORMS))
    erase_cmd.add_argument("--user-id", required=True, help="the person's id on the platform")
    erase_cmd.add_argument(
        "--name",
        action="append",
        default=[],
        help="their display name or username too (hashed in columns of their own); repeatable",
    )
    erase_cmd.add_argument("--by", default=None, help="who runs it (default: the OS user)")
    commands.add_parser("retention", help="apply PULSE_RETENTION_MONTHS (default 13)")
    args = parser.parse_args(argv)
    warehouse = _warehouse(args.db)
    if args.command == "erase":
        run_by = args.by or getpass.getuser()
        done = erase(warehouse, args.platform, args.user_id, args.name, run_by, print)
        print(describe_erasure(done))
        return
    try:
        months = retention_months()
    except BadRetention as exc:
        sys.exit(f"error: {exc}")
    print(describe_retention(retention(warehouse, months, print, now=warehouse.now())))


if __name__ == "__main__":
    main()
