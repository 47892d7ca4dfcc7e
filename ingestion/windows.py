"""Backfills in windows: a late failure keeps what the earlier windows loaded.

dlt commits a source's state (its cursors) only with a load package, so a backfill extracted in
one go is all or nothing: a failure on day 390 of 400 throws 389 days away. Here a long
backfill runs as several extract / normalise / load cycles, each bounded to a *window* of
``sources.<name>.backfill_window_days`` days. A date-walking resource asks ``window_end`` for
the last day of its run (today without a window, or when the cursor is close to today),
loads up to it and moves its cursor there; the loop (``run_in_windows``, the one caller of
every source run: ``ingestion.run`` and the Dagster assets) loads the window, which commits
the cursor, and runs the next window until no resource has days left. A failure in window k
names it and leaves windows 1..k-1 loaded, so the rerun starts from there.

The loop also holds the source's run deadline (``sources.<name>.run_deadline_s``,
``ingestion.deadline``): a source stuck on its rate limit stops cleanly, between windows or
before a wait that would pass it, keeping the windows it committed.

Which tables are windowed: docs/sources/<name>.md, section "Windows and deadline".
"""

from __future__ import annotations

import contextvars
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import dlt

from ingestion import deadline
from ingestion.http import SourceError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunLimits:
    """How one source's runs are bounded, read once from ``[sources.<name>]``."""

    window_days: int | None = None
    """Days per backfill window (``backfill_window_days``); None: the backfill in one go."""
    deadline_s: float | None = None
    """Seconds a run may take (``run_deadline_s``); None: no deadline."""


def limits_of(source: str) -> RunLimits:
    """``backfill_window_days`` and ``run_deadline_s`` of ``[sources.<source>]`` (.dlt/config.toml
    or the environment, e.g. ``SOURCES__MATOMO__RUN_DEADLINE_S``); unset means unbounded."""
    days = dlt.config.get(f"sources.{source}.backfill_window_days", int)
    budget = dlt.config.get(f"sources.{source}.run_deadline_s", float)
    if days is not None and days < 1:
        raise ValueError(f"sources.{source}.backfill_window_days must be at least 1, not {days}")
    return RunLimits(days, budget)


@dataclass
class Window:
    """One window of a run: its number, its size, and the days each resource has left."""

    days: int
    number: int = 1
    left: dict[tuple[str, str], int] = field(default_factory=dict)
    """(resource, account) -> days between this window's end and today."""
    ends: dict[tuple[str, str], date] = field(default_factory=dict)

    def end(self, resource: str, account: str, first: date, today: date) -> date:
        """The last day ``resource`` loads for ``account`` in this window (at most today)."""
        end = max(first, min(today, first + timedelta(days=self.days - 1)))
        self.left[(resource, account)] = max(0, (today - end).days)
        self.ends[(resource, account)] = end
        return end

    @property
    def days_left(self) -> int:
        return max(self.left.values(), default=0)

    def pending(self) -> set[str]:
        """The resources that still have days to load after this window."""
        return {resource for (resource, _), days in self.left.items() if days > 0}

    def through(self) -> str:
        """The earliest window end, for the log line (what is surely loaded)."""
        return min(self.ends.values()).isoformat() if self.ends else "-"


_CURRENT: contextvars.ContextVar[Window | None] = contextvars.ContextVar(
    "pulse_backfill_window", default=None
)


def window_end(resource: str, account: str, first: date, today: date) -> date:
    """The last day a date-walking resource loads this run: the current window's end, or
    ``today`` when the run has no window (an unbounded run, or a test calling the source)."""
    window = _CURRENT.get()
    return today if window is None else window.end(resource, account, first, today)


def window_days() -> int | None:
    """The current window's size in days; None when the run has no window."""
    window = _CURRENT.get()
    return None if window is None else window.days


class WindowFailed(RuntimeError):
    """A window of a source run failed; the earlier windows are loaded and committed."""

    def __init__(self, source: str, number: int, total: int | None, cause: BaseException) -> None:
        self.source, self.number, self.cause = source, number, root_cause(cause)
        self.deadline = isinstance(self.cause, deadline.DeadlineExceeded)
        of = f"window {number}/{total or '?'}"
        earlier = "window 1 is" if number == 2 else f"windows 1-{number - 1} are"
        kept = (
            f"{earlier} loaded and committed, the rerun resumes after them"
            if number > 1
            else "nothing of this run was committed"
        )
        super().__init__(f"{source}: {of} failed ({kept}): {self.cause}")


def root_cause(exc: BaseException) -> BaseException:
    """The source's own error inside dlt's wrappers (PipelineStepFailed...), else ``exc``."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SourceError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def names_a_window(window: Window | None, exc: BaseException) -> bool:
    """Whether a failure is worth naming by its window: in a windowed run, after a window was
    committed or when the API failed (a wrong warehouse, a missing secret keep their message)."""
    if window is None:
        return False
    return window.number > 1 or isinstance(root_cause(exc), SourceError)


RunWindow = Callable[[set[str] | None], Any]
"""``run_window(resources)``: build a fresh source (only ``resources`` if given), extract,
normalise and load it; return the LoadInfo. Called once per window."""


def run_in_windows(
    source: str,
    run_window: RunWindow,
    limits: RunLimits,
    log: Callable[[str], None] = logger.info,
) -> list[Any]:
    """Run ``run_window`` window after window under the source's deadline, until no resource
    has days left; each window's load commits its cursors. Raises ``WindowFailed``."""
    infos: list[Any] = []
    total: int | None = None
    resources: set[str] | None = None
    ends: dict[tuple[str, str], date] = {}
    with deadline.within(source, limits.deadline_s):
        while True:
            number = len(infos) + 1
            window = Window(limits.window_days, number) if limits.window_days else None
            token = _CURRENT.set(window)
            try:
                if number > 1:
                    deadline.check(source, "-")
                infos.append(run_window(resources))
            except Exception as exc:
                if not names_a_window(window, exc):
                    raise  # a run without windows, or a refusal before anything was loaded
                raise WindowFailed(source, number, total, exc) from exc
            finally:
                _CURRENT.reset(token)
            if window is None or window.days_left == 0:
                if number > 1:
                    log(f"{source}: window {number}/{number} loaded: backfill complete")
                return infos
            if window.ends == ends:  # a cursor that does not move would loop for ever
                stuck = RuntimeError(f"the cursors stayed at {window.through()}")
                raise WindowFailed(source, number, total, stuck)
            ends = dict(window.ends)
            total = number + math.ceil(window.days_left / window.days)
            resources = window.pending()
            log(
                f"{source}: window {number}/{total} loaded (through {window.through()}; "
                f"{window.days_left} days left: {', '.join(sorted(resources))})"
            )
