"""The Spark tests (issue 18) need pyspark, dbt-spark and a Java runtime; without them every
test here is skipped with the reason. One Spark per test process, stopped (JVM included) at
the end of the session; each build gets its own temporary Spark directory and catalog."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (the `spark` extra)")
pytest.importorskip("dbt.adapters.spark", reason="dbt-spark is not installed (the `spark` extra)")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH (Spark needs Java 17)", allow_module_level=True)

from ingestion.spark_raw import stop_session  # noqa: E402 (after the skips)
from tests.dbt import conftest as dbt_conftest  # noqa: E402
from tests.spark import harness  # noqa: E402

# The tests/dbt fixture warehouse, made visible here: under xdist every worker shares its one
# DuckDB build (a file lock), so the Spark smoke slice adds no DuckDB build to `make test`.
built_warehouse = dbt_conftest.built_warehouse


def pytest_configure(config: pytest.Config) -> None:
    """The marker `make test-spark` selects (also to be listed in pyproject.toml)."""
    config.addinivalue_line("markers", "spark: builds the dbt project on a local Apache Spark")


@pytest.fixture(scope="session")
def spark_world(
    built_warehouse: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Path, Path]]:
    """(spark, spark_dir, warehouse): the tests/dbt fixture warehouse after its DuckDB build
    (hand-made Meta rows, the other sources' raw tables empty; shared with tests/dbt, so the
    DuckDB side costs nothing more) and a local Spark holding the same raw tables."""
    warehouse, duckdb_build = built_warehouse
    assert duckdb_build.returncode == 0, duckdb_build.output[-3000:]
    spark_dir = tmp_path_factory.mktemp("spark") / "spark"
    spark = harness.start(spark_dir, warehouse)
    yield spark, spark_dir, warehouse
    stop_session(spark)
