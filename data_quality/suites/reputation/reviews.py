"""Suites on ``marts.fct_reviews``: one row per review x site x location, rating 1-5.

dbt owns the structure (_reputation__inbound.yml): the unique key, not-null columns,
vocabularies, rating 1-5, text sentiment in [-1, 1] and no response before the review. These
suites hold how the key is built (platform:id, and the same item in fct_inbound_items), the
rating sentiment derived from the stars, the response timeline (response_hours the elapsed
time, responded exactly with a response) and plausibility.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.vocabularies import term

RELATION = "marts.fct_reviews"
INBOUND = "marts.fct_inbound_items"
KEY = "review_key"
KEY_COLUMNS = (KEY,)
ELAPSED_HOURS = "date_diff('second', created_at, first_response_at) / 3600.0"
RATING_LABEL = (
    f"case when rating <= 2 then '{term('sentiment_label', 'negative')}' "
    f"when rating = 3 then '{term('sentiment_label', 'neutral')}' "
    f"else '{term('sentiment_label', 'positive')}' end"
)

VIOLATIONS = (
    Violation("review_key_not_platform_id", f"not starts_with({KEY}, platform || ':')", KEY),
    Violation(
        "review_not_inbound_item",
        f"{KEY} not in (select item_key from {INBOUND} "
        f"where channel = '{term('inbound_channel', 'review')}')",
        KEY,
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
            "Contract, blocking: review_key platform:id and an inbound review of "
            "fct_inbound_items; the rating's sentiment ((rating - 3) / 2, label by stars); "
            "response_hours the elapsed hours; responded exactly with a response. (dbt: key, "
            "not-null, vocabularies, rating 1-5, response after the review.)"
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in VIOLATIONS),
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
