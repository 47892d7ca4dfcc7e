"""The CRM deal suites (data_quality/suites/conversion/deals.py) pass on good marts and fail,
naming the broken invariant, on each kind of bad row: one mutation of the hand-written frames
of tests/data_quality/deal_frames.py per case, validated by the chunked runner Dagster uses over
a DuckDB file that also holds fct_sessions (the identity rule's sessions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data_quality.runner import SuiteResult
from data_quality.spec import Suite
from data_quality.suites import ALL_SUITES
from data_quality.suites.conversion import DEAL_SUITES
from data_quality.suites.conversion.deals import (
    FCT_CRM_DEALS,
    FCT_CRM_DEALS_PLAUSIBILITY,
    MART_DEAL_ATTRIBUTION,
    MART_DEAL_ATTRIBUTION_PLAUSIBILITY,
)
from tests.data_quality.deal_frames import TABLES, WON_2, load
from tests.data_quality.mutations import Mutation, assert_fails_with, run_suite, suite_cases
from tests.data_quality.mutations import set_row as _set
from tests.data_quality.mutations import set_where as _where

SOON = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)
P1, P2 = "deal_key == 'p1-1'", "deal_key == 'p1-2'"
DECAY = f"{P1} and model == 'time_decay'"
Case = tuple[Mutation, str]


def _run(tmp_path: Path, suite: Suite, df: pd.DataFrame, chunk_rows: int = 1000) -> SuiteResult:
    return run_suite(tmp_path, suite, df, TABLES, load, chunk_rows)


def _null(invariant: str) -> str:
    return f"ToBeNull({invariant})"


def _then(*mutations: Mutation) -> Mutation:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        for m in mutations:
            df = m(df)
        return df

    return mutate


DEALS: list[Case] = [
    (_set(0, deal_key="p1-9"), _null("deal_key_not_portal_deal")),
    (_set(1, contact_key="p1:99"), _null("contact_key_not_contact")),
    (_set(1, closed_at=None, close_date=None, is_closed=False), _null("won_without_close_date")),
    (_set(2, is_closed=True), _null("is_closed_not_closed_at")),
    (_set(0, close_date=date(2026, 3, 2)), _null("close_date_not_closed_at")),
    (_set(0, linked_sessions=2), _null("linked_sessions_not_fct_sessions")),
    # Linked on a denied visitor's key: none of its sessions may count.
    (_set(3, web_user_key="c9"), _null("linked_sessions_not_fct_sessions")),
    (_set(1, is_linked=True), _null("is_linked_not_linked_sessions")),
    (_set(2, amount=-100.0), "Between(amount)"),
]

DEALS_PLAUSIBLE: list[Case] = [
    (_set(0, amount=2_500_000.0), "Between(amount)"),
    (_set(2, created_at=SOON), "Between(created_at)"),
    (_set(1, created_at=WON_2 + timedelta(days=1)), _null("won_closed_before_created")),
]

ATTRIBUTION: list[Case] = [
    (_where(f"{P2} and model == 'linear'", credit=1.5, attributed_revenue=375.75),
     "Between(credit)"),
    (_where(f"{DECAY} and touch_number == 1", credit=0.3, attributed_revenue=270.0),
     _null("credits_not_summing_to_one")),
    # Time decay's first and second weights swapped: the sum holds, the formula does not.
    (_then(_where(f"{DECAY} and touch_number == 1", credit=0.323049472,
                  attributed_revenue=0.323049472 * 900),
           _where(f"{DECAY} and touch_number == 2", credit=0.196900858,
                  attributed_revenue=0.196900858 * 900)), _null("credit_not_model_rule")),
    (_where(f"{P1} and model == 'position_based' and touch_number == 2", credit=0.4),
     _null("credit_not_model_rule")),
    # Last non-direct: the Direct middle touch may not take the credit.
    (_then(_where(f"{P1} and model == 'last_non_direct' and touch_number == 3", credit=0.0,
                  attributed_revenue=0.0),
           _where(f"{P1} and model == 'last_non_direct' and touch_number == 2", credit=1.0,
                  attributed_revenue=900.0)), _null("credit_not_model_rule")),
    (_where(f"{P2} and model == 'last_touch'", attributed_revenue=300.0),
     _null("attributed_revenue_not_summing_to_amount")),
    (_where(f"{P1} and model == 'linear' and touch_number == 2", attributed_revenue=200.0),
     _null("attributed_revenue_not_credit_times_amount")),
    (_where(P2, deal_amount=260.0, attributed_revenue=260.0),
     _null("deal_amount_not_fct_crm_deals")),
    (_where(P2, deal_amount=-1.0, attributed_revenue=-1.0), "Between(deal_amount)"),
    # The lost deal p1-4 attributed as if won.
    (_where(P2, deal_key="p1-4", touch_key="p1-4:original_source", deal_amount=40.0,
            attributed_revenue=40.0), _null("deal_not_closed_won")),
    (_where(f"{P1} and touch_number == 3", touch_number=4), _null("touch_number_outside_path")),
    (_where(P1, touch_count=4), _null("touch_count_not_path_length")),
    # Another visitor's session (c5) in the path of u1's deal.
    (_where(f"{P1} and session_key == '1-101'", session_key="1-105", touch_key="1-105"),
     _null("touch_not_the_deals_contact")),
    (_where(f"{P1} and session_key == '1-101'", session_key="1-104", touch_key="1-104"),
     _null("denied_session_in_path")),
]  # fmt: skip

ATTRIBUTION_PLAUSIBLE: list[Case] = [
    (_where(P2, days_before_close=800.0), "Between(days_before_close)"),
    (_where(P2, closed_at=SOON), "Between(closed_at)"),
    (_where(P2, touch_at=SOON), "Between(touch_at)"),
]

CASES = suite_cases(
    [
        (FCT_CRM_DEALS, DEALS),
        (FCT_CRM_DEALS_PLAUSIBILITY, DEALS_PLAUSIBLE),
        (MART_DEAL_ATTRIBUTION, ATTRIBUTION),
        (MART_DEAL_ATTRIBUTION_PLAUSIBILITY, ATTRIBUTION_PLAUSIBLE),
    ]
)


@pytest.mark.parametrize("suite", DEAL_SUITES, ids=lambda s: s.name)
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


def test_path_sums_hold_across_chunks(tmp_path: Path) -> None:
    """Windows run in DuckDB before chunking: a deal's path split over chunks still sums."""
    good = TABLES[MART_DEAL_ATTRIBUTION.relation]()
    assert _run(tmp_path, MART_DEAL_ATTRIBUTION, good, chunk_rows=4).success
    bad = _where(f"{DECAY} and touch_number == 1", credit=0.3, attributed_revenue=270.0)(good)
    result = _run(tmp_path, MART_DEAL_ATTRIBUTION, bad, chunk_rows=4)
    (outcome,) = [o for o in result.failed if "credits_not_summing_to_one" in o.label]
    assert outcome.sample and all(s.startswith("p1-1 time_decay: ") for s in outcome.sample)


def test_every_invariant_has_a_failing_case() -> None:
    broken = {(c[0].name, c[2]) for c in CASES}
    for suite in DEAL_SUITES:
        for e in suite.expectations:
            assert any(name == suite.name and exp in e.label for name, exp in broken), (
                f"{suite.name}: no case breaks {e.label}"
            )


def test_deal_suites_are_registered_with_the_warehouse() -> None:
    """In ALL_SUITES, hence one Dagster asset check each on the dbt asset of their mart
    (orchestration/defs/quality.py): contracts blocking, plausibility warning."""
    assert {s.name for s in DEAL_SUITES} <= {s.name for s in ALL_SUITES}
    assert {s.relation for s in DEAL_SUITES} == {
        "marts.fct_crm_deals",
        "marts.mart_deal_attribution",
    }
    for suite in DEAL_SUITES:
        assert suite.blocking == (not suite.name.endswith("_plausibility"))
        assert suite.severity == ("error" if suite.blocking else "warn")
