"""Incremental cursors kept in dlt source state, shared by the sources that re-list recent items.

A source lists an account's items newest first, back to the *re-list window*: the last run's
newest item, or further back if the metrics window reaches further (recent items get fresh
snapshots each run). The cursor lives in dlt source state, so it only advances when the load
succeeds. These helpers keep that arithmetic identical across sources.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import dlt

from ingestion.http import SourceError
from ingestion.quarantine import BAD_RECORD, Bad, parse_timestamp

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

Page = tuple[Iterable[Any], datetime]
"""The raw items of one list page and when it was fetched (the server's clock)."""


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


@dataclass
class Listing(Generic[R]):
    """One account's items listed this run: rows to load, their refs (what the run's other
    resources read), the records set aside, and how far back it went (None: everything).
    ``orphans``: ids of records set aside whose children must still be read (a post
    quarantined for one bad field still has comments, which would otherwise be lost)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    refs: list[R] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    since: datetime | None = None

    def items(self) -> Iterator[dict[str, Any] | Bad]:
        """What the listing's own table gets: the bad records (quarantined), then the rows."""
        yield from self.bad
        yield from self.rows


def list_newest_first(
    pages: Iterable[Page],
    build: Callable[[Any, datetime], tuple[dict[str, Any], R]],
    created: Callable[[R], datetime],
    since: datetime | None,
    *,
    key: Callable[[R], str] | None = None,
    redact: Callable[[Any], Any] | None = None,
    salvage: Callable[[Any], str | None] | None = None,
) -> Listing[R]:
    """The items of pages listed newest first, back to ``since``: paging stops after the first
    page that reaches past it. ``build(raw, fetched_at)`` makes (row, ref); a record it rejects
    is kept as ``Bad`` (``redact``-ed first); ``key`` drops an item seen on an earlier page
    (offset pages shift when an item is added or edited meanwhile); ``salvage(raw)`` is the id
    of a rejected record whose children are still to be read (``Listing.orphans``)."""
    listing: Listing[R] = Listing(since=since)
    seen: set[str] = set()
    for items, fetched_at in pages:
        reached_since = False
        for raw in items:
            try:
                row, ref = build(raw, fetched_at)
            except BAD_RECORD as exc:
                listing.bad.append(Bad(redact(raw) if redact else raw, exc, fetched_at))
                orphan = salvage(raw) if salvage is not None else None
                if orphan is not None:
                    listing.orphans.append(orphan)
                continue
            if since is not None and created(ref) < since:
                reached_since = True
                continue
            if key is not None:
                if key(ref) in seen:
                    continue
                seen.add(key(ref))
            listing.rows.append(row)
            listing.refs.append(ref)
        if reached_since:
            break
    return listing


def relist(
    cursor_key: str,
    now: datetime,
    window: timedelta,
    pages: Iterable[Page],
    build: Callable[[Any, datetime], tuple[dict[str, Any], R]],
    created: Callable[[R], datetime],
    *,
    what: tuple[str, str],
    key: Callable[[R], str] | None = None,
    salvage: Callable[[Any], str | None] | None = None,
) -> Listing[R]:
    """``list_newest_first`` back to the re-list window of ``cursor_key``, then the cursor moved
    to the newest item listed; ``what`` (account label, noun) names them in the log line."""
    cursors = source_state("cursors")
    since = relist_since(cursors.get(cursor_key), now, window)
    listing = list_newest_first(pages, build, created, since, key=key, salvage=salvage)
    advance_cursor(cursors, cursor_key, max(map(created, listing.refs), default=None))
    log_listed(what, len(listing.refs), since)
    return listing


def log_listed(what: tuple[str, str], count: int, since: datetime | None) -> None:
    """One log line per listing: ``<account label>: <count> <noun> listed (since ...)``."""
    label, noun = what
    logger.info("%s: %d %s listed (since %s)", label, count, noun, since_label(since))


def since_label(since: datetime | None) -> str:
    """``since`` for a log line."""
    return since.isoformat() if since else "the beginning"


class CursorTrail:
    """The next-page cursors (or links) one listing followed and the pages it read: a cursor
    the server sends again leads back to a page already read (following it would loop
    forever), and under offset paging a page identical to one already read means the server
    answered another offset than asked (the rows of the offset asked would be lost). Either
    fails the source clearly, naming the source, the account and the cursor or offset."""

    def __init__(self, source: str, account: str, what: str) -> None:
        self.source, self.account, self.what = source, account, what
        self.seen: set[str] = set()
        self.pages: set[str] = set()

    def read(self, items: Sequence[Any], where: str) -> None:
        """Note a page's items (read at ``where``, e.g. ``offset 400``); fails on a repeat."""
        if not items:
            return
        digest = hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode())
        if digest.hexdigest() in self.pages:
            raise SourceError(
                self.source,
                self.account,
                f"{self.what}: the page at {where} repeats a page already read (the server "
                "answered another page than asked); the listing was stopped",
            )
        self.pages.add(digest.hexdigest())

    def follow(self, cursor: T) -> T:
        """``cursor`` (None or empty: the listing ended), unless it was followed before."""
        if cursor is None or cursor == "":
            return cursor
        key = str(cursor)
        if key in self.seen:
            raise SourceError(
                self.source,
                self.account,
                f"{self.what}: paging loop: the server sent the next-page cursor {key!r} "
                "again (a page already read); the listing was stopped",
            )
        self.seen.add(key)
        return cursor


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (ids per multi-id lookup)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
