"""Suites on ``marts.mart_channel_attribution``: period (month, ISO week) x brand x channel
group x campaign x model, attributed conversions and revenue beside paid spend, ROAS and CPA.

dbt owns the structure (keys, vocabularies, non-negative measures:
_conversion__attribution.yml). These suites hold the formulas and the no-fan-out guarantees:
ROAS = revenue / spend and CPA = spend / conversions (NULL without a denominator); a period
starts and ends where its type says; spend is the same on every model's row of a cell; every
model shares out the same conversions and revenue in a period; and months and ISO weeks add up
to the same totals. A break misstates every budget decision read from the mart, so the
**contract** blocks; the **plausibility** suite (ROAS bound, no future period) warns.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.conversion.formulas import differs

RELATION = "marts.mart_channel_attribution"
KEY_COLUMNS = ("period_type", "period_start", "brand_id", "channel_group", "campaign", "model")
KEY = (
    "period_type || ' ' || cast(period_start as varchar) || ' ' || brand_id || ' ' || "
    "channel_group || ' ' || campaign || ' ' || model"
)
CELL = "partition by period_type, period_start, brand_id, channel_group, campaign"
PERIOD = "partition by period_type, period_start, brand_id"
MAX_ROAS = 100
"""Revenue above 100 times the spend is more often a spend typo than a campaign."""


def _model_total(measure: str) -> str:
    return f"sum({measure}) over ({PERIOD}, model)"


def _last_touch_total(measure: str) -> str:
    return f"sum(case when model = 'last_touch' then {measure} end) over ({PERIOD})"


def _period_type_total(measure: str, period_type: str) -> str:
    return (
        f"sum(case when period_type = '{period_type}' then coalesce({measure}, 0) end) "
        "over (partition by brand_id, model)"
    )


def _shown(label: str, expr: str) -> str:
    return f"{KEY} || ' {label} ' || coalesce(cast({expr} as varchar), 'NULL')"


VIOLATIONS = (
    Violation(
        "roas_not_revenue_over_spend",
        differs("roas", "case when spend > 0 then attributed_revenue / spend end"),
        _shown("roas", "roas"),
    ),
    Violation(
        "cpa_not_spend_over_conversions",
        differs(
            "cpa", "case when attributed_conversions > 0 then spend / attributed_conversions end"
        ),
        _shown("cpa", "cpa"),
    ),
    Violation(
        "period_start_not_period_type",
        "case period_type when 'month' then extract(day from period_start) <> 1 "
        "when 'iso_week' then isodow(period_start) <> 1 end",
        KEY,
    ),
    Violation(
        "period_end_not_period_start",
        "period_end <> case period_type when 'month' then last_day(period_start) "
        "when 'iso_week' then cast(period_start + interval 6 day as date) end",
        KEY,
    ),
    # Spend has no model: the same amount on each model's row, or the spend side fanned out.
    Violation(
        "spend_differs_across_models",
        f"max(coalesce(spend, -1)) over ({CELL}) <> min(coalesce(spend, -1)) over ({CELL})",
        _shown("spend", "spend"),
    ),
    # Every model shares out the same conversions (dated by the conversion) in a period.
    Violation(
        "conversions_differ_across_models",
        differs(
            _model_total("attributed_conversions"), _last_touch_total("attributed_conversions")
        ),
        _shown("model total", _model_total("attributed_conversions")),
    ),
    Violation(
        "revenue_differs_across_models",
        differs(_model_total("attributed_revenue"), _last_touch_total("attributed_revenue")),
        _shown("model total", _model_total("attributed_revenue")),
    ),
    # Months and ISO weeks cut the same history: the same totals per brand and model.
    Violation(
        "period_types_disagree",
        " or ".join(
            differs(_period_type_total(m, "month"), _period_type_total(m, "iso_week"))
            for m in ("attributed_conversions", "attributed_revenue", "spend")
        ),
        "brand_id || ' ' || model",
    ),
)


def _contract() -> Suite:
    return Suite(
        name="marts_mart_channel_attribution",
        relation=RELATION,
        select=with_violations(VIOLATIONS),
        description=(
            "Contract, blocking: ROAS = revenue / spend and CPA = spend / conversions, NULL "
            "without a denominator; periods start on the 1st or a Monday and end where their "
            "type says; spend equal across models; every model shares out the same conversions "
            "and revenue per period; months and ISO weeks give the same totals."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in VIOLATIONS),
    )


def _plausibility() -> Suite:
    return Suite(
        name="marts_mart_channel_attribution_plausibility",
        relation=RELATION,
        description=(
            f"Plausibility, warning: ROAS at most {MAX_ROAS} (revenue 100 times the spend is "
            "more often a spend typo); no period starting after today."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            between("roas", max_value=MAX_ROAS),
            not_in_future("period_start", grace_days=1),
        ),
    )


MART_CHANNEL_ATTRIBUTION = _contract()
MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY = _plausibility()
SUITES = (MART_CHANNEL_ATTRIBUTION, MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY)
