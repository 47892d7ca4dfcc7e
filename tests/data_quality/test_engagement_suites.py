"""The engagement suites pass on good marts and fail, naming the broken invariant, on each
kind of bad row: one mutation of a self-consistent table per case.

Tables are real DuckDB tables with the marts' column types, validated by the same chunked
runner Dagster uses; table-wide invariants (keys, one formula per table) are also shown to
hold across chunks of one row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_quality.runner import SuiteResult, validate_table
from data_quality.spec import Suite
from data_quality.suites import engagement
from data_quality.suites.engagement import (
    FCT_ACCOUNT_DAILY,
    FCT_ACCOUNT_DAILY_PLAUSIBILITY,
    FCT_POST_PERFORMANCE,
    FCT_POST_PERFORMANCE_PLAUSIBILITY,
    MART_PILLAR_PERFORMANCE,
    MART_PILLAR_PERFORMANCE_PLAUSIBILITY,
)
from tests.data_quality.engagement_frames import (
    TABLES,
    account_daily,
    future,
    load,
    pillar_performance,
    post_performance,
)
from tests.data_quality.mutations import Mutation
from tests.data_quality.mutations import set_row as _set


def _run(tmp_path: Path, suite: Suite, df: pd.DataFrame, chunk_rows: int = 1000) -> SuiteResult:
    path = tmp_path / "warehouse.duckdb"
    load(path, suite.relation, df)
    return validate_table(
        suite, lambda: duckdb.connect(str(path), read_only=True), chunk_rows=chunk_rows
    )


def _null(invariant: str) -> str:
    """The label of a derived invariant's expectation."""
    return f"ToBeNull({invariant})"


Case = tuple[Mutation, str]

POSTS: list[Case] = [
    # A second formula or version within one table (dbt tests the formula's vocabulary).
    (_set(3, er_formula="by_followers", er_headline=2000.0), _null("er_formula_mixed_in_table")),
    (_set(1, er_formula_version="v2"), _null("er_formula_mixed_in_table")),
    # Rates: 0 instead of NULL without a denominator, a fraction instead of a percent, ...
    (_set(2, er_by_reach=0.0), _null("er_by_reach_without_reach")),
    (_set(4, er_by_impressions=0.0), _null("er_by_impressions_without_impressions")),
    (_set(1, followers=0), _null("er_by_followers_without_followers")),
    (_set(0, er_by_reach=0.05, er_headline=0.05), _null("er_by_reach_off_formula")),
    (_set(0, er_by_followers=5.0), _null("er_by_followers_off_formula")),
    (_set(2, er_by_impressions=None), _null("er_by_impressions_off_formula")),
    (_set(2, er_headline=0.32), _null("er_headline_not_er_formula")),
    (_set(1, er_headline_d1=4.0), _null("er_headline_d1_not_er_formula")),
    (_set(0, er_headline_d7=None), _null("er_headline_d7_not_er_formula")),
    (_set(3, er_headline_d28=2000.0), _null("er_headline_d28_not_er_formula")),
    (_set(1, video_completion_rate=0.33), _null("video_completion_rate_off_formula")),
    # Flags and sums that must agree with the metrics they describe.
    (_set(2, has_reach=True), _null("has_reach_not_reach_present")),
    (_set(4, has_impressions=True), _null("has_impressions_not_impressions_present")),
    (_set(0, has_followers=None), _null("has_followers_not_followers_present")),
    (
        _set(1, interactions=21, er_by_reach=5.25, er_headline=5.25, er_by_followers=2.625,
             er_by_impressions=3.5),
        _null("interactions_not_sum_of_parts"),
    ),
    # Dates: a snapshot before publication, a local date two days off the UTC timestamp.
    (
        _set(0, latest_snapshot_date=date(2026, 2, 27), post_age_days=0),
        _null("latest_snapshot_before_publication"),
    ),
    (
        _set(2, published_date=date(2026, 2, 22), post_age_days=31),
        _null("published_date_not_published_at"),
    ),
    # A D+N value on a post younger than N days (the young reel, the unsnapshotted post).
    (_set(1, reach_d7=380), _null("milestone_d7_before_post_age")),
    (
        _set(0, post_age_days=20, latest_snapshot_date=date(2026, 3, 21)),
        _null("milestone_d28_before_post_age"),
    ),
    (_set(4, interactions_d1=3), _null("milestone_d1_before_post_age")),
]  # fmt: skip

