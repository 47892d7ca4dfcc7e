"""The sandbox clock: a settable "today" shared by every vendor and the manifest.

Nothing created after ``now`` (today 23:59:59 UTC) is visible; advancing the clock is how tests
and the demo exercise incremental runs.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

from sandbox.world.store import now_of


class Clock:
    """Thread-safe today, bounded by the days the world was generated for."""

    def __init__(self, today: date, first: date, last: date) -> None:
        self._lock = threading.Lock()
        self.first, self.last = first, last
        self._today = self._check(today)

    def _check(self, day: date) -> date:
        if not self.first <= day <= self.last:
            raise ValueError(f"today {day} is outside the world ({self.first} .. {self.last})")
        return day

    @property
    def today(self) -> date:
        with self._lock:
            return self._today

    @property
    def now(self) -> datetime:
        """Naive UTC now, for comparisons with the store's timestamps."""
        return now_of(self.today)

    def set(self, day: date) -> date:
        with self._lock:
            self._today = self._check(day)
            return self._today

    def advance(self, days: int = 1) -> date:
        with self._lock:
            self._today = self._check(self._today + timedelta(days=days))
            return self._today

    def http_date(self) -> str:
        """The ``Date`` header value (RFC 7231) for now."""
        return format_datetime(self.now.replace(tzinfo=UTC), usegmt=True)

    def as_dict(self) -> dict[str, str]:
        return {
            "today": self.today.isoformat(),
            "now": self.now.isoformat() + "Z",
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
        }
