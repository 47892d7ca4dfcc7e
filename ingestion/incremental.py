"""Incremental cursors kept in dlt source state, shared by the sources that re-list recent items.

A source lists an account's items newest first, back to the *re-list window*: the last run's
newest item, or further back if the metrics window reaches further (recent items get fresh
snapshots each run). The cursor lives in dlt source state, so it only advances when the load
succeeds. These helpers keep that arithmetic identical across sources.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import dlt

from ingestion.quarantine import parse_timestamp

T = TypeVar("T")


def source_state(name: str) -> dict[str, Any]:
    """A named dict in the dlt source state (only valid while extracting)."""
    return dlt.current.source_state().setdefault(name, {})


def relist_since(cursor: str | None, now: datetime, window: timedelta) -> datetime | None:
    """Start of the re-list window: min(cursor, now - window); None on the first run
    (no cursor), when everything is listed."""
    if not cursor:
        return None
    return min(parse_timestamp(cursor), now - window)


def advance_cursor(cursors: MutableMapping[str, Any], key: str, newest: datetime | None) -> None:
    """Move ``cursors[key]`` forward to ``newest`` (never back); no-op when nothing was listed."""
    if newest is None:
        return
    old = cursors.get(key)
    if old is None or parse_timestamp(old) < newest:
        cursors[key] = newest.isoformat()


def since_label(since: datetime | None) -> str:
    """``since`` for a log line."""
    return since.isoformat() if since else "the beginning"


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (ids per multi-id lookup)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
