"""Suites on ``marts.mart_pillar_performance``: per brand, platform, pillar, format and ISO
week, the median and mean headline ER against the group's own trailing baseline, and the
recommendation (scale, keep, stop) the strategist acts on.

The **contract** is blocking (ERROR): a repeated group or a week that does not start on Monday
double-counts or shifts every weekly chart, and a recommendation that contradicts its own
numbers ("scale" below the baseline) would steer the content plan the wrong way, so the marts
are not published. The **plausibility** suite (ER bound, no future week) only warns.

dbt owns the structure and the row checks it states in one expression
(_engagement_analysis__models.yml): the key, not-null columns, vocabularies, non-negative
counts and ERs, iso_week 1..53, posts >= posts_with_er, a baseline median exactly with baseline
posts, a recommendation only with enough baseline posts and a lift.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, not_in_future, with_violations
from data_quality.suites.engagement.rates import formula_contract, plausibility_suite
from data_quality.vocabularies import term

RELATION = "marts.mart_pillar_performance"
KEY_COLUMNS = ("brand_id", "platform", "pillar", "format", "week_start")
KEY = "concat_ws('|', brand_id, platform, pillar, format, cast(week_start as varchar))"
ERS = ("median_er", "mean_er", "baseline_median_er")


def _week_violations() -> list[Violation]:
    return [
        Violation("week_start_not_monday", "isodow(week_start) <> 1", "week_start"),
        Violation(
            "iso_week_not_week_start",
            "isoyear(week_start) <> iso_year or weekofyear(week_start) <> iso_week",
            "cast(week_start as varchar) || ' as ' || iso_year || '-W' || iso_week",
        ),
    ]


def _er_violations() -> list[Violation]:
    """The aggregates agree with their counts: a median and a mean exist exactly when some
    post has an ER, a lift needs both medians."""
    return [
        *(
            Violation(
                f"{er}_not_posts_with_er",
                f"({er} is not null) <> coalesce(posts_with_er > 0, false)",
                KEY,
            )
            for er in ("median_er", "mean_er")
        ),
        Violation(
            "lift_without_medians",
            "lift is not null and (median_er is null or baseline_median_er is null)",
            KEY,
        ),
    ]


def _recommendation_violations() -> list[Violation]:
    """ "scale" never sits below the baseline nor "stop" above it (the margin is the model's
    setting, so only the side is checked, and a zero margin may put either on the baseline
    itself)."""
    scale, stop = term("recommendation", "scale"), term("recommendation", "stop")
    return [
        Violation(
            "recommendation_against_baseline",
            f"(recommendation = '{scale}' and not coalesce(median_er >= baseline_median_er, false))"
            f" or (recommendation = '{stop}' "
            "and not coalesce(median_er <= baseline_median_er, false))",
            f"{KEY} || ': ' || recommendation || ' at ' || coalesce(cast(median_er as varchar), "
            "'NULL') || ' vs ' || coalesce(cast(baseline_median_er as varchar), 'NULL')",
        ),
    ]


def contract() -> Suite:
    """The blocking suite, built from the vocabularies the seed holds now."""
    violations = [
        formula_contract(RELATION),
        *_week_violations(),
        *_er_violations(),
        *_recommendation_violations(),
    ]
    return Suite(
        name="marts_mart_pillar_performance",
        relation=RELATION,
        select=with_violations(violations),
        description=(
            "Contract, blocking: week_start a Monday matching iso_year and iso_week; median "
            "and mean ER present exactly when posts have an ER; a lift only with both medians; "
            "scale never below the baseline, stop never above it; one ER formula per table. "
            "(dbt: key, not-null, vocabularies, >= 0, baseline and recommendation rules.)"
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in violations),
    )


def plausibility() -> Suite:
    """The warning suite: bounds and dates."""
    return plausibility_suite(
        name="marts_mart_pillar_performance_plausibility",
        relation=RELATION,
        key_columns=KEY_COLUMNS,
        description=(
            "Plausibility, warning: median, mean and baseline ER at most 1000 % when the "
            "formula is by reach or impressions; no week starting after today."
        ),
        date_expectations=(not_in_future("week_start", grace_days=1),),
        rate_columns=(),
        headline_columns=ERS,
    )


MART_PILLAR_PERFORMANCE = contract()
MART_PILLAR_PERFORMANCE_PLAUSIBILITY = plausibility()
SUITES = (MART_PILLAR_PERFORMANCE, MART_PILLAR_PERFORMANCE_PLAUSIBILITY)
