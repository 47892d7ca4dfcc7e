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
from tests.dbt.conftest import make_warehouse  # noqa: E402
from tests.spark import harness  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """The marker `make test-spark` selects (also to be listed in pyproject.toml)."""
    config.addinivalue_line("markers", "spark: builds the dbt project on a local Apache Spark")


@pytest.fixture(scope="session")
def spark_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path, Path]]:
    """(spark, spark_dir, warehouse): the tests/dbt fixture warehouse (hand-made Meta rows,
    the other sources' raw tables empty) and a local Spark holding the same raw tables."""
    work = tmp_path_factory.mktemp("spark")
    warehouse = make_warehouse(work / "warehouse.duckdb")
    spark = harness.start(work / "spark", warehouse)
    yield spark, work / "spark", warehouse
    stop_session(spark)
