"""Suites on ``marts.mart_reputation_daily``: one row per brand x local day on a date spine.

dbt owns the structure (_reputation__daily.yml): the key, not-null columns, vocabularies,
ratings 1-5 and reviews = the sum of the star counts. These suites recompute what the mart
derives, from its own columns: the averages of the rating distribution (daily and rolling),
the shares, the baseline of the previous days, the threshold and the crisis rule, with the vars
dbt built it with (dbt_project.yml). Windows run in DuckDB over the whole table
before the runner chunks it, so a rolling value is checked against its true neighbours. The
spine must have no gap: the windows count rows as days.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.conversion.formulas import dbt_var, differs

RELATION = "marts.mart_reputation_daily"
KEY_COLUMNS = ("brand_id", "date_day")
ROW = "brand_id || ' ' || cast(date_day as varchar)"
STARS = "reviews_1_star + reviews_2_star + reviews_3_star + reviews_4_star + reviews_5_star"
STAR_POINTS = (
    "reviews_1_star + 2 * reviews_2_star + 3 * reviews_3_star + 4 * reviews_4_star "
    "+ 5 * reviews_5_star"
)


def _window(preceding: int, following: str) -> str:
    return (
        f"over (partition by brand_id order by date_day "
        f"rows between {preceding} preceding and {following})"
    )


def _violations() -> tuple[Violation, ...]:
    """The invariants, with the vars of dbt_project.yml (read when the suite is built)."""
    return _rating_violations() + _crisis_violations()


def _rating_violations() -> tuple[Violation, ...]:
    """The day spine, the ratings and the sentiment ratios."""
    rating = _window(int(dbt_var("reputation_rating_window_days")) - 1, "current row")
    return (
        Violation(
            "spine_gap",
            "date_diff('day', lag(date_day) over (partition by brand_id order by date_day), "
            "date_day) <> 1",
            ROW,
        ),
        Violation(
            "avg_rating_not_stars",
            differs("avg_rating", f"({STAR_POINTS}) / nullif(reviews, 0)"),
            f"{ROW} || ': ' || coalesce(cast(avg_rating as varchar), 'NULL')",
        ),
        Violation("reviews_30d_not_rolling", differs("reviews_30d", f"sum(reviews) {rating}"), ROW),
        Violation(
            "avg_rating_30d_not_rolling",
            differs(
                "avg_rating_30d", f"sum({STAR_POINTS}) {rating} / nullif(sum(reviews) {rating}, 0)"
            ),  # noqa: E501
            f"{ROW} || ': ' || coalesce(cast(avg_rating_30d as varchar), 'NULL')",
        ),
        Violation(
            "negative_share_not_ratio",
            differs("negative_share", "negative_volume / nullif(volume, 0)"),
            ROW,
        ),
        Violation(
            "net_sentiment_not_ratio",
            differs(
                "net_sentiment",
                "(positive_comment_mentions - negative_comment_mentions) "
                "/ nullif(scored_comment_mentions, 0)",
            ),
            ROW,
        ),
    )


def _crisis_violations() -> tuple[Violation, ...]:
    """The baseline of the previous days, its thresholds and the crisis rule."""
    baseline = _window(int(dbt_var("reputation_baseline_days")), "1 preceding")
    z = float(dbt_var("reputation_crisis_z"))
    min_volume = int(dbt_var("reputation_crisis_min_volume"))
    min_days = int(dbt_var("reputation_baseline_min_days"))
    rule = (
        f"coalesce(baseline_days >= {min_days} and negative_volume >= {min_volume} and "
        "(negative_volume > negative_volume_threshold "
        "or coalesce(negative_share > negative_share_threshold, false)), false)"
    )
    return (
        Violation(
            "baseline_not_previous_days",
            f"baseline_days <> count(*) {baseline} "
            f"or {differs('negative_volume_baseline', f'avg(negative_volume) {baseline}')} "
            f"or {differs('negative_volume_stddev', f'stddev_pop(negative_volume) {baseline}')}",
            f"{ROW} || ': ' || coalesce(cast(negative_volume_baseline as varchar), 'NULL')",
        ),
        Violation(
            "threshold_not_baseline_plus_z",
            differs(
                "negative_volume_threshold",
                f"negative_volume_baseline + {z} * negative_volume_stddev",
            )
            + " or "
            + differs(
                "negative_share_threshold", f"negative_share_baseline + {z} * negative_share_stddev"
            ),
            ROW,
        ),
        Violation(
            "crisis_signal_not_rule",
            f"crisis_signal is distinct from {rule}",
            f"{ROW} || ': ' || cast(negative_volume as varchar) || ' negative'",
        ),
    )


VIOLATIONS = _violations()


def _contract() -> Suite:
    return Suite(
        name="marts_mart_reputation_daily",
        relation=RELATION,
        select=with_violations(VIOLATIONS),
        description=(
            "Contract, blocking: no gap in a brand's days; ratings recomputed from the star "
            "counts (daily and over the rolling window); negative share and net sentiment "
            "their ratios; the baseline the previous days' mean and stddev, the threshold "
            "baseline + z x stddev and the crisis signal exactly the rule of the dbt vars."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in VIOLATIONS),
    )


def _plausibility() -> Suite:
    return Suite(
        name="marts_mart_reputation_daily_plausibility",
        relation=RELATION,
        description=(
            "Plausibility, warning: no day after today; at most 10,000 inbound items a day "
            "for one brand (more is a duplicated load)."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            not_in_future("date_day", grace_days=1),
            between("volume", max_value=10_000),
        ),
    )


MART_REPUTATION_DAILY = _contract()
MART_REPUTATION_DAILY_PLAUSIBILITY = _plausibility()
SUITES = (MART_REPUTATION_DAILY, MART_REPUTATION_DAILY_PLAUSIBILITY)
