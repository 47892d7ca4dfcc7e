"""The GX suites on the engagement marts, as Dagster runs them: each mart has a blocking
contract check and a warning plausibility check in the code location; on bad marts every
check reports passed=False with the broken expectation, and the blocking ones hold back the
publication of the marts; on good marts all pass and the marts are published.

The checks and the publish asset are the ones of ``orchestration.definitions``, run in
process against a temporary warehouse file holding the three marts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetCheckKey,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    materialize,
)

from orchestration.definitions import defs
from orchestration.defs.warehouse import Warehouse
from tests.data_quality.engagement_frames import TABLES, future, load

MARTS = ("fct_post_performance", "fct_account_daily", "mart_pillar_performance")
PUBLISHED = AssetKey(["published", "marts"])


def _contract(mart: str) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(["marts", mart]), f"gx_marts_{mart}")


def _plausibility(mart: str) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(["marts", mart]), f"gx_marts_{mart}_plausibility")


CHECK_KEYS = [k for mart in MARTS for k in (_contract(mart), _plausibility(mart))]


def _check_def(key: AssetCheckKey) -> AssetChecksDefinition:
    (found,) = [c for c in defs.asset_checks or [] if key in c.check_keys]
    return found


def _publish_def() -> AssetsDefinition:
    (found,) = [
        a for a in defs.assets or [] if isinstance(a, AssetsDefinition) and PUBLISHED in a.keys
    ]
    return found


@pytest.mark.parametrize("mart", MARTS)
def test_each_engagement_mart_has_a_blocking_and_a_warning_gx_check(mart: str) -> None:
    graph = defs.resolve_asset_graph()
    assert AssetKey(["marts", mart]) in graph.get_all_asset_keys()
    for key, blocking in ((_contract(mart), True), (_plausibility(mart), False)):
        assert key in graph.asset_check_keys
        assert _check_def(key).get_spec_for_check_key(key).blocking is blocking


def test_the_contract_checks_gate_the_publication() -> None:
    """In the daily job, publishing waits on the contract checks, not on the warnings."""
    job = defs.resolve_job_def("transform_and_publish")
    publish_node = _publish_def().node_def.name
    upstream = {
        h.node_name
        for h in job.graph.dependency_structure.all_upstream_outputs_from_node(publish_node)
    }
    for mart in MARTS:
        assert any(n.endswith(_contract(mart).name) for n in upstream), upstream
        assert not any(n.endswith(_plausibility(mart).name) for n in upstream), upstream


def _with(df: pd.DataFrame, row: int, **values: object) -> pd.DataFrame:
    df = df.astype(object)
    for column, value in values.items():
        df.at[df.index[row], column] = value
    return df


def _bad_marts() -> dict[str, pd.DataFrame]:
    """One contract breach and one implausible value per mart."""
    posts = TABLES["marts.fct_post_performance"][0]()
    posts = _with(posts, 2, er_headline=0.32)
    posts = _with(posts, 1, latest_snapshot_date=future(5))
    days = TABLES["marts.fct_account_daily"][0]()
    days = _with(days, 2, followers_source=None)
    days = _with(days, 3, date_day=future(3))
    weeks = TABLES["marts.mart_pillar_performance"][0]()
    weeks = _with(weeks, 1, recommendation="scale")
    next_monday = future(9) - timedelta(days=future(9).weekday())  # 3 to 9 days ahead
    weeks = _with(weeks, 4, week_start=next_monday)
    return {
        "marts.fct_post_performance": posts,
        "marts.fct_account_daily": days,
        "marts.mart_pillar_performance": weeks,
    }


EXPECTED_FAILURES = {
    _contract("fct_post_performance"): "ExpectColumnValuesToBeNull(er_headline_not_er_formula)",
    _plausibility("fct_post_performance"): "ExpectColumnValuesToBeBetween(latest_snapshot_date)",
    _contract("fct_account_daily"): "ExpectColumnValuesToBeNull(followers_without_source)",
    _plausibility("fct_account_daily"): "ExpectColumnValuesToBeBetween(date_day)",
    _contract("mart_pillar_performance"): (
        "ExpectColumnValuesToBeNull(recommendation_against_baseline)"
    ),
    _plausibility("mart_pillar_performance"): "ExpectColumnValuesToBeBetween(week_start)",
}


def _run(tmp_path: Path, tables: dict[str, pd.DataFrame]):
    warehouse = tmp_path / "warehouse.duckdb"
    for relation, df in tables.items():
        load(warehouse, relation, df)
    published = tmp_path / "published.duckdb"
    result = materialize(
        [*(_check_def(k) for k in CHECK_KEYS), _publish_def()],
        selection=AssetSelection.checks(*CHECK_KEYS) | AssetSelection.assets(PUBLISHED),
        resources={"warehouse": Warehouse(path=str(warehouse), published=str(published))},
        raise_on_error=False,
    )
    evaluations = {e.asset_check_key: e for e in result.get_asset_check_evaluations()}
    return result, evaluations, published


def test_bad_marts_fail_every_check_and_are_not_published(tmp_path: Path) -> None:
    result, evaluations, published = _run(tmp_path, _bad_marts())
    assert set(evaluations) == set(CHECK_KEYS)
    for key, expected in EXPECTED_FAILURES.items():
        evaluation = evaluations[key]
        assert evaluation.passed is False, key
        warns = key.name.endswith("_plausibility")
        severity = AssetCheckSeverity.WARN if warns else AssetCheckSeverity.ERROR
        assert evaluation.severity == severity, key
        failed = [f["expectation"] for f in evaluation.metadata["failed"].value]
        assert expected in failed, (key, failed)
    assert not result.success
    assert not result.asset_materializations_for_node(_publish_def().node_def.name)
    assert not published.exists()


def test_good_marts_pass_every_check_and_are_published(tmp_path: Path) -> None:
    good = {relation: build() for relation, (build, _types) in TABLES.items()}
    result, evaluations, published = _run(tmp_path, good)
    assert set(evaluations) == set(CHECK_KEYS)
    assert all(e.passed for e in evaluations.values()), evaluations
    assert result.success
    assert published.exists()
