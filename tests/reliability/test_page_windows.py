"""Progress survives a late failure in the newest-first listings: page windows.

Each case backfills one source through ``ingestion.run.run_source`` (the loop every run goes
through) with a small page size and ``backfill_window_pages`` = ``pages``, so the listing of
each account takes several windows, and a 5xx (``X-Sandbox-Fault: server_error`` on every
attempt) planted on the listing requests of the LAST window only. Then:

1. the run fails naming the source and the window, and the fault fired (sandbox count);
2. the earlier windows are loaded: per account, as many of the n items the world's manifest
   states as the windows before the last read (by hand, ``loaded_by_window``), none twice,
   none the manifest lacks;
3. the progress sits there: the listings still open hold a ``backfills`` entry whose floor is
   the oldest item loaded, and no cursor (the next run must not stop at the top);
4. a rerun without the fault completes the load: every record kind the fault matrix checks
   (posts, comments, videos, reviews...) equals the manifest, 0 lost and 0 duplicated;
5. the rerun did not load the committed rows of the open listings again: each listing's log
   line (``<account>: N <items> listed``) counts only the rows that were missing.

The windows, by hand: an account with n items in pages of p takes ceil(n/p) pages; a window
reads ``pages`` of them, and a listing that ends exactly on a window's last page learns it
only in the next window, so an account takes ceil(n/p) // pages + 1 windows (a resumed
listing that reads its floor's instant again, one item fewer per window); the run takes the
most of its accounts'. Oracles: the manifest (``vendor_truth``) and ``reliability.truth``.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
import pytest

from ingestion.http import SourceError
from ingestion.incremental import Backfill, list_newest_first, resumed
from ingestion.run import run_source
from ingestion.windows import RunLimits, WindowFailed, current_window, run_in_windows
from pulse_config.paths import dlt_state_beside
from reliability.truth import compare, expected_records
from tests.sources.support import START, TODAY, Sandbox, factory_kwargs, fault_when, query
from tests.sources.support import vendor_truth as manifest_of


@dataclass(frozen=True)
class Case:
    name: str
    listing: str
    """A fragment of the listing requests' URL (where the fault is planted)."""
    rows_sql: str
    """(account, key, created) of the listing's rows."""
    counts: Callable[[dict[str, Any]], dict[str, int]]
    """Items per account, from the manifest."""
    state_key: Callable[[str], str]
    """The account's key in the ``backfills`` and ``cursors`` state."""
    page_size: int
    pages: int
    overrides: dict[str, Any] = field(default_factory=dict)
    cursors: str = "cursors"
    overlap: Callable[[str], int] = lambda _account: 0
    """Items a resumed window of the account reads again (``loaded_by_window``)."""

    def plan(self, account: str, n: int) -> list[int]:
        """Items of an n-item account loaded after each window, by hand."""
        return loaded_by_window(n, self.page_size, self.pages, self.overlap(account))

    @property
    def size_option(self) -> str:
        return "playlist_page_size" if self.name == "youtube" else "page_size"


def per_account(accounts: str, ids: str) -> Callable[[dict[str, Any]], dict[str, int]]:
    return lambda m: {a: len(v[ids]) for a, v in m[accounts].items()}


def youtube_counts(m: dict[str, Any]) -> dict[str, int]:
    counts = dict.fromkeys(m["channels"], 0)
    for video in m["videos"].values():
        counts[video["channel_id"]] += 1
    return counts


def meta_key(account: str) -> str:
    return f"{'instagram' if account.startswith('1784') else 'facebook'}:{account}"


