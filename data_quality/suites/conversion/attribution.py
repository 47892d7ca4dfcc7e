"""Suites on ``marts.fct_attribution``: conversion x touch x model, with each touch's credit.

dbt owns the structure (keys, vocabularies, credit in [0, 1], no touch after its conversion:
_conversion__attribution.yml). These suites hold the formulas of docs/conversion_marts.md:
each model's credit rule, credits of a conversion summing to 1 per model, attributed revenue =
credit x the conversion's revenue and summing to it, the path's numbering, and the links to
fct_sessions and fct_conversions (a touch is a session whose consent is not denied, with that
session's channel; the conversion's revenue is the one fct_conversions holds). A break is wrong
in every ROAS read from it, so the **contract** blocks; the **plausibility** suite (lookback,
no future conversion) warns.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.conversion.formulas import dbt_var, differs

RELATION = "marts.fct_attribution"
KEY_COLUMNS = ("conversion_key", "session_key", "model")
KEY = "conversion_key || ' ' || session_key || ' ' || model"
PATH = "partition by conversion_key, model"
SESSIONS = "marts.fct_sessions"
CONVERSIONS = "marts.fct_conversions"

# The last touch that is not Direct; an all-Direct path falls back to the last touch.
_LAST_NON_DIRECT = (
    f"coalesce(max(case when not is_direct then touch_number end) over ({PATH}), touch_count)"
)

# Each model's credit of a touch, from the touch's place in its path (time_decay has no
# closed form per row: its credits are held by the sum below).
CREDIT_RULES = {
    "first_touch": "case when touch_number = 1 then 1.0 else 0.0 end",
    "last_touch": "case when touch_number = touch_count then 1.0 else 0.0 end",
    "last_non_direct": f"case when touch_number = {_LAST_NON_DIRECT} then 1.0 else 0.0 end",
    "linear": "1.0 / touch_count",
    "position_based": (
        "case when touch_count = 1 then 1.0 when touch_count = 2 then 0.5 "
        "when touch_number in (1, touch_count) then 0.4 else 0.2 / (touch_count - 2) end"
    ),
}


def _credit_rule() -> str:
    cases = " ".join(f"when '{m}' then {rule}" for m, rule in CREDIT_RULES.items())
    return f"case model {cases} else credit end"


def _of_session(column: str) -> str:
    return (
        f"(select min(s.{column}) from {SESSIONS} as s "
        f"where s.session_key = fct_attribution.session_key)"
    )


VIOLATIONS = (
    Violation(
        "credit_not_model_rule",
        differs("credit", _credit_rule()),
        f"{KEY} || ' touch ' || cast(touch_number as varchar) || '/' || "
        "cast(touch_count as varchar) || ': ' || cast(credit as varchar)",
    ),
    Violation(
        "credits_not_summing_to_one",
        differs(f"sum(credit) over ({PATH})", "1.0"),
        f"conversion_key || ' ' || model || ': ' || cast(sum(credit) over ({PATH}) as varchar)",
    ),
    Violation(
        "attributed_revenue_not_credit_times_revenue",
        differs("attributed_revenue", "credit * conversion_revenue"),
        KEY,
    ),
    Violation(
        "attributed_revenue_not_summing_to_revenue",
        differs(f"sum(attributed_revenue) over ({PATH})", "conversion_revenue"),
        f"conversion_key || ' ' || model || ': ' || "
        f"cast(sum(attributed_revenue) over ({PATH}) as varchar) || ' of ' || "
        "cast(conversion_revenue as varchar)",
    ),
    Violation(
        "conversion_revenue_not_fct_conversions",
        differs(
            "conversion_revenue",
            f"(select min(c.revenue) from {CONVERSIONS} as c "
            "where c.conversion_key = fct_attribution.conversion_key)",
        ),
        KEY,
    ),
    Violation(
        "touch_number_outside_path",
        "touch_number < 1 or touch_number > touch_count",
        KEY,
    ),
    Violation(
        "touch_count_not_path_length",
        f"touch_count <> count(*) over ({PATH})",
        f"conversion_key || ' ' || model || ': ' || cast(touch_count as varchar) || ' vs ' || "
        f"cast(count(*) over ({PATH}) as varchar)",
    ),
    # Consent: a denied visit never enters a path, whatever the row's own copy says.
    Violation("denied_session_in_path", f"{_of_session('consent')} = 'denied'", KEY),
    Violation(
        "channel_group_not_session",
        f"channel_group is distinct from {_of_session('channel_group')}",
        KEY,
    ),
)


def _contract() -> Suite:
    return Suite(
        name="marts_fct_attribution",
        relation=RELATION,
        select=with_violations(VIOLATIONS),
        description=(
            "Contract, blocking: each model's credit rule (first, last, last non-direct, "
            "linear, 40/20/40); credits of a conversion sum to 1 per model; attributed revenue "
            "= credit x conversion revenue and sums to it; conversion revenue as in "
            "fct_conversions; touches numbered 1..touch_count; no denied session in a path; "
            "a touch's channel is its session's."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in VIOLATIONS),
    )


def _plausibility() -> Suite:
    lookback = int(dbt_var("attribution_lookback_days"))
    return Suite(
        name="marts_fct_attribution_plausibility",
        relation=RELATION,
        description=(
            f"Plausibility, warning: touches at most {lookback} days (dbt var "
            "attribution_lookback_days) before their conversion; no conversion or touch "
            "after now."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            between("days_before_conversion", max_value=lookback),
            not_in_future("converted_at"),
            not_in_future("touch_at"),
        ),
    )


FCT_ATTRIBUTION = _contract()
FCT_ATTRIBUTION_PLAUSIBILITY = _plausibility()
SUITES = (FCT_ATTRIBUTION, FCT_ATTRIBUTION_PLAUSIBILITY)
