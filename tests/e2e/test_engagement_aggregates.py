"""End to end: engagement per account and day, and per brand, platform and period.

``make demo``'s replay (tests/e2e/conftest.py). ``fct_account_daily`` and ``mart_kpi_scorecard``
add up the latest values of the posts published on a UTC day (or in an ISO week or calendar
month) and divide by the sums (product.md: ER by reach = interactions / reach x 100, the
numerator restricted to the posts that have the denominator). The oracle adds up the world's
own counts (tests/e2e/post_truth.py) by the world's own publication dates and accounts, each
post's counts on the day the snapshot schedule last read it (``read_day``: the backfill, then
the runs where its age is on the schedule), stated from the contract, not read from the marts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LAST, SIMULATED, START, read_warehouse
from tests.e2e.post_truth import PostTruth, WorldTruth, rate, same, tolerance

pytestmark = pytest.mark.e2e


@dataclass
class Sums:
    """Sums of the posts of one group; the rate numerators count only posts with the metric."""

    posts: int = 0
    interactions: int = 0
    reach: int | None = None
    interactions_with_reach: int = 0
    impressions: int | None = None
    interactions_with_impressions: int = 0

    def add(self, true: PostTruth) -> None:
        self.posts += 1
        self.interactions += true.interactions
        if true.reach is not None:
            self.reach = (self.reach or 0) + true.reach
            self.interactions_with_reach += true.interactions
        if true.impressions is not None:
            self.impressions = (self.impressions or 0) + true.impressions
            self.interactions_with_impressions += true.interactions

    def expected(self) -> tuple:
        """posts, interactions, reach, impressions, ER by reach, ER by impressions."""
        return (
            self.posts,
            self.interactions,
            self.reach,
            self.impressions,
            rate(self.interactions_with_reach, self.reach),
            rate(self.interactions_with_impressions, self.impressions),
        )


def _latest_truth(replay: dict[str, Any], truth: WorldTruth) -> dict[str, PostTruth]:
    """Each post's true counts on the day the schedule last read it, which must be the day of
    its latest snapshot in the mart."""
    expected = truth.latest(SIMULATED)
    latest = dict(
        read_warehouse(
            replay, "select post_id, latest_snapshot_date from marts.fct_post_performance"
        )
    )
    assert latest == {post_id: day for post_id, (day, _) in expected.items()}
    return {post_id: counts for post_id, (_, counts) in expected.items()}


def _assert_sums(key: tuple, got: list, sums: Sums) -> None:
    """A group with posts has the truth's sums and rates; one without has none."""
    if not sums.posts:
        assert got[0] == 0 and got[1] is None, (key, got)
        return
    expected = sums.expected()
    assert tuple(got[:4]) == expected[:4], (key, got, expected)
    assert same(got[4], expected[4]) and same(got[5], expected[5]), (key, got, expected)


def _assert_er_by_followers(key: tuple, got: float | None, expected: float, t: float) -> None:
    """An ER by followers whose followers are within relative error t of the truth."""
    if expected == 0:
        assert got == 0, key
    else:
        assert got is not None and abs(got / expected - 1) <= t / (1 - t) + 1e-9, (key, got)


def test_account_days_add_up_to_the_truth(replay: dict[str, Any], replay_truth: WorldTruth) -> None:
    """Posts, interactions, reach, impressions and both exact rates of every account and day;
    followers and ER by followers within the documented error of the followers' basis."""
    posts = _latest_truth(replay, replay_truth)
    days: dict[tuple[str, str, date], Sums] = defaultdict(Sums)
    for post_id, c in replay_truth.content.items():
        days[(c.platform, c.account_id, c.published_date)].add(posts[post_id])
    followers = replay_truth.followers
    rows = read_warehouse(
        replay,
        "select platform, account_id, date_day, posts_published, interactions, reach, "
        "impressions, er_by_reach, er_by_impressions, followers, followers_gap_days, "
        "er_by_followers from marts.fct_account_daily",
    )
    for platform, account, day, *got, count, gap, by_followers in rows:
        key = (platform, account, str(day))
        sums = days.pop((platform, account, day), Sums())
        _assert_sums(key, got, sums)
        if day < START:
            continue  # the world has no follower count before its first day
        true = followers[(platform, account, day)]
        t = tolerance(platform, gap)
        assert abs(count / true - 1) <= t, (key, count, true, gap)
        if sums.posts:
            _assert_er_by_followers(key, by_followers, rate(sums.interactions, true), t)
    assert days == {}, f"account days with posts missing from fct_account_daily: {list(days)}"


def _period_starts(day: date) -> dict[str, date]:
    """The ISO week (from Monday) and the calendar month a UTC day falls in."""
    return {"week": day - timedelta(days=day.weekday()), "month": day.replace(day=1)}


def test_scorecard_periods_add_up_to_the_truth(
    replay: dict[str, Any], replay_truth: WorldTruth
) -> None:
    """Per brand, platform, week and month: the posts' sums and both exact rates; in the periods
    holding the last day, followers_end and ER by followers from the day's observed counts."""
    posts = _latest_truth(replay, replay_truth)
    periods: dict[tuple[str, str, str, date], Sums] = defaultdict(Sums)
    for post_id, c in replay_truth.content.items():
        for period_type, start in _period_starts(c.published_date).items():
            periods[(c.brand_id, c.platform, period_type, start)].add(posts[post_id])
    followers = replay_truth.followers
    followers_last: dict[tuple[str, str], int] = defaultdict(int)
    for (platform, account), brand in replay_truth.brands.items():
        followers_last[(brand, platform)] += followers[(platform, account, LAST)]
    rows = read_warehouse(
        replay,
        "select brand_id, platform, period_type, period_start, posts, interactions, reach, "
        "impressions, er_by_reach, er_by_impressions, followers_end, er_by_followers "
        "from marts.mart_kpi_scorecard "
        "where platform in ('facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok')",
    )
    holding_last = 0
    for brand, platform, period_type, start, *got, followers_end, by_followers in rows:
        key = (brand, platform, period_type, str(start))
        sums = periods.pop((brand, platform, period_type, start), Sums())
        _assert_sums(key, got, sums)
        if sums.posts and _period_starts(LAST)[period_type] == start:
            # Every account was observed on the last day (YouTube rounds to 3 figures).
            true = followers_last[(brand, platform)]
            t = tolerance(platform, 0)
            assert abs(followers_end / true - 1) <= t, (key, followers_end, true)
            _assert_er_by_followers(key, by_followers, rate(sums.interactions, true), t)
            holding_last += 1
    assert periods == {}, f"periods with posts missing from the scorecard: {list(periods)}"
    assert holding_last > 10