POSTS_PLAUSIBLE: list[Case] = [
    (_set(0, published_at=datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=3)),
     "Between(published_at)"),
    (_set(0, published_date=future(2)), "Between(published_date)"),
    (_set(1, latest_snapshot_date=future(5)), "Between(latest_snapshot_date)"),
    (_set(0, er_by_reach=1500.0), "Between(er_by_reach)"),
    (_set(2, er_by_impressions=1200.0), "Between(er_by_impressions)"),
    (_set(1, er_headline=1001.0), _null("er_headline_above_bound")),
    (_set(0, er_headline_d1=5000.0), _null("er_headline_d1_above_bound")),
    (_set(0, er_headline_d7=5000.0), _null("er_headline_d7_above_bound")),
    (_set(3, er_headline_d28=5000.0), _null("er_headline_d28_above_bound")),
    (_set(1, avg_view_share=42.0), "Between(avg_view_share)"),  # a percentage for a share
]  # fmt: skip

ACCOUNTS: list[Case] = [
    (_set(2, er_by_reach=0.0), _null("er_by_reach_without_reach")),
    (_set(3, er_by_followers=0.0), _null("er_by_followers_without_followers")),
    (_set(1, er_by_impressions=0.0), _null("er_by_impressions_without_impressions")),
    (_set(2, er_headline=2.5), _null("er_headline_not_er_formula")),
    (_set(3, interactions=None), _null("er_without_interactions")),
    (_set(2, followers_source=None), _null("followers_without_source")),
    (_set(0, er_formula="by_impressions", er_headline=50 / 15), _null("er_formula_mixed_in_table")),
]  # fmt: skip

ACCOUNTS_PLAUSIBLE: list[Case] = [
    (_set(3, date_day=future(2)), "Between(date_day)"),
    (_set(0, er_by_reach=1500.0), "Between(er_by_reach)"),
    (_set(3, er_by_impressions=1500.0), "Between(er_by_impressions)"),
    (_set(0, er_headline=1500.0), _null("er_headline_above_bound")),
]

NEXT_MONDAY = future(9) - timedelta(days=future(9).weekday())  # 3 to 9 days ahead

PILLARS: list[Case] = [
    (_set(0, week_start=date(2026, 3, 3)), _null("week_start_not_monday")),
    (_set(3, iso_year=2025), _null("iso_week_not_week_start")),
    (_set(1, iso_week=10), _null("iso_week_not_week_start")),
    (_set(4, median_er=None, lift=None), _null("median_er_not_posts_with_er")),
    (_set(3, mean_er=0.0), _null("mean_er_not_posts_with_er")),
    (_set(3, lift=1.0), _null("lift_without_medians")),
    (_set(1, recommendation="scale"), _null("recommendation_against_baseline")),
    (_set(0, recommendation="stop"), _null("recommendation_against_baseline")),
    (_set(4, er_formula="by_followers"), _null("er_formula_mixed_in_table")),
]  # fmt: skip

PILLARS_PLAUSIBLE: list[Case] = [
    (_set(2, week_start=NEXT_MONDAY), "Between(week_start)"),
    (_set(0, median_er=1200.0), _null("median_er_above_bound")),
    (_set(0, mean_er=1200.0), _null("mean_er_above_bound")),
    (_set(4, baseline_median_er=1200.0), _null("baseline_median_er_above_bound")),
]

