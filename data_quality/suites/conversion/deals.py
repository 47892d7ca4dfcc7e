"""Suites on the CRM deal marts: ``marts.fct_crm_deals`` (one row per HubSpot deal) and
``marts.mart_deal_attribution`` (closed-won deal x touch x model).

dbt owns the structure (keys, not-null, credit in [0, 1] and no negative amount as generic
tests, the credits and revenue sums as singular tests: _conversion__deals.yml,
tests/conversion/deal_attribution_*.sql). These suites hold the formulas and the identity rule
of docs/identity.md, recomputed from the rows and from the tables they are built from:

- a deal: its keys, closed-won implies a close date, ``is_closed`` and ``close_date`` from
  ``closed_at``, linked exactly when the contact's web key has eligible sessions in
  ``fct_sessions`` (their number is ``linked_sessions``);
- an attributed deal: each model's credit rule over the deal's path (time decay included: the
  weights 2^(-days/half-life) normalised), credits summing to 1 and attributed revenue =
  credit x deal amount summing to it per model, the amount and the closed-won flag of
  ``fct_crm_deals``, a visit touch being a session of the deal's own contact that is not denied.

A break misstates revenue per campaign, so the **contracts** block; the **plausibility**
suites (amount size, dates after now, touches years before the close) warn.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.conversion import attribution
from data_quality.suites.conversion.formulas import dbt_var, differs

DEALS = "marts.fct_crm_deals"
ATTRIBUTION = "marts.mart_deal_attribution"
SESSIONS = "marts.fct_sessions"
DEAL_KEY_COLUMNS = ("deal_key",)
KEY_COLUMNS = ("deal_key", "touch_key", "model")
KEY = "deal_key || ' ' || touch_key || ' ' || model"
PATH = "partition by deal_key, model"
MAX_AMOUNT = 1_000_000
"""A deal above this is likely an amount typed in cents or a test deal: a warning."""
MAX_DAYS_BEFORE_CLOSE = 730
"""No lookback bounds a deal's path (docs/identity.md): a touch two years before is odd."""


def _eligible(consent: str) -> str:
    """SQL: the session may be a touch (macros/attribution.sql, attribution_consent_allowed)."""
    allowed = "('granted', 'unknown')" if _unknown_counts() else "('granted')"
    return f"coalesce({consent}, 'unknown') in {allowed}"


def _unknown_counts() -> bool:
    return dbt_var("attribution_unknown_consent") == "include"


def _linked_sessions() -> str:
    return (
        f"(select count(*) from {SESSIONS} as s where s.brand_id = fct_crm_deals.brand_id "
        f"and s.visitor_key = fct_crm_deals.web_user_key and {_eligible('s.consent')})"
    )


DEAL_VIOLATIONS = (
    Violation("deal_key_not_portal_deal", "deal_key <> portal_id || '-' || deal_id", "deal_key"),
    Violation(
        "contact_key_not_contact",
        "contact_key is distinct from portal_id || ':' || contact_id",
        "deal_key",
    ),
    Violation("won_without_close_date", "is_closed_won and closed_at is null", "deal_key"),
    Violation("is_closed_not_closed_at", "is_closed <> (closed_at is not null)", "deal_key"),
    Violation(
        "close_date_not_closed_at",
        "close_date is distinct from cast(closed_at as date)",
        "deal_key || ': ' || cast(close_date as varchar)",
    ),
    Violation(
        "linked_sessions_not_fct_sessions",
        f"linked_sessions <> {_linked_sessions()}",
        f"deal_key || ': ' || cast(linked_sessions as varchar) || ' vs ' || "
        f"cast({_linked_sessions()} as varchar)",
    ),
    Violation("is_linked_not_linked_sessions", "is_linked <> (linked_sessions > 0)", "deal_key"),
)


def _of_deal(column: str) -> str:
    return (
        f"(select min(d.{column}) from {DEALS} as d "
        "where d.deal_key = mart_deal_attribution.deal_key)"
    )


def _of_session(column: str) -> str:
    return (
        f"(select min(s.{column}) from {SESSIONS} as s "
        "where s.session_key = mart_deal_attribution.session_key)"
    )


def _decay_weight() -> str:
    half_life = float(dbt_var("attribution_time_decay_half_life_days"))
    return f"power(2.0, -1.0 * days_before_close / {half_life})"


# fct_attribution's rules over a deal's path; time decay: each weight over the path's total.
CREDIT_RULES = {
    **{m: rule.replace(attribution.PATH, PATH) for m, rule in attribution.CREDIT_RULES.items()},
    "time_decay": f"{_decay_weight()} / sum({_decay_weight()}) over ({PATH})",
}


def _credit_rule() -> str:
    cases = " ".join(f"when '{m}' then {rule}" for m, rule in CREDIT_RULES.items())
    return f"case model {cases} else credit end"


