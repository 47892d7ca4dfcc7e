"""Suites on ``marts.mart_pillar_performance``: per brand, platform, pillar, format and ISO
week, the median and mean headline ER against the group's own trailing baseline, and the
recommendation (scale, keep, stop) the strategist acts on.

The **contract** is blocking (ERROR): a repeated group or a week that does not start on Monday
double-counts or shifts every weekly chart, and a recommendation that contradicts its own
numbers ("scale" below the baseline) would steer the content plan the wrong way, so the marts
are not published. The **plausibility** suite (ER bound, no future week) only warns.
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
from data_quality.suites.engagement.rates import formula_contract, plausibility_suite
from data_quality.suites.engagement.vocabulary import (
    FORMATS,
    PILLARS,
    PLATFORMS,
    RECOMMENDATIONS,
)

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
    post has an ER, a baseline median needs baseline posts, a lift needs both medians."""
    return [
        Violation("posts_with_er_above_posts", "posts_with_er > posts", KEY),
        *(
            Violation(
                f"{er}_not_posts_with_er",
                f"({er} is not null) <> coalesce(posts_with_er > 0, false)",
                KEY,
            )
            for er in ("median_er", "mean_er")
        ),
        Violation(
            "baseline_median_er_without_baseline_posts",
            "baseline_median_er is not null and coalesce(baseline_posts, 0) = 0",
            KEY,
        ),
        Violation(
            "lift_without_medians",
            "lift is not null and (median_er is null or baseline_median_er is null)",
            KEY,
        ),
    ]


def _recommendation_violations() -> list[Violation]:
    """A recommendation needs a baseline and a lift; "scale" never sits below the baseline nor
    "stop" above it (the margin is the model's setting, so only the side is checked, and a
    zero margin may put either on the baseline itself)."""
    return [
        Violation(
            "recommendation_without_baseline",
            "recommendation is not null and (lift is null or coalesce(baseline_posts, 0) = 0)",
            KEY,
        ),
        Violation(
            "recommendation_against_baseline",
            "(recommendation = 'scale' and not coalesce(median_er >= baseline_median_er, false)) "
            "or (recommendation = 'stop' and not coalesce(median_er <= baseline_median_er, false))",
            f"{KEY} || ': ' || recommendation || ' at ' || coalesce(cast(median_er as varchar), "
            "'NULL') || ' vs ' || coalesce(cast(baseline_median_er as varchar), 'NULL')",
        ),
    ]


def _contract() -> Suite:
    formula_expectations, formula_violations = formula_contract(RELATION)
    violations = [
        *formula_violations,
        *_week_violations(),
        *_er_violations(),
        *_recommendation_violations(),
    ]
    return Suite(
        name="marts_mart_pillar_performance",
        relation=RELATION,
        select=with_violations(violations),
        description=(
            "Contract, blocking: one row per brand, platform, pillar, format and ISO week "
            "(a Monday, matching iso_year and iso_week); vocabularies; posts >= posts_with_er; "
            "medians present exactly when posts have an ER; recommendation scale|keep|stop, "
            "only with a baseline, on the right side of it; one ER formula per table."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=(
            *not_null(*KEY_COLUMNS, "iso_year", "iso_week", "posts", "posts_with_er"),
            unique_together(*KEY_COLUMNS),
            in_set("platform", PLATFORMS),
            in_set("pillar", PILLARS),
            in_set("format", FORMATS),
            in_set("recommendation", RECOMMENDATIONS),
            between("iso_week", 1, 53),
            *(between(c, min_value=0) for c in ("posts", "posts_with_er", "baseline_posts")),
            *(between(c, min_value=0) for c in ERS),
            *formula_expectations,
            *(v.expectation for v in violations),
        ),
    )


def _plausibility() -> Suite:
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


MART_PILLAR_PERFORMANCE = _contract()
MART_PILLAR_PERFORMANCE_PLAUSIBILITY = _plausibility()
SUITES = (MART_PILLAR_PERFORMANCE, MART_PILLAR_PERFORMANCE_PLAUSIBILITY)
