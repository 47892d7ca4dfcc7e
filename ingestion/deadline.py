"""A source run's deadline: past it, the source stops cleanly instead of holding its slot.

A throttled API can ask a source to wait for minutes (Meta's ``estimated_time_to_regain_access``,
X's 15-minute windows). The retry budget of one request (``max_total_wait_s``) bounds one
wait, not the run. The run loop (``ingestion.windows.run_in_windows``) sets a deadline for the
whole run; the HTTP client asks ``check`` before each attempt and before each wait, and a
wait that would end past the deadline stops the run at once with ``DeadlineExceeded``.

The deadline lives in a context variable: it applies to the thread that runs the source (dlt
extracts plain generators in the thread that calls ``pipeline.extract``), so sources running
side by side in other threads or processes keep their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ingestion.http import SourceError


class DeadlineExceeded(SourceError):
    """The source's run deadline (``sources.<name>.run_deadline_s``) was reached."""


@dataclass(frozen=True)
class Deadline:
    """When the run of ``source`` must stop (``time.monotonic`` seconds), and its budget."""

    source: str
    at: float
    budget_s: float

    def left_s(self) -> float:
        return self.at - time.monotonic()


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "pulse_run_deadline", default=None
)


@contextlib.contextmanager
def within(source: str, budget_s: float | None) -> Iterator[Deadline | None]:
    """Run the block under a deadline of ``budget_s`` seconds from now (None: no deadline)."""
    if budget_s is None:
        yield None
        return
    deadline = Deadline(source, time.monotonic() + budget_s, budget_s)
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


def current() -> Deadline | None:
    return _CURRENT.get()


def check(source: str, account: str, wait_s: float = 0.0, what: str = "") -> None:
    """Raise ``DeadlineExceeded`` if the deadline has passed, or would pass during a wait of
    ``wait_s`` seconds; a no-op without a deadline (or for another source's deadline)."""
    deadline = _CURRENT.get()
    if deadline is None or deadline.source != source:
        return
    left = deadline.left_s()
    if left > wait_s:
        return
    doing = f" before waiting {wait_s:.0f} s ({what})" if wait_s else ""
    raise DeadlineExceeded(
        source,
        account,
        f"run deadline of {deadline.budget_s:g} s reached{doing}; stopping "
        f"(sources.{source}.run_deadline_s); what was loaded stays, the next run resumes",
    )
