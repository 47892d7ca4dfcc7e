"""The conversion suites pass on good marts and fail, naming the broken invariant, on each kind
of bad row: one mutation of a self-consistent table per case (tests/data_quality/
conversion_frames.py), validated by the same chunked runner Dagster uses over a DuckDB file
that also holds the tables the cross-table invariants read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data_quality.runner import SuiteResult
from data_quality.spec import Suite
from data_quality.suites import ALL_SUITES, conversion
from data_quality.suites.conversion import (
    FCT_ATTRIBUTION,
    FCT_ATTRIBUTION_PLAUSIBILITY,
    FCT_SESSIONS,
    FCT_SESSIONS_PLAUSIBILITY,
    MART_CHANNEL_ATTRIBUTION,
    MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY,
)
from tests.data_quality.conversion_frames import TABLES, load
from tests.data_quality.mutations import Mutation, assert_fails_with, run_suite, suite_cases
from tests.data_quality.mutations import set_row as _set
from tests.data_quality.mutations import set_where as _where

SOON = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)


def _duplicate(query: str) -> Mutation:
    """Append a copy of the first row ``query`` selects (same key: a fan-out)."""

    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([df, df.query(query).head(1)], ignore_index=True)

    return mutate


def _run(tmp_path: Path, suite: Suite, df: pd.DataFrame, chunk_rows: int = 1000) -> SuiteResult:
    return run_suite(tmp_path, suite, df, TABLES, load, chunk_rows)


def _null(invariant: str) -> str:
    return f"ToBeNull({invariant})"


Case = tuple[Mutation, str]
ORDER = "conversion_key == '1-103-0'"
ONE_TOUCH = "conversion_key == '1-105-0'"

SESSIONS: list[Case] = [
    (_set(2, revenue=-80.0), _null("revenue_not_sum_of_conversions")),
    (_set(4, revenue=45.0), _null("revenue_not_sum_of_conversions")),
    (_set(2, conversions=2), _null("conversions_not_fct_conversions")),
    (_set(2, converted=False), _null("conversions_without_converted")),
    (_set(1, converted=False, conversions=0), _null("conversions_not_fct_conversions")),
    (_set(1, is_engaged=True, converted=False), _null("engaged_not_ga4_definition")),
    (_set(0, is_engaged=False), _null("engaged_not_ga4_definition")),
    (_set(0, session_key="1-999"), _null("session_key_not_site_visit")),
    (_set(3, ended_at=datetime(2026, 3, 1, 0, 0)), _null("ended_before_started")),
    (_set(0, session_date=datetime(2026, 2, 22).date()), _null("session_date_not_started_at")),
    (_set(0, channel_group="Direct"), _null("direct_channel_not_direct_source")),
    (_set(1, channel_group="Unassigned"), _null("direct_channel_not_direct_source")),
    (_set(0, post_key="instagram:123"), _null("post_key_not_platform_post")),
    (_set(4, revenue=40.5, currency=None), _null("revenue_without_currency")),
    (_set(3, visitor_key="u1"), _null("denied_visit_stitched")),
    (_set(3, is_stitched=True), _null("denied_visit_stitched")),
]

SESSIONS_PLAUSIBLE: list[Case] = [
    (_set(0, started_at=SOON, ended_at=SOON), "Between(started_at)"),
    (_set(1, session_date=SOON.date() + timedelta(days=2)), "Between(session_date)"),
    (_set(2, duration_s=90_000), "Between(duration_s)"),
]

ATTRIBUTION: list[Case] = [
    # A credit outside [0, 1]: on a one-touch path it cannot sum to 1.
    (_where(f"{ONE_TOUCH} and model == 'time_decay'", credit=1.5, attributed_revenue=60.75),
     _null("credits_not_summing_to_one")),
    (_where(f"{ONE_TOUCH} and model == 'linear'", credit=-0.5, attributed_revenue=-20.25),
     _null("credit_not_model_rule")),
    (_where(f"{ORDER} and model == 'time_decay' and touch_number == 1", credit=0.3,
            attributed_revenue=24.0), _null("credits_not_summing_to_one")),
    (_where(f"{ONE_TOUCH} and model == 'last_touch'", attributed_revenue=100.0),
     _null("attributed_revenue_not_summing_to_revenue")),
    (_where(f"{ORDER} and model == 'linear' and touch_number == 2", attributed_revenue=30.0),
     _null("attributed_revenue_not_credit_times_revenue")),
    (_where(ORDER, conversion_revenue=90.0), _null("conversion_revenue_not_fct_conversions")),
    # A denied session in a path (the row's own consent copy still says granted).
    (_where(f"{ONE_TOUCH}", session_key="1-104", channel_group="Email"),
     _null("denied_session_in_path")),
    (_where("session_key == '1-103'", channel_group="Paid Social"),
     _null("channel_group_not_session")),
    (_where(f"{ORDER} and touch_number == 3", touch_number=4), _null("touch_number_outside_path")),
    (_where(ORDER, touch_count=4), _null("touch_count_not_path_length")),
    (_duplicate(f"{ORDER} and model == 'linear'"), _null("touch_count_not_path_length")),
    # Each model's rule: last non-direct skips the Direct last touch of the goal's path.
    (_where("conversion_key == '1-102-1' and model == 'last_non_direct'", credit=0.0),
     _null("credit_not_model_rule")),
    (_where(f"{ORDER} and model == 'position_based' and touch_number == 2", credit=0.4),
     _null("credit_not_model_rule")),
    (_where(f"{ORDER} and model == 'first_touch'", credit=1 / 3),
     _null("credit_not_model_rule")),
]  # fmt: skip

ATTRIBUTION_PLAUSIBLE: list[Case] = [
    (_set(0, days_before_conversion=45.0), "Between(days_before_conversion)"),
    (_where(ONE_TOUCH, converted_at=SOON), "Between(converted_at)"),
    (_set(0, touch_at=SOON), "Between(touch_at)"),
]

PAID = "channel_group == 'Paid Search' and period_type == 'month'"
CHANNELS: list[Case] = [
    (_where(f"{PAID} and model == 'linear'", roas=0.4), _null("roas_not_revenue_over_spend")),
    (_where("channel_group == 'Direct' and model == 'linear'", roas=1.0),
     _null("roas_not_revenue_over_spend")),
    (_where(f"{PAID} and model == 'linear'", cpa=200.0), _null("cpa_not_spend_over_conversions")),
    (_where("period_type == 'iso_week' and channel_group == 'Direct'",
            period_start=datetime(2026, 2, 24).date()), _null("period_start_not_period_type")),
    (_where("period_type == 'month'", period_end=datetime(2026, 3, 30).date()),
     _null("period_end_not_period_start")),
    (_where(f"{PAID} and model == 'linear'", spend=250.0, roas=80 / 3 / 250, cpa=750.0),
     _null("spend_differs_across_models")),
    (_duplicate("channel_group == 'Organic Search' and model == 'linear'"),
     _null("conversions_differ_across_models")),
    (_where("channel_group == 'Organic Search' and model == 'time_decay' and "
            "period_type == 'month'", attributed_revenue=50.0),
     _null("revenue_differs_across_models")),
    (_where("channel_group == 'Organic Search' and period_type == 'month'",
            attributed_conversions=2.0), _null("period_types_disagree")),
]  # fmt: skip

CHANNELS_PLAUSIBLE: list[Case] = [
    (_where(f"{PAID} and model == 'linear'", attributed_revenue=30_000.0, roas=150.0),
     "Between(roas)"),
    (_where("channel_group == 'Direct'", period_start=SOON.date() + timedelta(days=2)),
     "Between(period_start)"),
]  # fmt: skip

CASES = suite_cases(
    [
        (FCT_SESSIONS, SESSIONS),
        (FCT_SESSIONS_PLAUSIBILITY, SESSIONS_PLAUSIBLE),
        (FCT_ATTRIBUTION, ATTRIBUTION),
        (FCT_ATTRIBUTION_PLAUSIBILITY, ATTRIBUTION_PLAUSIBLE),
        (MART_CHANNEL_ATTRIBUTION, CHANNELS),
        (MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY, CHANNELS_PLAUSIBLE),
    ]
)


@pytest.mark.parametrize("suite", conversion.SUITES, ids=lambda s: s.name)
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


def test_cross_row_invariants_hold_across_chunks(tmp_path: Path) -> None:
    """Windows run in DuckDB before chunking: a path split over chunks still sums."""
    good = TABLES[FCT_ATTRIBUTION.relation]()
    assert _run(tmp_path, FCT_ATTRIBUTION, good, chunk_rows=4).success
    bad = _where(f"{ORDER} and model == 'time_decay' and touch_number == 1", credit=0.3)(good)
    result = _run(tmp_path, FCT_ATTRIBUTION, bad, chunk_rows=4)
    assert any("credits_not_summing_to_one" in o.label for o in result.failed)


def test_failures_show_the_rows_to_fix(tmp_path: Path) -> None:
    bad = _where(f"{ORDER} and model == 'time_decay' and touch_number == 1", credit=0.3)(
        TABLES[FCT_ATTRIBUTION.relation]()
    )
    result = _run(tmp_path, FCT_ATTRIBUTION, bad)
    (outcome,) = [o for o in result.failed if "credits_not_summing_to_one" in o.label]
    assert outcome.sample and all(s.startswith("1-103-0 time_decay: ") for s in outcome.sample)


def test_every_invariant_has_a_failing_case() -> None:
    broken = {(c[0].name, c[2]) for c in CASES}
    for suite in conversion.SUITES:
        for e in suite.expectations:
            assert any(name == suite.name and exp in e.label for name, exp in broken), (
                f"{suite.name}: no case breaks {e.label}"
            )


def test_structure_is_left_to_dbt() -> None:
    """Each mart contract is stated once: dbt's yml owns keys, not-null and vocabularies
    (in_vocabulary on seeds/vocabularies.csv); no GX suite on a mart restates them, the suites
    state formulas and plausibility only. (The raw-table suites are Dagster's gate before dbt.)"""
    structural = {"ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeUnique"}
    structural |= {"ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeInSet"}
    marts = [s for s in ALL_SUITES if s.relation.startswith("marts.")]
    assert len(marts) == 22
    for suite in marts:
        assert not {e.type for e in suite.expectations} & structural, suite.name


def test_conversion_suites_are_registered_with_the_warehouse() -> None:
    """Registered in ALL_SUITES, hence one Dagster asset check each (orchestration/defs/
    quality.py): contracts blocking, plausibility warning."""
    assert {s.name for s in conversion.SUITES} <= {s.name for s in ALL_SUITES}
    relations = {s.relation for s in conversion.SUITES}
    assert relations == {
        "marts.fct_sessions",
        "marts.fct_attribution",
        "marts.mart_channel_attribution",
    }
    for suite in conversion.SUITES:
        assert suite.blocking == suite.name.endswith(("_sessions", "_attribution"))
        assert suite.severity == ("error" if suite.blocking else "warn")
