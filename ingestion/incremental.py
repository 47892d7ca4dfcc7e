"""Incremental cursors kept in dlt source state, shared by the sources that re-list recent items.

A source lists an account's items newest first, back to the *re-list window*: the last run's
newest item, or further back if the metrics window reaches further (recent items get fresh
snapshots each run). The cursor lives in dlt source state, so it only advances when the load
succeeds. These helpers keep that arithmetic identical across sources.

A long listing (the first run's whole history) loads in page windows (``Backfill``): each
window reads at most ``backfill_window_pages`` pages of items not loaded yet, commits them and
its progress, and the next window (or the rerun after a failure) loads what is new above the
progress, skips what an earlier window loaded and continues below it.
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
import orjson

from ingestion.http import SourceError
from ingestion.quarantine import BAD_RECORD, Bad, parse_timestamp
from ingestion.windows import listed_earlier, listing_done, pages_left, window_pages

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
class Backfill:
    """One newest-first listing's progress across page windows, kept in source state under
    ``backfills[key]`` until the listing reaches its end: ``top`` (the newest item loaded),
    ``floor`` (the oldest, with the keys of the items at that instant: a page may end between
    two items of the same second) and ``bottom`` (where the listing stops; None: its end).
    Everything between floor and top is loaded and committed. The cursor must not move while a
    backfill is open, else the next run would stop at it and never read below the floor."""

    key: str
    listing: str
    since: datetime | None
    book: MutableMapping[str, Any] = field(default_factory=dict)
    """Where the progress is saved: ``backfills`` of the source state."""
    top: datetime | None = None
    floor: datetime | None = None
    floor_keys: set[str] = field(default_factory=set)
    budget: int | None = None
    pages: int = 0
    cut: bool = False
    newest: datetime | None = None
    oldest: datetime | None = None
    oldest_keys: set[str] = field(default_factory=set)
    old_on_page: bool = False
    seen: set[str] = field(default_factory=set)
    reached_band: bool = False
    """An item an earlier window loaded was met: a resumable listing jumps below the floor."""
    done: bool = False
    """The listing reached its end in an earlier window of this run: nothing to list."""

    @classmethod
    def resume(
        cls,
        key: str,
        listing: str,
        since: datetime | None,
        book: MutableMapping[str, Any] | None = None,
    ) -> Backfill:
        """The saved progress of ``key`` in ``book`` (default: the source state's
        ``backfills``; its ``bottom`` wins over ``since``), or a new one; the page budget is
        the current window's (None outside a page window)."""
        book = source_state("backfills") if book is None else book
        saved = book.get(key)
        budget = window_pages()
        if not saved:
            return cls(key, listing, since, book, budget=budget, done=listed_earlier(key))
        bottom = parse_timestamp(saved["bottom"]) if saved.get("bottom") else None
        return cls(
            key,
            listing,
            bottom,
            book,
            top=parse_timestamp(saved["top"]),
            floor=parse_timestamp(saved["floor"]),
            floor_keys=set(saved["floor_keys"]),
            budget=budget,
        )

    def admit(self, created: datetime, item_key: str | None) -> bool:
        """Whether an item is to be loaded: False when an earlier window (or an earlier page of
        this one: a resumed listing may meet an item twice) loaded it."""
        if item_key is not None:
            if item_key in self.seen:
                return False
            self.seen.add(item_key)
        if self.loaded_before(created, item_key):
            self.reached_band = True
            return False
        if self.top is None or created <= self.top:  # below what is loaded: counts as a page
            self.old_on_page = True
            if self.oldest is None or created < self.oldest:
                self.oldest, self.oldest_keys = created, set()
            if created == self.oldest and item_key is not None:
                self.oldest_keys.add(item_key)
        if self.newest is None or created > self.newest:
            self.newest = created
        return True

    def loaded_before(self, created: datetime, item_key: str | None) -> bool:
        """Whether the item lies between floor and top: an earlier window loaded it."""
        if self.top is None or self.floor is None or created > self.top:
            return False
        return created > self.floor or (created == self.floor and item_key in self.floor_keys)

    def turn_page(self) -> bool:
        """After a page: whether to read the next one. A page with items below what is loaded
        counts against the window's budget; the listing stops when it is spent."""
        self.pages += self.old_on_page
        self.old_on_page = False
        self.cut = self.budget is not None and self.pages >= self.budget
        return not self.cut

    def close(self) -> datetime | None:
        """Save the progress of a listing cut at its budget (and tell the window loop) and
        return None; or, the listing complete, forget it and return the cursor's new value."""
        saved = self.book
        tops = [t for t in (self.top, self.newest) if t is not None]
        if not self.cut or not tops:
            saved.pop(self.key, None)
            listing_done(self.key)
            return max(tops, default=None)
        floor, keys = self.floor, set(self.floor_keys)
        if self.oldest is not None and (floor is None or self.oldest <= floor):
            keys = keys | self.oldest_keys if self.oldest == floor else set(self.oldest_keys)
            floor = self.oldest
        assert floor is not None  # a cut listing counted a page below what was loaded
        saved[self.key] = {
            "top": max(tops).isoformat(),
            "floor": floor.isoformat(),
            "floor_keys": sorted(keys),
            "bottom": self.since.isoformat() if self.since else None,
        }
        pages_left(self.listing, self.key, floor.isoformat())
        return None


