"""Invariants every table that carries engagement rates shares (docs: product.md metrics).

A rate is ``interactions / denominator x 100``, NULL (never 0) without a usable denominator;
the headline ER is the rate named by ``er_formula``, and one table never mixes formulas or
versions, so that numbers stay comparable and a change of formula is visible.

Upper bound, ``ER_MAX_PERCENT = 1000``: a reached account can like, comment (several times),
share and save, so ER by reach (and by impressions, whose denominator is at least the reach)
may exceed 100 on a small post with a lively thread; ten interactions per reached account on
average is no longer engagement but a unit or join error (reach in thousands, snapshots summed).
ER by followers has no upper bound: a post that travels beyond the audience (a viral reel on a
50-follower account) legitimately scores thousands of percent. A headline ER is bounded when
its formula is by reach or by impressions.
"""

from __future__ import annotations

from data_quality.spec import Expect, Suite, Violation, between, in_set, not_null, with_violations
from data_quality.suites.engagement.vocabulary import ER_FORMULAS

ER_MAX_PERCENT = 1000

RATES = {"er_by_reach": "reach", "er_by_followers": "followers", "er_by_impressions": "impressions"}
"""Each rate and its denominator."""

BOUNDED_FORMULAS = ("by_reach", "by_impressions")

# Relative tolerance when a rate is recomputed: DuckDB and dbt may round the last bit apart.
_TOLERANCE = 1e-9


def rate_sql(numerator: str, denominator: str) -> str:
    """The SQL of the dbt macro ``engagement_rate``: percent, NULL without a denominator."""
    return (
        f"case when {denominator} is null or {denominator} = 0 or {numerator} is null "
        f"then null else cast({numerator} as double) * 100.0 / {denominator} end"
    )


def differs(actual: str, expected: str) -> str:
    """NULL-safe "``actual`` is not ``expected``", up to rounding: one NULL and not the other,
    or both set and apart by more than the tolerance."""
    return (
        f"(({actual}) is null) <> (({expected}) is null) "
        f"or abs(({actual}) - ({expected})) > {_TOLERANCE} * greatest(1, abs({expected}))"
    )


def headline_sql(by_reach: str, by_followers: str, by_impressions: str) -> str:
    """The rate ``er_formula`` names, among the three given expressions."""
    return (
        f"case er_formula when 'by_reach' then {by_reach} "
        f"when 'by_followers' then {by_followers} "
        f"when 'by_impressions' then {by_impressions} end"
    )


def formula_contract(relation: str) -> tuple[list[Expect], list[Violation]]:
    """``er_formula`` and its version: present, from the allowed set, one pair per table.

    The pair the table mostly carries is taken as its formula, so the rows flagged are the
    odd ones out and their values show which formula slipped in.
    """
    pair = "er_formula || '/' || er_formula_version"
    expectations = [
        *not_null("er_formula", "er_formula_version"),
        in_set("er_formula", ER_FORMULAS),
    ]
    mixed = Violation(
        "er_formula_mixed_in_table",
        f"{pair} <> (select mode({pair}) from {relation})",
        pair,
    )
    return expectations, [mixed]


def rates_contract(key: str) -> tuple[list[Expect], list[Violation]]:
    """Rates never negative; each NULL where its denominator is missing or 0 (never 0 in
    disguise); the headline ER is the rate ``er_formula`` names. ``key`` shows the row."""
    expectations = [between(c, min_value=0) for c in (*RATES, "er_headline")]
    violations = [
        Violation(
            f"{rate}_without_{denominator}",
            f"{rate} is not null and coalesce({denominator}, 0) = 0",
            key,
        )
        for rate, denominator in RATES.items()
    ]
    violations.append(
        Violation(
            "er_headline_not_er_formula",
            differs("er_headline", headline_sql(*RATES)),
            key,
        )
    )
    return expectations, violations


def rates_plausible(
    rate_columns: tuple[str, ...] = ("er_by_reach", "er_by_impressions"),
    headline_columns: tuple[str, ...] = ("er_headline",),
) -> tuple[list[Expect], list[Violation]]:
    """``ER_MAX_PERCENT`` on rates by reach or impressions, and on headline-formula columns
    when the formula is one of those two (the derived column shows the offending value)."""
    expectations = [between(c, 0, ER_MAX_PERCENT) for c in rate_columns]
    formulas = ", ".join(f"'{f}'" for f in BOUNDED_FORMULAS)
    violations = [
        Violation(
            f"{column}_above_bound",
            f"er_formula in ({formulas}) and {column} > {ER_MAX_PERCENT}",
            column,
        )
        for column in headline_columns
    ]
    return expectations, violations


def plausibility_suite(
    name: str,
    relation: str,
    key_columns: tuple[str, ...],
    description: str,
    date_expectations: tuple[Expect, ...],
    rate_columns: tuple[str, ...] = ("er_by_reach", "er_by_impressions"),
    headline_columns: tuple[str, ...] = ("er_headline",),
) -> Suite:
    """The warning suite every engagement mart has: its dates not after today and its rates
    within ``ER_MAX_PERCENT`` (see ``rates_plausible``)."""
    bound_expectations, bound_violations = rates_plausible(rate_columns, headline_columns)
    return Suite(
        name=name,
        relation=relation,
        select=with_violations(bound_violations),
        description=description,
        severity="warn",
        key_columns=key_columns,
        expectations=(
            *date_expectations,
            *bound_expectations,
            *(v.expectation for v in bound_violations),
        ),
    )
