"""linkedin_post_statistics_daily: each post's own daily statistics up to D+28.

Against the sandbox (its manifest is the world's numbers, computed without the API), and the
planning rules on their own: which posts and days a run asks, and how many requests that costs.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ingestion.linkedin import daily
from ingestion.linkedin.rows import PostRef
from tests.linkedin.client import LinkedIn, expected_post_daily, post_daily, query, run_source
from tests.sources.support import TODAY, Sandbox

REQUESTS = re.compile(r"linkedin_post_statistics_daily: (\d+) posts in (\d+) requests, (\d+) days")


def _requests(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int, int]]:
    """(posts, requests, days loaded) per organization, from the resource's log lines."""
    found = [REQUESTS.search(r.getMessage()) for r in caplog.records]
    caplog.clear()
    return [(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in found if m]


def test_full_load_equals_the_world(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ingestion.linkedin.daily"):
        db = run_source(sandbox.url, tmp_path, "post_daily")
    manifest = li.manifest()
    got, expected = post_daily(db), expected_post_daily(manifest)
    assert got.keys() == expected.keys()
    assert got == expected
    # every post of the (45-day) world is inside the 12-month window: one series each, from
    # its publication day (D+0) to min(D+28, today)
    urns = {u for org in manifest["organizations"].values() for u in org["post_urns"]}
    assert {urn for urn, _ in got} == urns
    ages = query(
        db,
        "select min(d.date - p.published_at::date), max(d.date - p.published_at::date) "
        "from raw_linkedin.linkedin_post_statistics_daily d "
        "join raw_linkedin.linkedin_posts p using (post_urn)",
    )
    assert ages == [(0, 28)]
    # a post's days add up to its lifetime values once it is older than its growth
    org = manifest["organizations"][next(iter(manifest["organizations"]))]
    oldest = org["post_urns"][-1]
    for key in ("likeCount", "commentCount", "shareCount", "clickCount", "impressionCount"):
        summed = sum(v[key] for (u, _), v in got.items() if u == oldest)
        assert summed == org["posts"][oldest][key], key
    # 20 posts per request
    asked = _requests(caplog)
    assert len(asked) == len(manifest["organizations"])
    assert all(requests == math.ceil(posts / 20) for posts, requests, _ in asked)
    assert sum(p for p, _, _ in asked) == len(urns)


def test_same_day_adds_nothing_and_next_day_only_the_new_days(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    day = TODAY - timedelta(days=1)
    li.control("POST", "/clock/set", params={"today": day.isoformat()})
    db = run_source(sandbox.url, tmp_path, "post_daily_days")
    first = post_daily(db)
    assert first == expected_post_daily(li.manifest(day))
    run_source(sandbox.url, tmp_path, "post_daily_days")
    assert post_daily(db) == first  # same sandbox day: nothing new, nothing changed
    li.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
    with caplog.at_level(logging.INFO, logger="ingestion.linkedin.daily"):
        run_source(sandbox.url, tmp_path, "post_daily_days")
    after, expected = post_daily(db), expected_post_daily(li.manifest(TODAY))
    assert after == expected  # the partial day of the previous run was re-read
    new = after.keys() - first.keys()
    assert new and all(d == TODAY.isoformat() for _, d in new)
    # only the posts still inside their first 28 days + the 3-day refetch were asked again
    published: dict[str, str] = {}
    for urn, d in expected:
        published[urn] = min(d, published.get(urn, d))
    followed = {u for u, d in published.items() if d >= (TODAY - timedelta(days=31)).isoformat()}
    asked = _requests(caplog)
    assert sum(p for p, _, _ in asked) == len(followed) < len(published)
    assert all(requests == math.ceil(posts / 20) for posts, requests, _ in asked)
    # ... each from its last loaded day (D+28 at most) minus 3, not from its publication
    reread = 0
    for urn in followed:
        pub = date.fromisoformat(published[urn])
        last_loaded = min(pub + timedelta(days=28), day)
        first_asked = max(pub, last_loaded - timedelta(days=3))
        reread += (min(pub + timedelta(days=28), TODAY) - first_asked).days + 1
    assert sum(d for _, _, d in asked) == reread


# --- the plan on its own ------------------------------------------------------------------


def _ref(urn: str, published: date) -> PostRef:
    at = datetime(published.year, published.month, published.day, 9, tzinfo=UTC)
    return PostRef(urn, "1", at, at)


def _urn(i: int) -> str:
    return f"urn:li:share:{7000000000000000000 + i}"


def test_first_run_asks_a_year_of_posts_each_to_its_d28() -> None:
    today = date(2026, 6, 30)
    refs = [_ref(_urn(i), today - timedelta(days=age)) for i, age in enumerate((0, 10, 364, 365))]
    asks, kept = daily.plan(None, refs, today)
    by_urn = {a.post_urn: a for a in asks}
    assert set(by_urn) == {_urn(0), _urn(1), _urn(2)}  # 365 days old: outside the window
    assert by_urn[_urn(2)] == daily.Ask(_urn(2), today - timedelta(364), today - timedelta(336))
    assert by_urn[_urn(1)] == daily.Ask(_urn(1), today - timedelta(10), today)
    assert set(kept) == {_urn(0), _urn(1)}  # only young posts are followed afterwards


def test_later_runs_ask_only_young_posts_from_the_last_day_minus_three() -> None:
    today = date(2026, 6, 30)
    yesterday = (today - timedelta(days=1)).isoformat()
    entry = {
        "run": yesterday,
        "posts": {
            _urn(1): {"published": (today - timedelta(days=5)).isoformat(), "last": yesterday},
            _urn(2): {"published": (today - timedelta(days=31)).isoformat(), "last": "2026-06-27"},
            _urn(3): {"published": (today - timedelta(days=32)).isoformat(), "last": "2026-06-26"},
        },
    }
    refs = [_ref(_urn(4), today), _ref(_urn(5), today - timedelta(days=200))]  # new; edited old
    asks, kept = daily.plan(entry, refs, today)
    assert asks == [
        daily.Ask(_urn(2), date(2026, 6, 24), date(2026, 6, 27)),
        daily.Ask(_urn(1), date(2026, 6, 26), today),
        daily.Ask(_urn(4), today, today),
    ]
    assert set(kept) == {_urn(1), _urn(4)}  # _urn(2) is 31 days old: asked once more, then done


def test_missed_runs_still_complete_the_series() -> None:
    today = date(2026, 6, 30)
    entry = {
        "run": "2026-06-20",
        "posts": {_urn(1): {"published": "2026-05-25", "last": "2026-06-20"}},
    }
    asks, kept = daily.plan(entry, [], today)
    # 36 days old today, but the run after 06-20 would have asked it: its D+28 is 06-22
    assert asks == [daily.Ask(_urn(1), date(2026, 6, 17), date(2026, 6, 22))]
    assert kept == {}


def test_request_start_stays_within_linkedins_bounds() -> None:
    today = date(2026, 6, 30)
    young = [daily.Ask(_urn(1), today, today)]
    assert daily.request_range(young, today) == (today - timedelta(days=2), today + timedelta(1))
    batch = [
        daily.Ask(_urn(1), today - timedelta(days=364), today - timedelta(days=336)),
        daily.Ask(_urn(2), today - timedelta(days=300), today - timedelta(days=272)),
    ]
    assert daily.request_range(batch, today) == (
        today - timedelta(days=364),
        today - timedelta(days=271),
    )