def resumed(
    backfill: Backfill,
    from_top: Iterable[T],
    below: Callable[[datetime, set[str]], Iterable[T]] | None,
) -> Iterator[T]:
    """The pages of a listing in a page window: from the top until a page meets what earlier
    windows loaded, then ``below(floor, floor_keys)``: the vendor's own resume point (X's
    ``until_id``, TikTok's time cursor), so the loaded band is not read again. Without
    ``below`` (a vendor with no resume parameter) the walk goes on from the top through the
    band, whose items ``Backfill.admit`` skips: it costs those pages' requests again."""
    if below is None or backfill.floor is None:
        yield from from_top
        return
    for page in from_top:
        yield page
        if backfill.reached_band:
            break
    yield from below(backfill.floor, backfill.floor_keys)


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
    backfill: Backfill | None = None,
) -> Listing[R]:
    """The items of pages listed newest first, back to ``since``: paging stops after the first
    page that reaches past it. ``build(raw, fetched_at)`` makes (row, ref); a record it rejects
    is kept as ``Bad`` (``redact``-ed first); ``key`` drops an item seen on an earlier page
    (offset pages shift when an item is added or edited meanwhile); ``salvage(raw)`` is the id
    of a rejected record whose children are still to be read (``Listing.orphans``);
    ``backfill`` skips what an earlier window loaded and stops paging at the window's budget."""
    listing: Listing[R] = Listing(since=since)
    seen: set[str] = set()
    if backfill is not None and backfill.done:
        return listing  # listed to its end by an earlier window of this run
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
            if backfill is not None and not backfill.admit(created(ref), key and key(ref)):
                continue
            listing.rows.append(row)
            listing.refs.append(ref)
        if reached_since or (backfill is not None and not backfill.turn_page()):
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
    below: Callable[[datetime, set[str]], Iterable[Page]] | None = None,
) -> Listing[R]:
    """``list_newest_first`` back to the re-list window of ``cursor_key`` in page windows
    (``Backfill``; ``below``: the vendor's resume point, see ``resumed``), then the cursor
    moved to the newest item listed once the listing is complete; ``what`` (account label,
    noun) names them in the log line."""
    cursors = source_state("cursors")
    since = relist_since(cursors.get(cursor_key), now, window)
    backfill = Backfill.resume(cursor_key, what[1], since)
    listing = list_newest_first(
        resumed(backfill, pages, below),
        build,
        created,
        backfill.since,
        key=key,
        salvage=salvage,
        backfill=backfill,
    )
    advance_cursor(cursors, cursor_key, backfill.close())
    log_listed(what, len(listing.refs), backfill.since)
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
        digest = hashlib.sha256(fingerprint(items))
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


def fingerprint(items: Sequence[Any]) -> bytes:
    """A page's items as bytes that are equal when the items are: orjson with sorted keys
    (json.dumps of Search Console's pages took 0.35 s of a 3 s replay), or the standard
    library's encoder for what orjson cannot encode (an integer past 64 bits)."""
    try:
        return orjson.dumps(items, option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:
        return json.dumps(items, sort_keys=True, default=str).encode()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (ids per multi-id lookup)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
