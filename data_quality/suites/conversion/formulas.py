"""SQL helpers shared by the conversion suites: NULL-safe comparisons and the dbt vars the
marts were built with (read from dbt_project.yml, so a suite and its mart agree)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from pulse_config.paths import DBT_PROJECT_DIR

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
TOLERANCE = 1e-6
"""Relative tolerance of a recomputed value: sums of fractional credits carry rounding."""


def differs(actual: str, expected: str) -> str:
    """NULL-safe "``actual`` is not ``expected``" up to rounding: one NULL and not the other,
    or both set and further apart than ``TOLERANCE`` (relative, at least absolute)."""
    return (
        f"((({actual}) is null) <> (({expected}) is null) "
        f"or abs(({actual}) - ({expected})) > {TOLERANCE} * greatest(1, abs({expected})))"
    )


@cache
def dbt_var(name: str) -> Any:
    """A var of dbt_project.yml (the value dbt builds the marts with by default)."""
    project = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))
    return project["vars"][name]