CASES = [
    Case("trustpilot", "/reviews",
         "select business_unit_id, review_id, created_at from raw_trustpilot.reviews",
         per_account("business_units", "review_ids"), str, 40, 2),
    Case("x", "/tweets",
         "select user_id, tweet_id, created_at from raw_x.posts",
         per_account("accounts", "post_ids"), lambda a: f"timeline:{a}", 30, 2,
         cursors="timeline_cursors"),
    Case("tiktok", "/video/list",
         "select open_id, video_id, create_time from raw_tiktok.tiktok_videos",
         per_account("accounts", "video_ids"), str, 5, 2, overlap=lambda _a: 1),
    Case("google_business", "/reviews",
         "select location_name, review_name, update_time "
         "from raw_google_business.reviews",
         per_account("locations", "review_names"), str, 10, 2),
    Case("linkedin", "/rest/posts",
         "select organization_id, post_urn, last_modified_at "
         "from raw_linkedin.linkedin_posts",
         per_account("organizations", "post_urns"), str, 2, 2),
    Case("meta", "/published_posts",
         "select page_id, post_id, created_time from raw_meta.facebook_posts "
         "union all select ig_user_id, media_id, \"timestamp\" "
         "from raw_meta.instagram_media",
         per_account("accounts", "post_ids"), meta_key, 10, 2,
         overlap=lambda a: 0 if a.startswith("1784") else 1),  # Pages resume with `until`
    Case("youtube", "/playlistItems",
         "select channel_id, video_id, published_at from raw_youtube.playlist_items",
         youtube_counts, str, 3, 2),
]  # fmt: skip

SMOKE = "trustpilot"
"""The case the default run keeps; the others are marked long."""


def loaded_by_window(n: int, size: int, pages: int, overlap: int = 0) -> list[int]:
    """Items of an n-item listing loaded after each window (module docstring); ``overlap``:
    items a resumed window reads again at its start (TikTok's time cursor includes the
    floor's instant; X's ``until_id`` excludes the floor; a re-walk skips the band whole)."""
    loaded, out = 0, []
    while True:
        again = overlap if out else 0
        needed = math.ceil((n - loaded + again) / size)  # pages left to read, from the floor
        if needed < pages:
            return [*out, n]
        loaded = min(n, loaded + pages * size - again)
        out.append(loaded)
        if needed == pages:  # the budget ran out on the last page: one more window learns it
            return [*out, n]


def windows_of(counts: dict[str, int], case: Case) -> int:
    """The windows a run takes: the most of its accounts'."""
    return max(len(case.plan(a, n)) for a, n in counts.items())


def fault_in_window(number: int, fragment: str) -> AbstractContextManager[list[str]]:
    """``X-Sandbox-Fault: server_error`` on every request whose URL holds ``fragment`` while
    window ``number`` runs; yields the URLs it was sent with."""
    return fault_when(lambda url, _kwargs: fragment in url and current_window() == number)


def committed_state(db: Path, source: str) -> dict[str, Any]:
    """The source's state as the warehouse holds it (what the next run restores)."""
    pipeline = dlt.pipeline(
        f"pages_{source}",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name=f"raw_{source}",
        pipelines_dir=str(dlt_state_beside(db) / "probe"),
    )
    pipeline.sync_destination()
    return pipeline.state["sources"][source]


def rows_by_account(db: Path, sql: str) -> dict[str, list[tuple[str, Any]]]:
    out: dict[str, list[tuple[str, Any]]] = {}
    for account, key, created in query(db, sql):
        out.setdefault(str(account), []).append((str(key), created))
    return out


LISTED = re.compile(r"(\S+): (\d+) (?:own tweets|posts|uploads|videos|reviews)\b")
"""The listing's log line per account and window (``log_listed`` and the own loops')."""


