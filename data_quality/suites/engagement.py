"""Suites on the engagement marts: the public contract BI tools read."""

from __future__ import annotations

from data_quality.spec import Suite, between, is_null, not_in_future, not_null, unique

# Derived columns make "the rate is NULL where its denominator is missing" checkable row by row:
# each is non-NULL exactly where a rate exists without a usable denominator.
_RATE_WITHOUT_DENOMINATOR = """
    *,
    case when coalesce(reach, 0) = 0 then er_by_reach end as er_by_reach_without_reach,
    case when coalesce(followers, 0) = 0 then er_by_followers end
        as er_by_followers_without_followers,
    case when coalesce(impressions, 0) = 0 then er_by_impressions end
        as er_by_impressions_without_impressions
"""

FCT_POST_PERFORMANCE = Suite(
    name="marts_fct_post_performance",
    relation="marts.fct_post_performance",
    select=_RATE_WITHOUT_DENOMINATOR,
    description=(
        "One row per post; engagement rates in percent, non-negative, NULL without a "
        "denominator; no post published in the future."
    ),
    key_columns=("post_id",),
    expectations=(
        *not_null("post_id", "platform", "account_id", "published_at", "er_formula"),
        unique("post_id"),
        not_in_future("published_at"),
        *(between(c, min_value=0) for c in ("interactions", "reach", "impressions", "followers")),
        between("er_by_reach", min_value=0, max_value=100),
        between("er_by_impressions", min_value=0, max_value=100),
        between("er_by_followers", min_value=0),
        between("er_headline", min_value=0),
        is_null("er_by_reach_without_reach"),
        is_null("er_by_followers_without_followers"),
        is_null("er_by_impressions_without_impressions"),
    ),
)

SUITES = (FCT_POST_PERFORMANCE,)
