"""In-memory indexes of small read-only world tables, for APIs asked one item at a time.

Some clients ask for one post's (or one comment's) comments per request: hundreds of requests,
each a cheap query but never free. The world store is read-only, so such a table is read once,
grouped by what the requests filter on and sorted as the API pages it; a request then takes the
rows visible at the clock's now (a bisect on the sort's time column) and slices its page. Same
rows, same order as the query it replaces: the sort is that query's ``ORDER BY time, id`` (a
unique id, compared as DuckDB compares VARCHARs: by code point).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Groups:
    """Rows grouped by one column, each group sorted by (time, id) ascending."""

    def __init__(self, rows: Iterable[dict[str, Any]], key: str, time: str, tiebreak: str) -> None:
        groups: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            if row[key] is not None and row[time] is not None:
                groups.setdefault(row[key], []).append(row)
        for group in groups.values():
            group.sort(key=lambda r: (r[time], r[tiebreak]))
        self._groups = groups
        self._times = {k: [r[time] for r in g] for k, g in groups.items()}

    def visible(self, value: Any, now: datetime) -> list[dict[str, Any]]:
        """The rows of group ``value`` whose time is at or before ``now``, oldest first."""
        group = self._groups.get(value)
        if not group:
            return []
        return group[: bisect_right(self._times[value], now)]


class Lazy(Generic[T]):
    """A value built on first use, once (concurrent first uses wait for the same build)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value
