"""``python -m reliability``: the fault matrix (every source x every fault), its results in a
JSON file and a table in RELIABILITY.md. ``--sources``/``--faults`` run a slice."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from ingestion.catalogue import SOURCES
from reliability.plan import FAULTS
from reliability.report import markdown, summary, write_json, write_markdown
from reliability.runner import run_matrix

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--sources", default=",".join(s.name for s in SOURCES))
    parser.add_argument("--faults", default=",".join(f.name for f in FAULTS))
    parser.add_argument("--workers", type=int, default=2, help="cells run side by side")
    parser.add_argument("--results", type=Path, default=ROOT / "reliability" / "results.json")
    parser.add_argument(
        "--markdown", default=str(ROOT / "RELIABILITY.md"), help="'' writes no table"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="pipelines, logs, world")
    parser.add_argument("--world", type=Path, default=None, help="a small world store to reuse")
    return parser.parse_args(argv)


def _say(cell: dict[str, Any]) -> None:
    note = cell["error"] or cell["detail"]
    print(
        f"{cell['source']:>16} x {cell['fault']:<14} {cell['outcome']:<10} "
        f"lost {cell['lost']} dup {cell['duplicated']} {cell['seconds']:>5} s  {note[:90]}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from tests.sources.support import small_world

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pulse-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    world = args.world or small_world(workdir)
    sources, faults = args.sources.split(","), args.faults.split(",")
    print(f"fault matrix: {len(sources)} sources x {len(faults)} faults, work in {workdir}")
    cells, seconds = run_matrix(sources, faults, world, workdir, args.workers, _say)
    write_json(args.results, cells, seconds, str(world))
    if args.markdown:
        write_markdown(Path(args.markdown), markdown(cells, seconds, faults))
    s = summary(cells, seconds)
    print(f"{s['outcomes']} in {seconds:.0f} s; results in {args.results}")
    print(f"logs, and the pipelines of the cells that failed a load, in {workdir}")
    return 1 if s["outcomes"]["defect"] else 0


if __name__ == "__main__":
    sys.exit(main())
