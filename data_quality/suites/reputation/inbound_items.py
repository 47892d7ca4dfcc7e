"""Suites on ``marts.fct_inbound_items``: one row per inbound comment, mention or review, with
its first brand response and SLA.

dbt owns the vocabularies and not-null (_reputation__inbound.yml); these suites hold the key
(unique, and built as platform:id), the response timeline (no response before the item,
response_minutes the elapsed time, unanswered exactly when there is no response, within SLA
only when answered) and plausibility. The **contract** blocks the publication of the marts (a
response before its item would make every SLA figure wrong); the **plausibility** suite warns.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, unique, with_violations

RELATION = "marts.fct_inbound_items"
KEY = "item_key"
KEY_COLUMNS = (KEY,)
REVIEW_SITES = "('google_business', 'trustpilot')"
ELAPSED_MINUTES = "date_diff('second', received_at, first_response_at) / 60.0"

VIOLATIONS = (
    Violation("item_key_not_platform_id", f"not starts_with({KEY}, platform || ':')", KEY),
    Violation(
        "post_key_not_platform_post",
        "post_key is not null and not starts_with(post_key, platform || ':')",
        f"{KEY} || ' on ' || post_key",
    ),
    Violation(
        "review_channel_not_review_site",
        f"(channel = 'review') is distinct from (platform in {REVIEW_SITES})",
        f"{KEY} || ': ' || channel",
    ),
    # Not before arrival: the first response is strictly after the item (dbt says the same
    # on the model; here it is named, counted and shown with the item's key).
    Violation(
        "response_not_after_arrival",
        "first_response_at <= received_at",
        f"{KEY} || ': ' || cast(received_at as varchar) || ' -> ' "
        "|| cast(first_response_at as varchar)",
    ),
    # Wall-clock minutes, to the minute (dbt may count whole minutes).
    Violation(
        "response_minutes_not_elapsed",
        f"(response_minutes is null) <> (first_response_at is null) "
        f"or abs(response_minutes - ({ELAPSED_MINUTES})) > 1",
        f"{KEY} || ': ' || cast(response_minutes as varchar)",
    ),
    Violation(
        "unanswered_not_without_response",
        "is_unanswered is distinct from (first_response_at is null)",
        KEY,
    ),
    Violation("within_sla_without_response", "within_sla and first_response_at is null", KEY),
    Violation(
        "within_sla_without_target", "within_sla is not null and sla_target_minutes is null", KEY
    ),
    # The local day is within a day of the UTC instant (time zones are at most 14 h away).
    Violation(
        "received_date_not_received_at",
        "abs(date_diff('day', cast(received_at as date), received_date_local)) > 1",
        f"{KEY} || ' on ' || cast(received_date_local as varchar)",
    ),
)


def _contract() -> Suite:
    return Suite(
        name="marts_fct_inbound_items",
        relation=RELATION,
        select=with_violations(VIOLATIONS),
        description=(
            "Contract, blocking: item_key unique and platform:id; post_key on the item's "
            "platform; reviews exactly on review sites; the first response strictly after the "
            "item, response_minutes its elapsed minutes; unanswered exactly without a response; "
            "within SLA only when answered and targeted; sentiment in [-1, 1]."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=(
            unique(KEY),
            between("sentiment_score", -1, 1),
            *(v.expectation for v in VIOLATIONS),
        ),
    )


def _plausibility() -> Suite:
    return Suite(
        name="marts_fct_inbound_items_plausibility",
        relation=RELATION,
        description=(
            "Plausibility, warning: nothing received after now or dated after today; a first "
            "response within 60 days (longer is a reply to an old thread, not a response)."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            not_in_future("received_at"),
            not_in_future("received_date_local", grace_days=1),
            between("response_minutes", max_value=60 * 24 * 60),
        ),
    )


FCT_INBOUND_ITEMS = _contract()
FCT_INBOUND_ITEMS_PLAUSIBILITY = _plausibility()
SUITES = (FCT_INBOUND_ITEMS, FCT_INBOUND_ITEMS_PLAUSIBILITY)
