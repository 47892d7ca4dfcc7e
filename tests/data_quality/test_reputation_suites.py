"""The reputation suites pass on good marts and fail, naming the broken invariant, on each kind
of bad row: one mutation of a self-consistent table per case (tests/data_quality/
reputation_frames.py), validated by the same chunked runner Dagster uses, over a DuckDB file
that also holds the tables the cross-table invariants read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data_quality.runner import SuiteResult
from data_quality.spec import Suite
from data_quality.suites import ALL_SUITES, reputation
from data_quality.suites.reputation import (
    FCT_INBOUND_ITEMS,
    FCT_INBOUND_ITEMS_PLAUSIBILITY,
    FCT_REVIEWS,
    FCT_REVIEWS_PLAUSIBILITY,
    MART_REPUTATION_DAILY,
    MART_REPUTATION_DAILY_PLAUSIBILITY,
)
from tests.data_quality.mutations import Mutation, assert_fails_with, run_suite, suite_cases
from tests.data_quality.mutations import set_row as _set
from tests.data_quality.mutations import set_where as _where
from tests.data_quality.reputation_frames import CRISIS_DAY, TABLES, load

SOON = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)


def _drop(row: int) -> Mutation:
    """Remove row ``row`` (a day missing from the spine)."""

    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        return df.drop(index=df.index[row]).reset_index(drop=True)

    return mutate


def _run(tmp_path: Path, suite: Suite, df: pd.DataFrame, chunk_rows: int = 1000) -> SuiteResult:
    return run_suite(tmp_path, suite, df, TABLES, load, chunk_rows)


def _null(invariant: str) -> str:
    return f"ToBeNull({invariant})"


Case = tuple[Mutation, str]
C1, C2, REVIEW = "item_key == 'facebook:c1'", "item_key == 'instagram:c2'", "trustpilot:r1"
R1 = f"review_key == '{REVIEW}'"
CRISIS_ROW = 15  # b1's day 16, CRISIS_DAY

INBOUND: list[Case] = [
    (_where(C1, item_key="x:c1"), _null("item_key_not_platform_id")),
    (_where(C1, post_key="instagram:p1"), _null("post_key_not_platform_post")),
    (_where(C1, channel="review"), _null("review_channel_not_review_site")),
    (_where(f"item_key == '{REVIEW}'", channel="mention"), _null("review_channel_not_review_site")),
    (_where(C1, response_minutes=90.0), _null("response_minutes_not_elapsed")),
    (_where(C2, response_minutes=10.0), _null("response_minutes_not_elapsed")),
    (_where(C2, within_sla=True), _null("within_sla_without_response")),
    (_where(C1, sla_target_minutes=None), _null("within_sla_without_target")),
    (_where(C1, received_date_local=date(2026, 3, 10)), _null("received_date_not_received_at")),
]  # fmt: skip

INBOUND_PLAUSIBLE: list[Case] = [
    (_where(C2, received_at=SOON), "Between(received_at)"),
    (_where(C2, received_date_local=SOON.date() + timedelta(days=2)), "Between(received_date_local)"),  # noqa: E501
    (_where(C1, response_minutes=100_000.0), "Between(response_minutes)"),
]  # fmt: skip

REVIEWS: list[Case] = [
    (_where(R1, review_key="google_business:r1"), _null("review_key_not_platform_id")),
    (_where(R1, review_key="trustpilot:r9"), _null("review_not_inbound_item")),
    (_where(R1, response_hours=30.0), _null("response_hours_not_elapsed")),
    (_where(R1, responded=False), _null("responded_not_with_response")),
    (_where(R1, sentiment_label="negative"), _null("sentiment_not_rating")),
    (_where(R1, sentiment_score=0.5), _null("sentiment_not_rating")),
]  # fmt: skip

REVIEWS_PLAUSIBLE: list[Case] = [
    (_where(R1, created_at=SOON), "Between(created_at)"),
    (_where(R1, created_date_local=SOON.date() + timedelta(days=2)), "Between(created_date_local)"),  # noqa: E501
    (_where(R1, response_hours=10_000.0), "Between(response_hours)"),
]  # fmt: skip

DAILY: list[Case] = [
    (_drop(5), _null("spine_gap")),
    (_set(0, avg_rating=4.0), _null("avg_rating_not_stars")),
    (_set(4, reviews_30d=4), _null("reviews_30d_not_rolling")),
    (_set(9, avg_rating_30d=3.5), _null("avg_rating_30d_not_rolling")),
    (_set(2, negative_share=0.5), _null("negative_share_not_ratio")),
    (_set(1, net_sentiment=0.9), _null("net_sentiment_not_ratio")),
    (_set(10, baseline_days=28), _null("baseline_not_previous_days")),
    (_set(10, negative_volume_stddev=0.1), _null("baseline_not_previous_days")),
    (_set(12, negative_volume_threshold=1.0), _null("threshold_not_baseline_plus_z")),
    (_set(12, negative_share_threshold=0.9), _null("threshold_not_baseline_plus_z")),
    (_set(CRISIS_ROW, crisis_signal=False, crisis_metric=None), _null("crisis_signal_not_rule")),
    # Five negatives of five on a quiet day: above the threshold, yet no signal.
    (_set(17, negative_volume=5, volume=5, negative_share=1.0), _null("crisis_signal_not_rule")),
]  # fmt: skip

DAILY_PLAUSIBLE: list[Case] = [
    (_set(19, date_day=SOON.date() + timedelta(days=2)), "Between(date_day)"),
    (_set(0, volume=20_000), "Between(volume)"),
]

CASES = suite_cases(
    [
        (FCT_INBOUND_ITEMS, INBOUND),
        (FCT_INBOUND_ITEMS_PLAUSIBILITY, INBOUND_PLAUSIBLE),
        (FCT_REVIEWS, REVIEWS),
        (FCT_REVIEWS_PLAUSIBILITY, REVIEWS_PLAUSIBLE),
        (MART_REPUTATION_DAILY, DAILY),
        (MART_REPUTATION_DAILY_PLAUSIBILITY, DAILY_PLAUSIBLE),
    ]
)


@pytest.mark.parametrize("suite", reputation.SUITES, ids=lambda s: s.name)
def test_suite_passes_on_good_rows(tmp_path: Path, suite: Suite) -> None:
    good = TABLES[suite.relation]()
    result = _run(tmp_path, suite, good)
    assert result.success, result.summary()
    assert result.rows == len(good)


@pytest.mark.parametrize("suite,mutate,expected", CASES, ids=[f"{c[0].name}-{c[2]}" for c in CASES])
def test_suite_fails_on_bad_rows(
    tmp_path: Path, suite: Suite, mutate: Mutation, expected: str
) -> None:
    assert_fails_with(_run(tmp_path, suite, mutate(TABLES[suite.relation]())), expected)


def test_the_good_daily_mart_holds_a_crisis() -> None:
    """The good frame is no trivially quiet table: the crisis rule fires once, on its day."""
    daily = TABLES[MART_REPUTATION_DAILY.relation]()
    signals = daily[daily["crisis_signal"]]
    assert list(signals["date_day"]) == [CRISIS_DAY]
    assert list(signals["crisis_metric"]) == ["negative_volume"]


def test_rolling_invariants_hold_across_chunks(tmp_path: Path) -> None:
    """Windows run in DuckDB before chunking: a rolling value split over chunks still checks."""
    good = TABLES[MART_REPUTATION_DAILY.relation]()
    assert _run(tmp_path, MART_REPUTATION_DAILY, good, chunk_rows=4).success
    bad = _set(9, avg_rating_30d=3.5)(good)
    result = _run(tmp_path, MART_REPUTATION_DAILY, bad, chunk_rows=4)
    assert any("avg_rating_30d_not_rolling" in o.label for o in result.failed)


def test_every_invariant_has_a_failing_case() -> None:
    broken = {(c[0].name, c[2]) for c in CASES}
    for suite in reputation.SUITES:
        for e in suite.expectations:
            assert any(name == suite.name and exp in e.label for name, exp in broken), (
                f"{suite.name}: no case breaks {e.label}"
            )


def test_reputation_suites_are_registered_with_the_warehouse() -> None:
    """Registered in ALL_SUITES, hence one Dagster asset check each (orchestration/defs/
    quality.py): contracts blocking the publication, plausibility warning."""
    assert {s.name for s in reputation.SUITES} <= {s.name for s in ALL_SUITES}
    relations = {s.relation for s in reputation.SUITES}
    assert relations == {
        "marts.fct_inbound_items",
        "marts.fct_reviews",
        "marts.mart_reputation_daily",
    }
    for suite in reputation.SUITES:
        assert suite.blocking == (not suite.name.endswith("_plausibility"))
        assert suite.severity == ("error" if suite.blocking else "warn")
