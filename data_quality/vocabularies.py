"""The closed vocabularies (platforms, formats, pillars, ER formulas...), read from the dbt seed
``dbt_project/seeds/vocabularies.csv``: the file dbt's ``in_vocabulary`` tests read, so a suite
and a dbt test never hold two lists of the same values.

dbt owns the membership tests (a column's values are in its vocabulary). The suites read the
seed where a rule is written per value: the headline ER is recomputed for each formula of
``er_formula``, a review is an item of a ``review_site``, and a rule that names one value
("scale" never below the baseline) names it through ``term``, so a value retired from the seed
fails the suite's construction instead of leaving a rule that can no longer match.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pulse_config.paths import DBT_PROJECT_DIR

VOCABULARIES_CSV = DBT_PROJECT_DIR / "seeds" / "vocabularies.csv"


def _read(path: Path) -> dict[str, tuple[str, ...]]:
    """Every vocabulary of the seed file, values in file order (read at each call: suites are
    built once, and a test may point VOCABULARIES_CSV at an edited copy)."""
    vocabularies: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            vocabularies.setdefault(row["vocabulary"], []).append(row["value"])
    return {name: tuple(values) for name, values in vocabularies.items()}


def vocabulary(name: str) -> tuple[str, ...]:
    """The values of one vocabulary; KeyError naming the seed if it has none of that name."""
    vocabularies = _read(VOCABULARIES_CSV)
    if name not in vocabularies:
        raise KeyError(f"no vocabulary {name!r} in {VOCABULARIES_CSV}")
    return vocabularies[name]


def term(name: str, value: str) -> str:
    """``value``, checked to be in the vocabulary ``name``: a rule that names one value."""
    if value not in vocabulary(name):
        raise ValueError(f"{value!r} is not in the {name} vocabulary of {VOCABULARIES_CSV}")
    return value


def sql_list(values: tuple[str, ...]) -> str:
    """``('a', 'b')``: values as a SQL list literal."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
