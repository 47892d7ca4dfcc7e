"""Suites on ``marts.fct_post_performance``: one row per post, its latest metrics, its values
at D+1, D+7 and D+28, and its engagement rates.

Two suites, because they call for different answers:

- the **contract** is blocking (ERROR): a rate that is not its formula, a D+N value on a post
  too young for it or a table mixing ER formulas is wrong in every dashboard that reads it, so
  the check stops the publication of the marts and BI tools keep the last good copy;
- the **plausibility** suite warns (WARN, non-blocking): an ER above the sane bound or a date
  after the clock is more often an API oddity or clock skew on one post than a broken build,
  and is worth a look without holding back every other mart.

dbt owns the structure (_engagement__models.yml): the key, not-null columns, non-negative
counts and rates, and the vocabularies of platform, format, pillar and er_formula.
"""

from __future__ import annotations

from dataclasses import replace

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.engagement.rates import (
    denominators,
    differs,
    formula_contract,
    headline_sql,
    plausibility_suite,
    rate_sql,
    rates,
    rates_contract,
)

RELATION = "marts.fct_post_performance"
KEY = "post_id"
MILESTONES = (1, 7, 28)
"""Post ages (days) at which each post is compared with the others."""
MILESTONE_METRICS = ("reach", "impressions", "interactions")
"""The metrics the mart gives at each milestone (``reach_d7``); followers are the publication
day's at every age."""


def _interactions_sum() -> str:
    """Interactions per the dbt macro: the parts the platform gives, NULL when none is."""
    parts = ("likes", "comments", "shares", "saves")
    all_null = " and ".join(f"{p} is null" for p in parts)
    total = " + ".join(f"coalesce({p}, 0)" for p in parts)
    return f"case when {all_null} then null else {total} end"


def _at_milestone(metric: str, days: int) -> str:
    """The column of ``metric`` at D+``days`` (the metric itself when it has none)."""
    return f"{metric}_d{days}" if metric in MILESTONE_METRICS else metric


def _milestone_violations() -> list[Violation]:
    """A D+N value needs a post at least N days old, and is the headline formula on D+N parts
    (ER by followers keeps the followers of the publication day)."""
    violations = []
    for d in MILESTONES:
        values = (f"reach_d{d}", f"impressions_d{d}", f"interactions_d{d}", f"er_headline_d{d}")
        any_value = " or ".join(f"{v} is not null" for v in values)
        violations.append(
            Violation(
                f"milestone_d{d}_before_post_age",
                f"coalesce(post_age_days, -1) < {d} and ({any_value})",
                "post_id || ' aged ' || coalesce(cast(post_age_days as varchar), 'NULL')",
            )
        )
        expected = headline_sql(
            {
                f: rate_sql(f"interactions_d{d}", _at_milestone(den, d))
                for f, den in denominators().items()
            }
        )
        violations.append(
            Violation(
                f"er_headline_d{d}_not_er_formula", differs(f"er_headline_d{d}", expected), KEY
            )
        )
    return violations


def contract() -> Suite:
    """The blocking suite, built from the vocabularies the seed holds now."""
    violations = [
        formula_contract(RELATION),
        *rates_contract(KEY),
        *(
            Violation(f"{rate}_off_formula", differs(rate, rate_sql("interactions", den)), KEY)
            for rate, den in rates().items()
        ),
        *(
            Violation(
                f"has_{m}_not_{m}_present", f"has_{m} is distinct from ({m} is not null)", KEY
            )
            for m in ("reach", "impressions", "followers")
        ),
        Violation(
            "interactions_not_sum_of_parts", differs("interactions", _interactions_sum()), KEY
        ),
        Violation(
            "latest_snapshot_before_publication", "latest_snapshot_date < published_date", KEY
        ),
        # published_date may be a brand's local date: at most a day from the UTC timestamp.
        Violation(
            "published_date_not_published_at",
            "abs(date_diff('day', cast(published_at as date), published_date)) > 1",
            KEY,
        ),
        *_milestone_violations(),
        Violation(
            "video_completion_rate_off_formula",
            differs("video_completion_rate", rate_sql("video_completions", "video_views")),
            KEY,
        ),
    ]
    return Suite(
        name="marts_fct_post_performance",
        relation=RELATION,
        select=with_violations(violations),
        description=(
            "Contract, blocking: each rate its formula and NULL without a denominator; "
            "interactions the sum of their parts; headline ER = the rate er_formula names, at "
            "every age, one formula per table; has_* flags match; D+N values only on posts "
            "that old; snapshot after publication; video_completion_rate = completions / "
            "views. (dbt: key, not-null, vocabularies, >= 0.)"
        ),
        blocking=True,
        key_columns=(KEY,),
        expectations=tuple(v.expectation for v in violations),
    )


def plausibility() -> Suite:
    """The warning suite: bounds and dates, and the average share of a video watched within
    0-1 (above 1 is most often a percentage taken for a share; replays counted in a watch time
    could also push it there)."""
    suite = plausibility_suite(
        name="marts_fct_post_performance_plausibility",
        relation=RELATION,
        key_columns=(KEY,),
        description=(
            "Plausibility, warning: ER by reach or impressions (and the headline ER when it is "
            "one of them) at most 1000 %; nothing published or snapshotted after today."
        ),
        date_expectations=(
            not_in_future("published_at"),
            not_in_future("published_date", grace_days=1),
            not_in_future("latest_snapshot_date", grace_days=1),
        ),
        headline_columns=("er_headline", *(f"er_headline_d{d}" for d in MILESTONES)),
    )
    share = between("avg_view_share", 0, 1)
    return replace(
        suite,
        expectations=(*suite.expectations, share),
        description=suite.description + " avg_view_share within 0-1.",
    )


FCT_POST_PERFORMANCE = contract()
FCT_POST_PERFORMANCE_PLAUSIBILITY = plausibility()
SUITES = (FCT_POST_PERFORMANCE, FCT_POST_PERFORMANCE_PLAUSIBILITY)
