"""One cell of the matrix: a source loaded under one fault, compared with the manifest, and
classified.

``ok``: the load completed with 0 lost, 0 duplicated. ``recovered``: the load failed clearly
(the error names the source, the account and the cause) and a rerun with the faults off, on
the same pipeline state, completed with 0 lost, 0 duplicated. ``not_fired``: the sandbox
served the fault zero times (nothing was tested). ``defect``: anything else (records lost or
doubled, an unclear error, a load that hung, a rerun that did not complete).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingestion.http import SourceError
from reliability.plan import MATOMO_DAYS, Fault, run_options
from reliability.truth import Records, Tally, compare, expected_records
from tests.sources.support import TODAY, Sandbox, load_source

CELL_DEADLINE_S = 60.0
"""A load still running after this is stuck (a loop followed forever): the faults are then
turned off so that it can end, and the cell is a defect."""
CLEAR = r"^{source}: account (?P<account>\S[^:]*): (?P<cause>.{{10,}})"
"""A clear failure, as ``ingestion.http.SourceError`` words it: source, account, cause."""


@dataclass
class CellResult:
    """What a cell did; ``records`` are those of the last load (the rerun's, if any)."""

    source: str
    fault: str
    outcome: str = "defect"
    records: Tally = field(default_factory=Tally)
    fired: dict[str, int] = field(default_factory=dict)
    error: str = ""
    detail: str = ""
    rerun: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """One flat row of results.json: the cell, then its record counts."""
        row = asdict(self)
        counts = row.pop("records")
        counts.pop("detail")  # the cell's own detail says it (from the tally or the failure)
        return {**row, **counts}

    def take(self, tally: Tally) -> None:
        self.records = tally


def first_day(source: str) -> date:
    """The first day a cell loads (Matomo's start date; the others list everything)."""
    return TODAY - timedelta(days=MATOMO_DAYS - 1) if source == "matomo" else date.min


def error_text(exc: BaseException) -> str:
    """The source's own error in dlt's wrapping (the first ``SourceError`` of the chain), else
    the innermost exception's message."""
    seen: BaseException | None = exc
    last = exc
    while seen is not None:
        if isinstance(seen, SourceError):
            return str(seen)
        last = seen
        seen = seen.__cause__ or seen.__context__
    return f"{type(last).__name__}: {last}"


def is_clear(source: str, text: str) -> bool:
    """Whether an error names the source, an account and a cause."""
    return re.match(CLEAR.format(source=re.escape(source)), text, re.S) is not None


@dataclass
class Load:
    """One load's end: its error, whether it hung, and (if it hung) the faults fired until the
    deadline (they are turned off then, so that a loop can end)."""

    error: BaseException | None = None
    hung: bool = False
    fired: dict[str, int] | None = None


def _load(sandbox: Sandbox, source: str, workdir: Path) -> Load:
    """One load of ``source`` (pipeline state in ``workdir``), stopped at the deadline."""
    load = Load()

    def run() -> None:
        try:
            load_source(source, sandbox.url, workdir, f"cell_{source}", **run_options(source))
        except BaseException as exc:  # noqa: BLE001 (reported, whatever it is)
            load.error = exc

    thread = threading.Thread(target=run, name=f"cell-{source}", daemon=True)
    thread.start()
    thread.join(CELL_DEADLINE_S)
    if thread.is_alive():
        load.hung, load.fired = True, sandbox.fired()
        sandbox.set_faults("off")  # a loop ends when the sandbox stops looping
        thread.join(CELL_DEADLINE_S)
    return load


def run_cell(sandbox: Sandbox, world: Path, source: str, fault: Fault, workdir: Path) -> CellResult:
    """Load ``source`` under ``fault`` into a fresh ``workdir``, compare, classify."""
    started = time.monotonic()
    result = CellResult(source, fault.name)
    records = expected_records(world, source, TODAY, first_day(source))
    sandbox.reset()
    sandbox.set_faults(fault.spec)
    first = _load(sandbox, source, workdir)
    error, hung = first.error, first.hung
    result.fired = {k: n for k, n in (first.fired or sandbox.fired()).items() if n}
    sandbox.set_faults("off")
    db = workdir / "w.duckdb"
    tally = compare(db, source, records)
    result.take(tally)
    result.detail = tally.detail
    fired = fault.kind is None or result.fired.get(fault.kind, 0) > 0
    if error is None and not hung:
        result.outcome = _without_error(tally, fired)
        if result.outcome == "not_fired":
            result.detail = "the sandbox never served this fault to the source's API"
    else:
        result.error = error_text(error) if error else ""
        result.outcome = _after_error(sandbox, source, workdir, result, records, hung, fired)
    result.seconds = round(time.monotonic() - started, 1)
    sandbox.reset()
    return result


def _without_error(tally: Tally, fired: bool) -> str:
    if not tally.exact:
        return "defect"
    return "ok" if fired else "not_fired"


def _after_error(
    sandbox: Sandbox,
    source: str,
    workdir: Path,
    result: CellResult,
    records: list[Records],
    hung: bool,
    fired: bool,
) -> str:
    """A failed load: a defect unless the failure was clear and a clean rerun completes."""
    if hung:
        result.detail = f"hung over {CELL_DEADLINE_S:.0f} s (followed the fault forever)"
        return "defect"
    if not fired:
        result.detail = "failed although the fault never fired"
        return "defect"
    if not is_clear(source, result.error):
        result.detail = "the error does not name source, account and cause"
        return "defect"
    sandbox.reset()
    rerun = _load(sandbox, source, workdir)
    rerun_error, rerun_hung = rerun.error, rerun.hung
    result.rerun = True
    tally = compare(workdir / "w.duckdb", source, records)
    result.take(tally)
    if rerun_error or rerun_hung:
        result.detail = "clean rerun failed: " + (
            error_text(rerun_error) if rerun_error else "hung"
        )
        return "defect"
    result.detail = tally.detail
    return "recovered" if tally.exact else "defect"