ATTRIBUTION_VIOLATIONS = (
    Violation(
        "credit_not_model_rule",
        differs("credit", _credit_rule()),
        f"{KEY} || ' touch ' || cast(touch_number as varchar) || '/' || "
        "cast(touch_count as varchar) || ': ' || cast(credit as varchar)",
    ),
    Violation(
        "credits_not_summing_to_one",
        differs(f"sum(credit) over ({PATH})", "1.0"),
        f"deal_key || ' ' || model || ': ' || cast(sum(credit) over ({PATH}) as varchar)",
    ),
    Violation(
        "attributed_revenue_not_credit_times_amount",
        differs("attributed_revenue", "credit * deal_amount"),
        KEY,
    ),
    Violation(
        "attributed_revenue_not_summing_to_amount",
        differs(f"sum(attributed_revenue) over ({PATH})", "deal_amount"),
        f"deal_key || ' ' || model || ': ' || "
        f"cast(sum(attributed_revenue) over ({PATH}) as varchar) || ' of ' || "
        "cast(deal_amount as varchar)",
    ),
    Violation(
        "deal_amount_not_fct_crm_deals",
        differs("deal_amount", f"coalesce({_of_deal('amount')}, 0)"),
        KEY,
    ),
    Violation("deal_not_closed_won", f"not coalesce({_of_deal('is_closed_won')}, false)", KEY),
    Violation("touch_number_outside_path", "touch_number < 1 or touch_number > touch_count", KEY),
    Violation(
        "touch_count_not_path_length",
        f"touch_count <> count(*) over ({PATH})",
        f"deal_key || ' ' || model || ': ' || cast(touch_count as varchar) || ' vs ' || "
        f"cast(count(*) over ({PATH}) as varchar)",
    ),
    # The identity rule: a visit touch is a session of the deal's own contact's web key.
    Violation(
        "touch_not_the_deals_contact",
        "not is_original_source_fallback and "
        f"{_of_session('visitor_key')} is distinct from {_of_deal('web_user_key')}",
        KEY,
    ),
    Violation("denied_session_in_path", f"not {_eligible(_of_session('consent'))}", KEY),
)


def _deals_contract() -> Suite:
    return Suite(
        name="marts_fct_crm_deals",
        relation=DEALS,
        select=with_violations(DEAL_VIOLATIONS),
        description=(
            "Contract, blocking: deal and contact keys; a closed-won deal has a close date; "
            "is_closed and close_date follow closed_at; linked_sessions is the number of "
            "eligible fct_sessions of the contact's web key in the brand, is_linked when > 0; "
            "no negative amount."
        ),
        blocking=True,
        key_columns=DEAL_KEY_COLUMNS,
        expectations=(
            between("amount", min_value=0),
            *(v.expectation for v in DEAL_VIOLATIONS),
        ),
    )


CLOSED_BEFORE_CREATED = Violation(
    "won_closed_before_created", "is_closed_won and closed_at < created_at", "deal_key"
)


def _deals_plausibility() -> Suite:
    return Suite(
        name="marts_fct_crm_deals_plausibility",
        relation=DEALS,
        select=with_violations([CLOSED_BEFORE_CREATED]),
        description=(
            f"Plausibility, warning: amounts up to {MAX_AMOUNT:,}; no deal created or won "
            "after now; a won deal closes after it was created."
        ),
        severity="warn",
        key_columns=DEAL_KEY_COLUMNS,
        expectations=(
            between("amount", max_value=MAX_AMOUNT),
            not_in_future("created_at"),
            CLOSED_BEFORE_CREATED.expectation,
        ),
    )


def _attribution_contract() -> Suite:
    return Suite(
        name="marts_mart_deal_attribution",
        relation=ATTRIBUTION,
        select=with_violations(ATTRIBUTION_VIOLATIONS),
        description=(
            "Contract, blocking: each model's credit rule over the deal's path (time decay: "
            "2^(-days/half-life) normalised); credits in [0, 1] summing to 1 per model; "
            "attributed revenue = credit x deal amount and summing to it; the amount and the "
            "closed-won flag of fct_crm_deals; a visit touch is an eligible session of the "
            "deal's contact; touches numbered 1..touch_count."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=(
            between("credit", 0, 1),
            between("deal_amount", min_value=0),
            *(v.expectation for v in ATTRIBUTION_VIOLATIONS),
        ),
    )


def _attribution_plausibility() -> Suite:
    return Suite(
        name="marts_mart_deal_attribution_plausibility",
        relation=ATTRIBUTION,
        description=(
            f"Plausibility, warning: touches at most {MAX_DAYS_BEFORE_CLOSE} days before the "
            "close; no close or touch after now."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            between("days_before_close", max_value=MAX_DAYS_BEFORE_CLOSE),
            not_in_future("closed_at"),
            not_in_future("touch_at"),
        ),
    )


FCT_CRM_DEALS = _deals_contract()
FCT_CRM_DEALS_PLAUSIBILITY = _deals_plausibility()
MART_DEAL_ATTRIBUTION = _attribution_contract()
MART_DEAL_ATTRIBUTION_PLAUSIBILITY = _attribution_plausibility()
SUITES = (
    FCT_CRM_DEALS,
    FCT_CRM_DEALS_PLAUSIBILITY,
    MART_DEAL_ATTRIBUTION,
    MART_DEAL_ATTRIBUTION_PLAUSIBILITY,
)