CASES: list[tuple[Suite, Mutation, str]] = [
    (suite, mutate, expected)
    for suite, cases in (
        (FCT_POST_PERFORMANCE, POSTS),
        (FCT_POST_PERFORMANCE_PLAUSIBILITY, POSTS_PLAUSIBLE),
        (FCT_ACCOUNT_DAILY, ACCOUNTS),
        (FCT_ACCOUNT_DAILY_PLAUSIBILITY, ACCOUNTS_PLAUSIBLE),
        (MART_PILLAR_PERFORMANCE, PILLARS),
        (MART_PILLAR_PERFORMANCE_PLAUSIBILITY, PILLARS_PLAUSIBLE),
    )
    for mutate, expected in cases
]
GOOD = {relation: build for relation, (build, _types) in TABLES.items()}


@pytest.mark.parametrize("suite", engagement.SUITES, ids=lambda s: s.name)
def test_suite_passes_on_good_rows(tmp_path: Path, suite: Suite) -> None:
    good = GOOD[suite.relation]()
    result = _run(tmp_path, suite, good)
    assert result.success, result.summary()
    assert result.rows == len(good)
    assert all(o.element_count == len(good) for o in result.outcomes), result.outcomes


@pytest.mark.parametrize("suite,mutate,expected", CASES, ids=[f"{c[0].name}-{c[2]}" for c in CASES])
def test_suite_fails_on_bad_rows(
    tmp_path: Path, suite: Suite, mutate: Mutation, expected: str
) -> None:
    result = _run(tmp_path, suite, mutate(GOOD[suite.relation]()))
    assert not result.success
    failed = [o.label for o in result.failed]
    assert any(expected in label for label in failed), failed
    assert expected.split("(")[0] in result.summary()
    assert all(o.unexpected_count >= 1 for o in result.failed), result.summary()


@pytest.mark.parametrize(
    "suite,mutate,expected",
    [
        (FCT_POST_PERFORMANCE, _set(4, er_formula_version="v9"), "er_formula_mixed_in_table"),
        (MART_PILLAR_PERFORMANCE, _set(4, er_formula_version="v2"), "er_formula_mixed_in_table"),
    ],
    ids=["posts", "pillars"],
)
def test_table_wide_invariants_hold_across_chunks(
    tmp_path: Path, suite: Suite, mutate: Mutation, expected: str
) -> None:
    """One row per chunk: the odd formula sits in a chunk of its own."""
    good = GOOD[suite.relation]()
    assert _run(tmp_path, suite, good, chunk_rows=1).success
    result = _run(tmp_path, suite, mutate(good), chunk_rows=1)
    assert any(expected in o.label for o in result.failed), result.summary()
    assert result.rows == len(good)


def test_a_viral_post_may_exceed_the_bound_by_followers(tmp_path: Path) -> None:
    """ER by followers has no upper bound: the good TikTok row scores 2000 %."""
    good = post_performance()
    assert good["er_by_followers"].max() > 1000
    assert _run(tmp_path, FCT_POST_PERFORMANCE_PLAUSIBILITY, good).success


def test_same_account_id_on_two_platforms_is_two_keys() -> None:
    """The compound key is per platform (the good rows rely on it)."""
    good = account_daily()
    assert good.duplicated(["account_id", "date_day"]).any()
    assert not good.duplicated(["platform", "account_id", "date_day"]).any()


def test_failures_show_the_rows_to_fix(tmp_path: Path) -> None:
    """A derived invariant's examples are the broken rows' keys, not just a count."""
    bad = _set(2, mean_er=None)(pillar_performance())
    result = _run(tmp_path, MART_PILLAR_PERFORMANCE, bad)
    (outcome,) = [o for o in result.failed if "mean_er_not_posts_with_er" in o.label]
    assert outcome.sample == ["b1|instagram|Pedagogie|reel|2026-03-02"]


def test_every_invariant_has_a_failing_case() -> None:
    """Each expectation of the engagement suites is broken by a case above: none is a check
    that cannot fail."""
    broken = {(c[0].name, c[2]) for c in CASES}
    for suite in engagement.SUITES:
        for e in suite.expectations:
            assert any(name == suite.name and expected in e.label for name, expected in broken), (
                f"{suite.name}: no case breaks {e.label}"
            )