def listed(records: list[logging.LogRecord]) -> Counter[str]:
    """Items each account's listing loaded, summed over the windows logged in ``records``."""
    out: Counter[str] = Counter()
    for record in records:
        found = LISTED.search(record.getMessage())
        if found:
            out[found[1]] += int(found[2])
    return out


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=() if c.name == SMOKE else pytest.mark.long) for c in CASES],
    ids=[c.name for c in CASES],
)
def test_a_late_failure_keeps_the_committed_page_windows(
    case: Case, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world = sandbox.world  # the world served (a session's sandbox may serve another fixture's)
    db = tmp_path / "w.duckdb"
    counts = case.counts(manifest_of(world, case.name, TODAY))
    last = windows_of(counts, case)
    assert last >= 3, "the case must commit at least two windows before the last"
    kwargs = factory_kwargs(
        case.name, sandbox.url, **{case.size_option: case.page_size}, **case.overrides
    )
    limits = RunLimits(window_pages=case.pages)
    pipeline = f"pages_{case.name}"

    with fault_in_window(last, case.listing) as planted, pytest.raises(WindowFailed) as failed:
        run_source(case.name, db, pipeline_name=pipeline, limits=limits, **kwargs)
    assert planted and sandbox.fired().get("server_error", 0) > 0, "the fault never fired"
    message = str(failed.value)
    assert f"{case.name}: window {last}/? failed" in message
    assert f"windows 1-{last - 1} are loaded" in message

    # 2. the earlier windows' rows, per account: the count by hand, none twice or unknown
    loaded = rows_by_account(db, case.rows_sql)
    for account, n in counts.items():
        keys = [k for k, _ in loaded.get(account, [])]
        plan = case.plan(account, n)
        assert len(keys) == len(set(keys)) == plan[min(last - 1, len(plan)) - 1], account
    tally = compare(db, case.name, expected_records(world, case.name, TODAY, START))
    assert tally.duplicated == tally.unexpected == 0, tally.detail

    # 3. the progress: open listings keep a floor at their oldest row and no cursor
    state = committed_state(db, case.name)
    open_accounts = {a for a, n in counts.items() if len(case.plan(a, n)) == last}
    assert open_accounts, "no listing was still open at the last window"
    for account in counts:
        key = case.state_key(account)
        progress = state.get("backfills", {}).get(key)
        cursor = state.get(case.cursors, {}).get(key.removeprefix("timeline:"))
        if account in open_accounts:
            oldest = min(created for _, created in loaded[account])
            assert progress and progress["floor"] == oldest.isoformat(), account
            assert cursor is None, account
        else:
            assert progress is None and cursor is not None, account

    # 4. the rerun completes the load, exactly
    caplog.clear()
    run_source(case.name, db, pipeline_name=pipeline, limits=limits, **kwargs)
    tally = compare(db, case.name, expected_records(world, case.name, TODAY, START))
    assert tally.exact and tally.lost == 0, tally.detail
    assert tally.loaded > 0
    assert not committed_state(db, case.name).get("backfills")

    # 5. ... loading only the rows the open listings were missing, none committed again
    again = listed(caplog.records)
    for account in open_accounts:
        assert again[account] == counts[account] - len(loaded[account]), account


# --- the mechanism on a fake listing (no sandbox): windows and skips by hand -------------------


@dataclass
class FakeListing:
    """An account's items (id, created) served newest first in pages of ``size``; ``book`` and
    ``cursor`` are the committed state, ``loads`` the ids each committed window loaded."""

    items: list[tuple[str, datetime]]
    size: int = 5
    book: dict[str, Any] = field(default_factory=dict)
    cursor: datetime | None = None
    loads: list[list[str]] = field(default_factory=list)
    requests: int = 0
    fail_in: int | None = None

    def pages(self, below: datetime | None = None) -> Iterator[tuple[list[Any], datetime]]:
        ordered = sorted(self.items, key=lambda item: (item[1], item[0]), reverse=True)
        if below is not None:
            ordered = [item for item in ordered if item[1] <= below]
        for start in range(0, len(ordered), self.size):
            self.requests += 1
            if current_window() == self.fail_in:
                raise SourceError("fake", "acc", "HTTP 503 (planted)")
            yield ordered[start : start + self.size], NOW

    def run_window(self, resume: bool) -> Callable[[set[str] | None], None]:
        def run(_resources: set[str] | None) -> None:
            book = copy.deepcopy(self.book)  # committed only if the window succeeds
            backfill = Backfill.resume("acc", "items", self.cursor, book)
            listing = list_newest_first(
                resumed(backfill, self.pages(), (lambda f, _k: self.pages(f)) if resume else None),
                lambda raw, _at: (raw, raw),
                lambda ref: ref[1],
                backfill.since,
                key=lambda ref: ref[0],
                backfill=backfill,
            )
            cursor = backfill.close()
            self.book, self.cursor = book, cursor or self.cursor
            self.loads.append([item_id for item_id, _ in listing.rows])

        return run


NOW = datetime(2025, 12, 10, tzinfo=UTC)


def items(n: int, start: int = 0, same_second: int = 1) -> list[tuple[str, datetime]]:
    """``n`` items, one a minute back from NOW (``same_second`` of them share each instant)."""
    return [
        (f"i{start + i:03d}", NOW - timedelta(minutes=(start + i) // same_second)) for i in range(n)
    ]


@pytest.mark.parametrize(
    ("resume", "second", "floor_keys", "rest", "requests"),
    [
        # re-walk: window 2 reads pages 3-4 (items 10-19); the rerun walks all 6 pages, the
        # last 2 of them below the floor: the budget is spent, so one more (empty) window
        # walks the 6 pages again to learn the listing is complete
        (False, 10, ["i019", "i020"], ["i018", "i021", "i022"], 12),
        # resume point: window 2 starts at the floor's instant (i011 skipped: 9 new items);
        # the rerun reads 1 page from the top (new items, then the band) and 1 below
        (True, 9, ["i020"], ["i018", "i019", "i021", "i022"], 2),
    ],
    ids=["re-walk", "resume-point"],
)
def test_a_fake_listing_fails_in_its_last_window_and_the_rerun_completes_it(
    resume: bool, second: int, floor_keys: list[str], rest: list[str], requests: int
) -> None:
    # 23 items, 3 to an instant (ties), served newest first (ids descending within an
    # instant: i002 i001 i000 i005 ...) in pages of 5; 2 pages a window; window 3 fails.
    fake = FakeListing(items(23, same_second=3), fail_in=3)
    with pytest.raises(WindowFailed, match=r"fake: window 3/\? failed \(windows 1-2 are loaded"):
        run_in_windows("fake", fake.run_window(resume), RunLimits(window_pages=2))
    assert [len(ids) for ids in fake.loads] == [10, second]
    assert fake.cursor is None  # the top is not the cursor until the listing is complete
    assert fake.book["acc"]["floor"] == (NOW - timedelta(minutes=6)).isoformat()  # i018-i020
    assert fake.book["acc"]["floor_keys"] == floor_keys
    committed = fake.loads

    fake.fail_in, fake.loads, fake.requests = None, [], 0
    fake.items += items(4, start=-4)  # 4 new items meanwhile, NOW + 1..4 min: above the top
    run_in_windows("fake", fake.run_window(resume), RunLimits(window_pages=2))
    assert sorted(fake.loads[0]) == sorted(["i-04", "i-03", "i-02", "i-01", *rest])
    assert fake.loads[1:] == ([] if resume else [[]])
    every = [i for ids in committed + fake.loads for i in ids]
    assert sorted(every) == sorted(i for i, _ in fake.items)  # each item once, none lost
    assert fake.cursor == NOW + timedelta(minutes=4) and fake.book == {}
    assert fake.requests == requests


def test_a_budget_spent_exactly_at_the_end_takes_one_more_window() -> None:
    fake = FakeListing(items(20))  # 4 full pages, 2 a window
    lines: list[str] = []
    run_in_windows("fake", fake.run_window(False), RunLimits(window_pages=2), lines.append)
    assert [len(ids) for ids in fake.loads] == [10, 10, 0]
    assert lines[0] == "fake: window 1/? loaded (through -; pages left: items)"
    assert lines[-1] == "fake: window 3/3 loaded: backfill complete"
    assert fake.cursor == NOW and fake.book == {}
