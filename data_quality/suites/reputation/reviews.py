"""Suites on ``marts.fct_reviews``: one row per review x site x location, rating 1-5.

dbt owns vocabularies and not-null (_reputation__inbound.yml); these suites hold the key
(unique, platform:id, and the same item in fct_inbound_items), the rating (1-5, and the rating
sentiment derived from it), the response timeline (not before the review, response_hours the
elapsed time, responded exactly with a response) and plausibility.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, unique, with_violations

RELATION = "marts.fct_reviews"
INBOUND = "marts.fct_inbound_items"
KEY = "review_key"
KEY_COLUMNS = (KEY,)
ELAPSED_HOURS = "date_diff('second', created_at, first_response_at) / 3600.0"
RATING_LABEL = (
    "case when rating <= 2 then 'negative' when rating = 3 then 'neutral' else 'positive' end"
)

VIOLATIONS = (
    Violation("review_key_not_platform_id", f"not starts_with({KEY}, platform || ':')", KEY),
    Violation(
        "review_not_inbound_item",
        f"{KEY} not in (select item_key from {INBOUND} where channel = 'review')",
        KEY,
    ),
    Violation(
        "response_not_after_creation",
        "first_response_at <= created_at",
        f"{KEY} || ': ' || cast(created_at as varchar) || ' -> ' "
        "|| cast(first_response_at as varchar)",
    ),
    Violation(
        "response_hours_not_elapsed",
        f"(response_hours is null) <> (first_response_at is null) "
        f"or abs(response_hours - ({ELAPSED_HOURS})) > 1.0 / 60",
        f"{KEY} || ': ' || cast(response_hours as varchar)",
    ),
    Violation(
        "responded_not_with_response",
        "responded is distinct from (first_response_at is not null)",
        KEY,
    ),  # noqa: E501
    Violation(
        "sentiment_not_rating",
        f"sentiment_label is distinct from ({RATING_LABEL}) "
        "or abs(sentiment_score - (rating - 3) / 2.0) > 1e-9",
        f"{KEY} || ': ' || cast(rating as varchar) || ' ' || coalesce(sentiment_label, 'NULL')",
    ),
)


def _contract() -> Suite:
    return Suite(
        name="marts_fct_reviews",
        relation=RELATION,
        select=with_violations(VIOLATIONS),
        description=(
            "Contract, blocking: review_key unique, platform:id and an inbound review of "
            "fct_inbound_items; rating 1-5 and its sentiment ((rating - 3) / 2, label by "
            "stars); the response strictly after the review, response_hours its elapsed "
            "hours; responded exactly with a response."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=(
            unique(KEY),
            between("rating", 1, 5),
            between("text_sentiment_score", -1, 1),
            *(v.expectation for v in VIOLATIONS),
        ),
    )


def _plausibility() -> Suite:
    return Suite(
        name="marts_fct_reviews_plausibility",
        relation=RELATION,
        description=(
            "Plausibility, warning: no review created after now or dated after today; an "
            "owner reply within a year."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            not_in_future("created_at"),
            not_in_future("created_date_local", grace_days=1),
            between("response_hours", max_value=24 * 365),
        ),
    )


FCT_REVIEWS = _contract()
FCT_REVIEWS_PLAUSIBILITY = _plausibility()
SUITES = (FCT_REVIEWS, FCT_REVIEWS_PLAUSIBILITY)
