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

The formulas are the ``er_formula`` vocabulary of the dbt seed (data_quality/vocabularies.py):
``by_<denominator>``, whose rate column is ``er_by_<denominator>``. dbt tests that er_formula
holds one of them; these suites recompute the headline ER for each.
"""

from __future__ import annotations

from collections.abc import Mapping

from data_quality.spec import Expect, Suite, Violation, between, with_violations
from data_quality.vocabularies import sql_list, term, vocabulary

ER_MAX_PERCENT = 1000


def denominators() -> dict[str, str]:
    """Each formula of the vocabulary and its denominator column (``by_reach`` -> ``reach``)."""
    return {f: f.removeprefix("by_") for f in vocabulary("er_formula")}


def rates() -> dict[str, str]:
    """Each rate column and its denominator (``er_by_reach`` -> ``reach``)."""
    return {f"er_{f}": denominator for f, denominator in denominators().items()}


def bounded_formulas() -> tuple[str, ...]:
    """The formulas whose rate ``ER_MAX_PERCENT`` bounds: by reach and by impressions."""
    return (term("er_formula", "by_reach"), term("er_formula", "by_impressions"))


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


def headline_sql(by_formula: Mapping[str, str]) -> str:
    """The rate ``er_formula`` names, among the expressions given per formula (NULL for a
    formula outside the vocabulary)."""
    cases = " ".join(f"when '{f}' then {expression}" for f, expression in by_formula.items())
    return f"case er_formula {cases} end"


def formula_contract(relation: str) -> Violation:
    """One ``er_formula`` and version per table (dbt tests that both are present and that the
    formula is in its vocabulary).

    The pair the table mostly carries is taken as its formula, so the rows flagged are the
    odd ones out and their values show which formula slipped in.
    """
    pair = "er_formula || '/' || er_formula_version"
    return Violation(
        "er_formula_mixed_in_table", f"{pair} <> (select mode({pair}) from {relation})", pair
    )


def rates_contract(key: str) -> list[Violation]:
    """Each rate NULL where its denominator is missing or 0 (never 0 in disguise); the headline
    ER is the rate ``er_formula`` names. ``key`` shows the row. (dbt tests them non-negative.)"""
    violations = [
        Violation(
            f"{rate}_without_{denominator}",
            f"{rate} is not null and coalesce({denominator}, 0) = 0",
            key,
        )
        for rate, denominator in rates().items()
    ]
    headline = headline_sql({f: f"er_{f}" for f in denominators()})
    violations.append(
        Violation("er_headline_not_er_formula", differs("er_headline", headline), key)
    )
    return violations


def rates_plausible(
    rate_columns: tuple[str, ...] | None = None,
    headline_columns: tuple[str, ...] = ("er_headline",),
) -> tuple[list[Expect], list[Violation]]:
    """``ER_MAX_PERCENT`` on the rates of the bounded formulas (``rate_columns``, by default
    every one), and on headline-formula columns when the formula is one of them (the derived
    column shows the offending value)."""
    if rate_columns is None:
        rate_columns = tuple(f"er_{f}" for f in bounded_formulas())
    expectations = [between(c, 0, ER_MAX_PERCENT) for c in rate_columns]
    violations = [
        Violation(
            f"{column}_above_bound",
            f"er_formula in {sql_list(bounded_formulas())} and {column} > {ER_MAX_PERCENT}",
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
    rate_columns: tuple[str, ...] | None = None,
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
