"""Smoke slice of the project on Spark, fast enough for `make test`: the staging views of every
source of the fixture and one mart of each family (engagement: dim_accounts, reputation:
fct_reviews, conversion: fct_web_traffic_daily), models and seeds, built on a local Spark from
the same raw rows as DuckDB, and equal to the same marts of the tests/dbt fixture warehouse
built on DuckDB (shared with tests/dbt). It runs in `make test` (no `spark` marker), so
portability cannot rot between runs of the full Spark suite (test_spark_equality.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt.conftest import OTHER_SOURCES, SOCIAL_SOURCES
from tests.spark import harness

# Models and the seeds they read; the data tests and unit tests run in the full Spark suite.
RESOURCES = ["--resource-type", "model", "--resource-type", "seed"]
MARTS = ("dim_accounts", "fct_reviews", "fct_web_traffic_daily")
SELECTION = [
    *(f"+path:models/staging/{name}" for name in (*SOCIAL_SOURCES, *OTHER_SOURCES)),
    *(f"+{mart}" for mart in MARTS),
]


@pytest.fixture(scope="module")
def smoke_build(spark_world, tmp_path_factory) -> tuple[object, Path]:
    """The slice built on Spark; returns (spark, the DuckDB warehouse built by tests/dbt)."""
    spark, spark_dir, warehouse = spark_world
    work = tmp_path_factory.mktemp("spark_smoke")
    run = harness.dbt_spark(
        [*harness.BUILD, *RESOURCES, "--select", *SELECTION, *harness.EXCLUDE_REGISTRY],
        spark_dir,
        work / "spark",
    )
    assert run.success, harness.failed(run) or run.exception
    return spark, warehouse


def test_staging_of_every_source_builds_on_spark(smoke_build):
    spark, _ = smoke_build
    views = set(harness.tables_of(spark, "staging"))
    prefixes = {f"stg_{name}__" for name in (*SOCIAL_SOURCES, *OTHER_SOURCES)}
    assert {p for p in prefixes if not any(v.startswith(p) for v in views)} == set()


@pytest.mark.parametrize("mart", MARTS)
def test_smoke_mart_equals_duckdb(smoke_build, mart):
    spark, warehouse = smoke_build
    on_spark = harness.spark_rows(spark, f"marts.{mart}")
    on_duckdb = harness.duckdb_rows(warehouse, f"marts.{mart}")
    assert harness.differences(on_spark, on_duckdb) == []
