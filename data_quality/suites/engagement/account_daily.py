"""Suites on ``marts.fct_account_daily``: one row per platform, account and day, with the
account's followers and the metrics and rates of the posts it published that day.

As for the posts (see ``post_performance``): the **contract** is blocking (ERROR), because a
repeated account-day doubles followers and reach in every trend line and a mixed ER formula
makes weeks incomparable; the **plausibility** suite (ER bound, no future day) only warns.
``follower_gain`` is not bounded: accounts lose followers.
"""

from __future__ import annotations

from data_quality.spec import (
    Suite,
    Violation,
    between,
    in_set,
    not_in_future,
    not_null,
    unique_together,
    with_violations,
)
from data_quality.suites.engagement.rates import (
    RATES,
    formula_contract,
    plausibility_suite,
    rates_contract,
)
from data_quality.suites.engagement.vocabulary import PLATFORMS

RELATION = "marts.fct_account_daily"
KEY_COLUMNS = ("platform", "account_id", "date_day")
KEY = "platform || ':' || account_id || ' ' || cast(date_day as varchar)"


def _contract() -> Suite:
    formula_expectations, formula_violations = formula_contract(RELATION)
    rate_expectations, rate_violations = rates_contract(KEY)
    any_rate = " or ".join(f"{rate} is not null" for rate in RATES)
    violations = [
        *formula_violations,
        *rate_violations,
        # Every rate's numerator is (a part of) the day's interactions.
        Violation("er_without_interactions", f"interactions is null and ({any_rate})", KEY),
        Violation(
            "followers_without_source", "followers is not null and followers_source is null", KEY
        ),
    ]
    return Suite(
        name="marts_fct_account_daily",
        relation=RELATION,
        select=with_violations(violations),
        description=(
            "Contract, blocking: one row per platform, account and day; platform from the "
            "vocabulary; followers, posts and metrics non-negative; rates NULL without a "
            "denominator or interactions; headline ER = the rate er_formula names, one formula "
            "per table; followers always say where they come from."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=(
            *not_null("account_id", "platform", "brand_id", "date_day", "posts_published"),
            unique_together(*KEY_COLUMNS),
            in_set("platform", PLATFORMS),
            *(
                between(c, min_value=0)
                for c in ("followers", "posts_published", "reach", "impressions", "interactions")
            ),
            *formula_expectations,
            *rate_expectations,
            *(v.expectation for v in violations),
        ),
    )


def _plausibility() -> Suite:
    return plausibility_suite(
        name="marts_fct_account_daily_plausibility",
        relation=RELATION,
        key_columns=KEY_COLUMNS,
        description=(
            "Plausibility, warning: ER by reach or impressions (and the headline ER when it is "
            "one of them) at most 1000 %; no day after today."
        ),
        date_expectations=(not_in_future("date_day", grace_days=1),),
    )


FCT_ACCOUNT_DAILY = _contract()
FCT_ACCOUNT_DAILY_PLAUSIBILITY = _plausibility()
SUITES = (FCT_ACCOUNT_DAILY, FCT_ACCOUNT_DAILY_PLAUSIBILITY)
