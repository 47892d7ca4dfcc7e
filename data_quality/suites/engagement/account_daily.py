"""Suites on ``marts.fct_account_daily``: one row per platform, account and day, with the
account's followers and the metrics and rates of the posts it published that day.

As for the posts (see ``post_performance``): the **contract** is blocking (ERROR), because a
repeated account-day doubles followers and reach in every trend line and a mixed ER formula
makes weeks incomparable; the **plausibility** suite (ER bound, no future day) only warns.
``follower_gain`` is not bounded: accounts lose followers. dbt owns the structure
(_engagement__models.yml): the key, not-null columns, non-negative measures, vocabularies.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, not_in_future, with_violations
from data_quality.suites.engagement.rates import (
    formula_contract,
    plausibility_suite,
    rates,
    rates_contract,
)

RELATION = "marts.fct_account_daily"
KEY_COLUMNS = ("platform", "account_id", "date_day")
KEY = "platform || ':' || account_id || ' ' || cast(date_day as varchar)"


def contract() -> Suite:
    """The blocking suite, built from the vocabularies the seed holds now."""
    any_rate = " or ".join(f"{rate} is not null" for rate in rates())
    violations = [
        formula_contract(RELATION),
        *rates_contract(KEY),
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
            "Contract, blocking: rates NULL without a denominator or interactions; headline "
            "ER = the rate er_formula names, one formula per table; followers always say where "
            "they come from. (dbt: key, not-null, vocabularies, >= 0.)"
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in violations),
    )


def plausibility() -> Suite:
    """The warning suite: bounds and dates."""
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


FCT_ACCOUNT_DAILY = contract()
FCT_ACCOUNT_DAILY_PLAUSIBILITY = plausibility()
SUITES = (FCT_ACCOUNT_DAILY, FCT_ACCOUNT_DAILY_PLAUSIBILITY)
