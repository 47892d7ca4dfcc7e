"""The whole project on Spark (issue 18): seeds, staging, intermediate and marts built with
`dbt build` on a local Spark from the raw rows of the tests/dbt fixture warehouse, with every
data test and unit test passing, and every mart equal to the same mart built by dbt on DuckDB,
row for row (floats within harness.FLOAT_REL_TOL / FLOAT_ABS_TOL). Long: `make test-spark`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spark import harness

pytestmark = [pytest.mark.spark, pytest.mark.long]


@pytest.fixture(scope="module")
def full_build(spark_world, tmp_path_factory) -> tuple[object, dict, Path]:
    """(spark, {"build": result, "unit": result}, duckdb warehouse) after the Spark build (the
    DuckDB build is tests/dbt's, made once for the session by spark_world's fixture)."""
    spark, spark_dir, warehouse = spark_world
    work = tmp_path_factory.mktemp("spark_full")
    select = ["--select", *harness.FULL_SELECTION, *harness.EXCLUDE_REGISTRY]
    build = harness.dbt_spark([*harness.BUILD, *select, harness.UNIT_TESTS], spark_dir, work / "b")
    units = [f"{part},{harness.UNIT_TESTS}" for part in harness.FULL_SELECTION]
    unit = harness.dbt_spark(["test", "--select", *units], spark_dir, work / "unit")
    return spark, {"build": build, "unit": unit}, warehouse


def test_every_model_and_data_test_passes_on_spark(full_build):
    _, runs, _ = full_build
    assert runs["build"].exception is None, runs["build"].exception  # e.g. a timeout
    assert harness.failed(runs["build"]) == []
    kinds = {str(r.node.resource_type) for r in runs["build"].result.results}
    assert {"model", "test", "seed"} <= kinds


def test_every_unit_test_passes_on_spark(full_build):
    _, runs, _ = full_build
    assert runs["unit"].exception is None, runs["unit"].exception  # e.g. a timeout
    assert harness.failed(runs["unit"]) == []
    assert len(runs["unit"].result.results) >= 20


def test_every_mart_equals_duckdb(full_build):
    spark, _, warehouse = full_build
    marts = harness.tables_of(spark, "marts")
    assert len(marts) >= 20, marts  # the fixture's sources feed every family's marts
    unequal = {}
    for mart in marts:
        diff = harness.differences(
            harness.spark_rows(spark, f"marts.{mart}"),
            harness.duckdb_rows(warehouse, f"marts.{mart}"),
        )
        if diff:
            unequal[mart] = diff
    assert unequal == {}
