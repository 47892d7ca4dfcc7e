"""End to end: one engagement rate on all six platforms, from the first run.

``make demo``'s replay of a 30-day world (tests/e2e/conftest.py): a backfill a few days before
its last day, one ingestion a day with the sandbox clock moving, one build. Every post's ER by
followers (the default headline) must equal the generator's truth, interactions from the
manifest of the day the snapshot schedule last read the post (tests/e2e/post_truth.py,
``read_day``, which must be its latest snapshot day) over the true followers of its publication day,
within the documented error of its followers basis (docs/engagement_marts.md); its ERs by reach
and by impressions must equal the truth exactly. The truth is read in tests/e2e/post_truth.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from sandbox.world.store import open_readonly
from tests.e2e.conftest import BACKFILL, LAST, SIMULATED, START, read_warehouse
from tests.e2e.post_truth import WorldTruth, rate, same, tolerance

pytestmark = pytest.mark.e2e

PLATFORMS = {"facebook", "instagram", "linkedin", "x", "youtube", "tiktok"}


@pytest.fixture(scope="module")
def env(replay: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The replay of ``make demo`` (tests/e2e/conftest.py), which must have succeeded."""
    yield replay


def _query(env: dict[str, Any], sql: str) -> list[tuple]:
    return read_warehouse(env, sql)


def test_every_post_has_a_headline_er_on_every_platform(env: dict[str, Any]) -> None:
    rows = _query(
        env,
        "select platform, count(*), count(er_headline), min(er_formula), max(er_formula) "
        "from marts.fct_post_performance group by platform",
    )
    assert {r[0] for r in rows} == PLATFORMS
    for platform, posts, with_er, low, high in rows:
        assert with_er == posts, f"{platform}: {posts - with_er} posts without a headline ER"
        assert low == high == "by_followers"
    coverage = _query(
        env, "select platform, min(share_with_er_headline) from marts.mart_er_coverage group by 1"
    )
    assert dict(coverage) == dict.fromkeys(PLATFORMS, 1.0)


def test_followers_per_day_equal_the_truth_within_their_basis(
    env: dict[str, Any], replay_truth: WorldTruth
) -> None:
    truth = replay_truth.followers
    rows = _query(
        env,
        "select platform, account_id, date_day, followers, followers_basis, followers_gap_days "
        "from intermediate.int_account_followers_daily where date_day >= "
        f"date '{START}'",
    )
    seen: dict[str, set[str]] = {}
    for platform, account, day, followers, basis, gap in rows:
        true = truth[(platform, account, day)]
        assert abs(followers / true - 1) <= tolerance(platform, gap), (platform, day, basis)
        seen.setdefault(platform, set()).add(basis)
    # Each API's history gives what it can: observed or rebuilt where it keeps one, an as-of
    # value where it keeps none.
    assert seen["facebook"] == {"observed"}
    assert {"observed", "reconstructed"} <= seen["linkedin"]
    assert {"observed", "reconstructed"} <= seen["youtube"]
    assert {"observed", "reconstructed"} <= seen["instagram"]
    assert seen["x"] == seen["tiktok"] == {"observed", "nearest"}


def test_er_by_followers_equals_the_truth_within_its_basis(
    env: dict[str, Any], replay_truth: WorldTruth
) -> None:
    truth = replay_truth.followers
    rows = _query(
        env,
        "select post_id, platform, account_id, published_date, latest_snapshot_date, "
        "interactions, er_by_followers, er_headline, followers_gap_days "
        "from marts.fct_post_performance",
    )
    expected = replay_truth.latest(SIMULATED)
    for post_id, platform, account, published, latest, interactions, er, headline, gap in rows:
        read, true = expected[post_id]
        assert latest == read, (platform, post_id, latest, read)
        true_interactions = true.interactions
        assert interactions == true_interactions, (platform, post_id)
        true_er = true_interactions * 100.0 / truth[(platform, account, published)]
        assert headline == er
        if true_er == 0:
            assert er == 0
            continue
        t = tolerance(platform, gap)
        assert abs(er / true_er - 1) <= t / (1 - t) + 1e-9, (platform, post_id, er, true_er)


