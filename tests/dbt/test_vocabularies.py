"""Each closed vocabulary is written once, in seeds/vocabularies.csv, and both dbt's
``in_vocabulary`` tests and the Great Expectations suites read it: take a value out of a copy
of the seed and both reject the rows they accepted before."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

import data_quality.vocabularies as vocabularies
from data_quality.runner import validate_table
from data_quality.suites.engagement import post_performance
from tests.dbt.conftest import dbt_command, project_copy

RETIRED = ("er_formula", "by_followers")  # the headline formula of the fixture's marts
TEST = "in_vocabulary_fct_post_performance_er_formula__er_formula"
INVARIANT = "ExpectColumnValuesToBeNull(er_headline_not_er_formula)"


def _without(seed: Path, vocabulary: str, value: str) -> None:
    with seed.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if tuple(r[:2]) != (vocabulary, value)]
    with seed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _gx_outcome(warehouse: Path) -> bool:
    suite = post_performance.contract()
    result = validate_table(suite, lambda: duckdb.connect(str(warehouse), read_only=True))
    (outcome,) = [o for o in result.outcomes if o.label == INVARIANT]
    return outcome.success


def _dbt_status(project: Path, warehouse: Path, work: Path) -> str:
    """The test's status after the seed is loaded again, in one invocation (``build`` runs
    the seed before the test that reads it; the mart is not selected, so not rebuilt)."""
    run = dbt_command(["build", "--select", "vocabularies", TEST], warehouse, work, project)
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in run.results}
    assert statuses.get("vocabularies") == "success", run.output[-3000:]
    return statuses[TEST]


def test_dbt_and_gx_read_the_same_vocabulary(
    built_warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = shutil.copy(built_warehouse[0], tmp_path / "warehouse.duckdb")
    project = project_copy(tmp_path / "dbt_project")
    seed = project / "seeds" / "vocabularies.csv"
    monkeypatch.setattr(vocabularies, "VOCABULARIES_CSV", seed)

    # The seed as shipped: both accept the marts' by_followers rows.
    assert _dbt_status(project, warehouse, tmp_path / "before") == "pass"
    assert _gx_outcome(warehouse)

    _without(seed, *RETIRED)
    assert _dbt_status(project, warehouse, tmp_path / "after") == "fail"
    assert not _gx_outcome(warehouse)
