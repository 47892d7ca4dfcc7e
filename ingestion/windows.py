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

A newest-first listing (posts, videos, reviews: no date filter to walk) windows by pages
instead: ``sources.<name>.backfill_window_pages`` bounds the pages of not-yet-loaded items one
(resource, account) reads per window (``window_pages``); the listing then records its progress
in source state (``ingestion.incremental.Backfill``) and tells the loop it has pages left
(``pages_left``), so the loop runs another window, which continues below what was loaded.

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
    window_pages: int | None = None
    """Pages of a newest-first listing per window (``backfill_window_pages``); None: no bound."""


def limits_of(source: str) -> RunLimits:
    """``backfill_window_days``, ``backfill_window_pages`` and ``run_deadline_s`` of
    ``[sources.<source>]`` (.dlt/config.toml or the environment, e.g.
    ``SOURCES__MATOMO__RUN_DEADLINE_S``); unset means unbounded."""
    days = dlt.config.get(f"sources.{source}.backfill_window_days", int)
    pages = dlt.config.get(f"sources.{source}.backfill_window_pages", int)
    budget = dlt.config.get(f"sources.{source}.run_deadline_s", float)
    for name, value in (("backfill_window_days", days), ("backfill_window_pages", pages)):
        if value is not None and value < 1:
            raise ValueError(f"sources.{source}.{name} must be at least 1, not {value}")
    return RunLimits(days, budget, pages)


@dataclass
class Window:
    """One window of a run: its number, its size, and the work each resource has left."""

    days: int | None
    number: int = 1
    left: dict[tuple[str, str], int] = field(default_factory=dict)
    """(resource, account) -> days between this window's end and today."""
    ends: dict[tuple[str, str], date] = field(default_factory=dict)
    pages: int | None = None
    """Pages of not-yet-loaded items a newest-first listing reads in this window."""
    floors: dict[tuple[str, str], str] = field(default_factory=dict)
    """(listing, account) -> the oldest item loaded so far, for listings with pages left."""
    finished: set[str] = field(default_factory=set)
    """Listings that reached their end in an earlier window of the run (shared by its
    windows): a later window does not list them again."""

    def end(self, resource: str, account: str, first: date, today: date) -> date:
        """The last day ``resource`` loads for ``account`` in this window (at most today)."""
        if self.days is None:
            return today
        end = max(first, min(today, first + timedelta(days=self.days - 1)))
        self.left[(resource, account)] = max(0, (today - end).days)
        self.ends[(resource, account)] = end
        return end

    def pages_left(self, listing: str, account: str, floor: str) -> None:
        """A listing stopped at its page budget: more below ``floor`` for the next window."""
        self.floors[(listing, account)] = floor

    @property
    def days_left(self) -> int:
        return max(self.left.values(), default=0)

    @property
    def work_left(self) -> bool:
        """Whether another window is needed: days to walk or pages to list."""
        return self.days_left > 0 or bool(self.floors)

    def pending(self) -> set[str] | None:
        """The resources that still have days to load after this window; None (every
        resource) when a listing has pages left, since its children read the same listing."""
        if self.floors:
            return None
        return {resource for (resource, _), days in self.left.items() if days > 0}

    def progress(self) -> tuple[dict[tuple[str, str], date], dict[tuple[str, str], str]]:
        """Where every cursor stands after this window (the same twice: the loop is stuck)."""
        return dict(self.ends), dict(self.floors)

    def through(self) -> str:
        """The earliest window end, for the log line (what is surely loaded)."""
        return min(self.ends.values()).isoformat() if self.ends else "-"

    def left_label(self) -> str:
        """What is left after this window, for the log line."""
        parts = []
        if self.days_left:
            days = sorted({resource for (resource, _), d in self.left.items() if d > 0})
            parts.append(f"{self.days_left} days left: {', '.join(days)}")
        if self.floors:
            parts.append(f"pages left: {', '.join(sorted({name for name, _ in self.floors}))}")
        return "; ".join(parts)


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


def window_pages() -> int | None:
    """Pages of not-yet-loaded items a newest-first listing may read in the current window;
    None when the run has no page window (the listing then reads to its end)."""
    window = _CURRENT.get()
    return None if window is None else window.pages


def listing_done(key: str) -> None:
    """Note that listing ``key`` reached its end in this run (no-op outside a windowed run)."""
    window = _CURRENT.get()
    if window is not None:
        window.finished.add(key)


def listed_earlier(key: str) -> bool:
    """Whether listing ``key`` reached its end in an earlier window of this run."""
    window = _CURRENT.get()
    return window is not None and key in window.finished


def current_window() -> int | None:
    """The number of the window running (None outside a windowed run): tests plant a fault
    in one window by it."""
    window = _CURRENT.get()
    return None if window is None else window.number


def pages_left(listing: str, account: str, floor: str) -> None:
    """Tell the run's window that ``listing`` of ``account`` stopped at its page budget with
    items older than ``floor`` still to read (no-op outside a windowed run)."""
    window = _CURRENT.get()
    if window is not None:
        window.pages_left(listing, account, floor)


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
    progress: tuple[Any, Any] = ({}, {})
    windowed = bool(limits.window_days or limits.window_pages)
    finished: set[str] = set()
    with deadline.within(source, limits.deadline_s):
        while True:
            number = len(infos) + 1
            window = (
                Window(limits.window_days, number, pages=limits.window_pages, finished=finished)
                if windowed
                else None
            )
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
            if window is None or not window.work_left:
                if number > 1:
                    log(f"{source}: window {number}/{number} loaded: backfill complete")
                return infos
            if window.progress() == progress:  # a cursor that does not move would loop for ever
                floors = ", ".join(sorted(set(window.floors.values())))
                stuck = RuntimeError(f"the cursors stayed at {window.through()} {floors}".strip())
                raise WindowFailed(source, number, total, stuck)
            progress = window.progress()
            total = remaining(window)
            resources = window.pending()
            log(
                f"{source}: window {number}/{total or '?'} loaded (through {window.through()}; "
                f"{window.left_label()})"
            )


def remaining(window: Window) -> int | None:
    """The total windows the run will take, as far as it is known: days are counted ahead,
    pages are not (a listing does not know how many it has left)."""
    if window.floors or not window.days:
        return None
    return window.number + math.ceil(window.days_left / window.days)