def test_er_by_reach_and_by_impressions_equal_the_truth(
    env: dict[str, Any], replay_truth: WorldTruth
) -> None:
    """Both rates are exact: interactions, reach and impressions are the world's own counts on
    the day the schedule last read the post, and the rate is NULL where the platform has no
    such metric."""
    rows = _query(
        env,
        "select post_id, platform, latest_snapshot_date, reach, impressions, "
        "er_by_reach, er_by_impressions from marts.fct_post_performance",
    )
    assert {r[0] for r in rows} == set(replay_truth.content)
    with_reach = set()
    reads = replay_truth.latest(SIMULATED)
    for post_id, platform, latest, reach, impressions, by_reach, by_impressions in rows:
        read, true = reads[post_id]
        assert latest == read, (platform, post_id, latest, read)
        assert (reach, impressions) == (true.reach, true.impressions), (platform, post_id)
        assert same(by_reach, rate(true.interactions, true.reach)), (platform, post_id, by_reach)
        expected = rate(true.interactions, true.impressions)
        assert same(by_impressions, expected), (platform, post_id, by_impressions, expected)
        if by_reach is not None:
            with_reach.add(platform)
    assert with_reach == {"facebook", "instagram", "linkedin"}


def _youtube_lifetime(final: int, published_at: datetime, at: datetime) -> int:
    """The world's lifetime curve (sandbox/vendors/youtube/queries.py), evaluated here."""
    import math

    age_h = (at - published_at).total_seconds() / 3600
    return 0 if age_h <= 0 else math.floor(final * (1 - math.exp(-age_h / 96.0)))


def test_backfilled_youtube_videos_have_d7_from_the_daily_series(env: dict[str, Any]) -> None:
    """A video published a week before the first run has the interactions it had at D+7."""
    got = dict(
        (r[0], r[1:])
        for r in _query(
            env,
            "select post_id, interactions_d7, metrics_basis_d7 from marts.fct_post_performance "
            f"where platform = 'youtube' and published_date <= date '{BACKFILL}' - 8",
        )
    )
    assert got
    cur = open_readonly(env["world"])
    try:
        videos = cur.execute(
            "select video_id, published_at, final_likes, final_shares from yt_videos "
            f"where cast(published_at as date) <= date '{BACKFILL}' - 8"
        ).fetchall()
        for video_id, published_at, final_likes, final_shares in videos:
            end = datetime.combine(published_at.date() + timedelta(days=8), time())
            comments = cur.execute(
                "select count(*) from yt_comments where video_id = ? and published_at < ?",
                [video_id, end],
            ).fetchone()[0]
            likes = _youtube_lifetime(final_likes, published_at, end)
            shares = _youtube_lifetime(final_shares, published_at, end)
            assert got[video_id] == (likes + comments + shares, "daily_series"), video_id
    finally:
        cur.close()


def test_posts_of_the_daily_runs_have_d1_on_every_platform(env: dict[str, Any]) -> None:
    rows = _query(
        env,
        "select platform, count(*), count(interactions_d1), count(er_headline_d1) "
        "from marts.fct_post_performance "
        # the backfill's snapshot is the D+1 of the posts of the day before it
        f"where published_date between date '{BACKFILL}' - 1 and date '{LAST}' - 1 group by 1",
    )
    assert {r[0] for r in rows} == PLATFORMS
    for platform, posts, with_d1, er_d1 in rows:
        assert posts == with_d1 == er_d1, platform


def test_pillar_and_best_slot_marts_include_all_six_platforms(env: dict[str, Any]) -> None:
    pillars = _query(
        env, "select distinct platform from marts.mart_pillar_performance where median_er > 0"
    )
    slots = _query(
        env, "select distinct platform from marts.mart_best_time_to_post where median_er > 0"
    )
    assert {p for (p,) in pillars} == PLATFORMS
    assert {p for (p,) in slots} == PLATFORMS
