"""The matrix's outputs: every cell in a JSON file, and a Markdown table written into
RELIABILITY.md between its markers (the prose around them is left as it is)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"
OUTCOMES = ("ok", "recovered", "not_fired", "defect")


def summary(cells: Sequence[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Counts per outcome and the records lost, duplicated and recovered over all cells."""
    outcomes = Counter(c["outcome"] for c in cells)
    return {
        "cells": len(cells),
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "records_lost": sum(c["lost"] for c in cells),
        "records_duplicated": sum(c["duplicated"] for c in cells),
        "records_unexpected": sum(c["unexpected"] for c in cells),
        "runs_recovered_by_rerun": outcomes.get("recovered", 0),
        "wall_seconds": round(seconds, 1),
    }


def write_json(path: Path, cells: Sequence[dict[str, Any]], seconds: float, world: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m reliability",
        "world": world,
        "summary": summary(cells, seconds),
        "cells": list(cells),
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")


def _cell_text(text: str, width: int = 160) -> str:
    """One table cell: one line, pipes escaped, the sandbox's port hidden (it changes per run),
    cut at ``width``."""
    text = re.sub(r"http://127\.0\.0\.1:\d+", "<sandbox>", " ".join(text.split()))
    text = text.replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown(cells: Sequence[dict[str, Any]], seconds: float, faults: Sequence[str]) -> str:
    """The summary, the source x fault grid of outcomes, then one line per cell."""
    s = summary(cells, seconds)
    counts = ", ".join(f"{n} {o}" for o, n in s["outcomes"].items())
    minutes, secs = divmod(round(seconds), 60)
    lines = [
        f"Last run of `python -m reliability`: {s['cells']} cells in {minutes} min {secs} s "
        f"({counts}); records lost {s['records_lost']}, duplicated "
        f"{s['records_duplicated']}, loaded under a wrong key {s['records_unexpected']}; "
        f"{s['runs_recovered_by_rerun']} failed runs recovered by a clean rerun.",
        "",
        "| source | " + " | ".join(faults) + " |",
        "|---" * (len(faults) + 1) + "|",
    ]
    grid: dict[str, dict[str, str]] = {}
    for c in cells:
        grid.setdefault(c["source"], {})[c["fault"]] = c["outcome"]
    for source, row in grid.items():
        shown = [f"**{row[f]}**" if row.get(f) == "defect" else row.get(f, "") for f in faults]
        lines.append(f"| {source} | " + " | ".join(shown) + " |")
    lines += [
        "",
        "| source | fault | outcome | expected | loaded | lost | duplicated | unexpected "
        "| quarantined | fired | rerun | s | error / detail |",
        "|---" * 13 + "|",
    ]
    for c in cells:
        fired = ", ".join(f"{k} {n}" for k, n in c["fired"].items()) or "-"
        note = " / ".join(t for t in (c["error"], c["detail"]) if t) or "-"
        lines.append(
            f"| {c['source']} | {c['fault']} | {c['outcome']} | {c['expected']} | "
            f"{c['loaded']} | {c['lost']} | {c['duplicated']} | {c['unexpected']} | "
            f"{c['quarantined']} | {fired} | {'yes' if c['rerun'] else 'no'} | "
            f"{c['seconds']} | {_cell_text(note)} |"
        )
    return "\n".join(lines)


def write_markdown(path: Path, table: str) -> None:
    """Replace what lies between the markers of ``path`` (added at the end when missing)."""
    text = path.read_text() if path.exists() else ""
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table}\n{END}{tail}")
