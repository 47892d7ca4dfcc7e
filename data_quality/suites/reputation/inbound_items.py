"""Suites on ``marts.fct_inbound_items``: one row per inbound comment, mention or review, with
its first brand response and SLA.

dbt owns the structure (_reputation__inbound.yml): the unique key, not-null columns,
vocabularies, sentiment in [-1, 1], no response before the item and unanswered exactly without
a response. These suites hold how the key is built (platform:id), reviews exactly on the review
sites of the vocabulary, the response timeline (response_minutes the elapsed time, within SLA
only when answered and targeted) and plausibility. The **contract** blocks the publication
of the marts (a wrong response time would make every SLA figure wrong); the **plausibility**
suite warns.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.vocabularies import sql_list, term, vocabulary

RELATION = "marts.fct_inbound_items"
KEY = "item_key"
KEY_COLUMNS = (KEY,)
ELAPSED_MINUTES = "date_diff('second', received_at, first_response_at) / 60.0"


def _violations() -> tuple[Violation, ...]:
    """The invariants, with the review sites and channel of the vocabularies seed."""
    review = term("inbound_channel", "review")
    return (
        Violation("item_key_not_platform_id", f"not starts_with({KEY}, platform || ':')", KEY),
        Violation(
            "post_key_not_platform_post",
            "post_key is not null and not starts_with(post_key, platform || ':')",
            f"{KEY} || ' on ' || post_key",
        ),
        Violation(
            "review_channel_not_review_site",
            f"(channel = '{review}') is distinct from "
            f"(platform in {sql_list(vocabulary('review_site'))})",
            f"{KEY} || ': ' || channel",
        ),
        # Wall-clock minutes, to the minute (dbt may count whole minutes).
        Violation(
            "response_minutes_not_elapsed",
            f"(response_minutes is null) <> (first_response_at is null) "
            f"or abs(response_minutes - ({ELAPSED_MINUTES})) > 1",
            f"{KEY} || ': ' || cast(response_minutes as varchar)",
        ),
        Violation("within_sla_without_response", "within_sla and first_response_at is null", KEY),
        Violation(
            "within_sla_without_target",
            "within_sla is not null and sla_target_minutes is null",
            KEY,
        ),
        # The local day is within a day of the UTC instant (time zones are at most 14 h away).
        Violation(
            "received_date_not_received_at",
            "abs(date_diff('day', cast(received_at as date), received_date_local)) > 1",
            f"{KEY} || ' on ' || cast(received_date_local as varchar)",
        ),
    )


def _contract() -> Suite:
    violations = _violations()
    return Suite(
        name="marts_fct_inbound_items",
        relation=RELATION,
        select=with_violations(violations),
        description=(
            "Contract, blocking: item_key platform:id; post_key on the item's platform; "
            "reviews exactly on the review sites; response_minutes the elapsed minutes; within "
            "SLA only when answered and targeted; local day within a day of the UTC time. "
            "(dbt: key, not-null, vocabularies, sentiment range, response after the item.)"
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in violations),
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
