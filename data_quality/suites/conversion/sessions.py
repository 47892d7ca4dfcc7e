"""Suites on ``marts.fct_sessions``: one row per Matomo visit, with its traffic source, GA4
channel group, consent, engagement and conversions.

dbt owns the structure (keys, not-null, vocabularies, relationships: _conversion__sessions.yml);
these suites hold what dbt's generic tests do not state: formulas between columns, the
session's conversions and revenue against fct_conversions, the privacy rule that a denied visit
is never stitched to a user, and plausibility. The **contract** blocks the publication of the
marts (a wrong session key, channel or revenue is wrong in every dashboard); the
**plausibility** suite only warns.
"""

from __future__ import annotations

from data_quality.spec import Suite, Violation, between, not_in_future, with_violations
from data_quality.suites.conversion.formulas import differs

RELATION = "marts.fct_sessions"
KEY = "session_key"
KEY_COLUMNS = (KEY,)
CONVERSIONS = "marts.fct_conversions"


# The session's rows in fct_conversions, counted and summed once (a correlated subquery per
# session grew DuckDB past 20 GB at 50 brands: BENCHMARKS.md, "The scale backfill in one run").
OF_CONVERSIONS = f"""left join (
        select session_key as conversions_session_key, count(*) as conversion_rows,
            sum(revenue) as conversion_revenue
        from {CONVERSIONS} group by 1
    ) as of_conversions on of_conversions.conversions_session_key = fct_sessions.session_key"""


VIOLATIONS = (
    Violation(
        "session_key_not_site_visit",
        "session_key is distinct from site_id || '-' || cast(visit_id as varchar)",
        KEY,
    ),
    Violation("ended_before_started", "ended_at < started_at", KEY),
    # session_date is the site-local day: at most a day from the UTC start.
    Violation(
        "session_date_not_started_at",
        "abs(date_diff('day', cast(started_at as date), session_date)) > 1",
        f"{KEY} || ' on ' || cast(session_date as varchar)",
    ),
    # GA4's definition, as docs/conversion_marts.md states it.
    Violation(
        "engaged_not_ga4_definition",
        "is_engaged is distinct from (coalesce(duration_s, 0) >= 10 "
        "or coalesce(pageviews, 0) >= 2 or coalesce(converted, false))",
        KEY,
    ),
    Violation("conversions_without_converted", "conversions > 0 and not converted", KEY),
    Violation(
        "conversions_not_fct_conversions",
        differs("conversions", "coalesce(conversion_rows, 0)"),
        f"{KEY} || ': ' || cast(conversions as varchar)",
    ),
    Violation(
        "revenue_not_sum_of_conversions",
        differs("revenue", "coalesce(conversion_revenue, 0)"),
        f"{KEY} || ': ' || cast(revenue as varchar)",
    ),
    Violation("revenue_without_currency", "revenue > 0 and currency is null", KEY),
    # GA4 rule 1 is the only way to Direct, and it always wins.
    Violation(
        "direct_channel_not_direct_source",
        "(channel_group = 'Direct') is distinct from "
        "(source = '(direct)' and medium in ('(none)', '(not set)'))",
        f"{KEY} || ': ' || coalesce(source, 'NULL') || ' / ' || coalesce(medium, 'NULL') "
        "|| ' -> ' || coalesce(channel_group, 'NULL')",
    ),
    Violation(
        "post_key_not_platform_post",
        "post_key is distinct from "
        "(case when post_id is not null then post_platform || ':' || post_id end)",
        KEY,
    ),
    # Privacy: a visit whose consent is denied keeps its own key, never a user's.
    Violation(
        "denied_visit_stitched",
        "consent = 'denied' and (is_stitched or visitor_key is distinct from "
        "coalesce(cookie_visitor_key, user_key, session_key))",
        KEY,
    ),
)


def _contract() -> Suite:
    return Suite(
        name="marts_fct_sessions",
        relation=RELATION,
        select=with_violations(VIOLATIONS, base="fct_sessions.*"),
        joins=OF_CONVERSIONS,
        description=(
            "Contract, blocking: session_key = site_id-visit_id; ends after it starts; "
            "session_date within a day of started_at; engaged as GA4 defines it; conversions "
            "and revenue those of the session's rows in fct_conversions; Direct exactly when "
            "source/medium are (direct)/(none); post_key = platform:post_id; a denied visit "
            "never stitched to a user."
        ),
        blocking=True,
        key_columns=KEY_COLUMNS,
        expectations=tuple(v.expectation for v in VIOLATIONS),
    )


def _plausibility() -> Suite:
    return Suite(
        name="marts_fct_sessions_plausibility",
        relation=RELATION,
        description=(
            "Plausibility, warning: no session started after now or dated after today; a "
            "visit lasts at most a day (Matomo closes it at the site's midnight)."
        ),
        severity="warn",
        key_columns=KEY_COLUMNS,
        expectations=(
            not_in_future("started_at"),
            not_in_future("session_date", grace_days=1),
            between("duration_s", max_value=86_400),
        ),
    )


FCT_SESSIONS = _contract()
FCT_SESSIONS_PLAUSIBILITY = _plausibility()
SUITES = (FCT_SESSIONS, FCT_SESSIONS_PLAUSIBILITY)
