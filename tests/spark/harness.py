"""The Spark side of the Spark tests: one local Spark per test process (local[1], an in-memory
catalog), the raw tables of a DuckDB fixture warehouse registered in it (ingestion.spark_raw),
`dbt` run in this process on the `spark` target (dbt-spark's session method reuses the
session started here), and the rows of a table from either engine in one comparable form."""

from __future__ import annotations

import datetime as dt
import math
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ingestion.spark_raw import export_raw, register, register_brands, start_session
from tests.dbt.conftest import OTHER_SOURCES, PROJECT_DIR, SOCIAL_SOURCES

# Floating-point columns agree within this (relative and absolute): the engines sum and divide
# in another order, so the last bits of a double may differ; nothing else may.
FLOAT_REL_TOL = 1e-9
FLOAT_ABS_TOL = 1e-9

# The selection of tests/dbt/conftest.dbt_build (seeds and everything the fixture's sources
# feed), without the brand registry's Python model: on Spark, ingestion.spark_raw writes
# rules.brands (dbt-spark runs Python models on Databricks clusters only).
FULL_SELECTION = [
    "resource_type:seed",
    *(f"source:{name}+" for name in (*SOCIAL_SOURCES, *OTHER_SOURCES)),
]
EXCLUDE_REGISTRY = ["--exclude", "path:models/registry"]
# Unit tests run after the models (`dbt test`): in one `dbt build`, a unit test that fails on
# Spark would skip its model and every mart below it, hiding whether those build and agree.
UNIT_TESTS = "test_type:unit"
# `dbt build` from scratch: incremental models and seeds rebuilt whole.
BUILD = ["build", "--full-refresh"]


def start(spark_dir: Path, warehouse: Path) -> Any:
    """Spark with the warehouse's raw tables and the brand registry in its catalog."""
    spark = start_session(spark_dir, master="local[1]", catalog="in-memory")
    register(spark, export_raw(warehouse, spark_dir / "raw"))
    register_brands(spark)
    return spark


def dbt_spark(
    args: list[str], spark_dir: Path, work_dir: Path, project_dir: Path = PROJECT_DIR
) -> Any:
    """`dbt <args>` on the spark target, in this process (the session is already started)."""
    from dbt.cli.main import dbtRunner

    os.environ["PULSE_SPARK_DIR"] = str(spark_dir)
    flags = ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    flags += ["--target", "spark", "--target-path", str(work_dir / "target")]
    flags += ["--log-path", str(work_dir / "logs"), "--no-partial-parse"]
    return dbtRunner().invoke([*args, *flags])


def failed(result: Any) -> list[str]:
    """'<node>: <message>' of each node of a dbt result that errored or failed."""
    rows = getattr(result.result, "results", None) or []
    return [
        f"{r.node.unique_id}: {(r.message or '')[:300]}"
        for r in rows
        if str(r.status) in ("error", "fail", "runtime error")
    ]


def tables_of(spark: Any, schema: str) -> list[str]:
    """Tables of a Spark schema (dbt's leftovers __dbt_new/__dbt_keep aside)."""
    rows = spark.sql(f"show tables in `{schema}`").collect()
    return sorted(r.tableName for r in rows if not r.isTemporary and "__dbt_" not in r.tableName)


def spark_rows(spark: Any, relation: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a Spark table, through Arrow (timestamps stay UTC instants)."""
    table = spark.table(relation).toArrow()
    return table.column_names, [tuple(r.values()) for r in table.to_pylist()]


def duckdb_rows(warehouse: Path, relation: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a DuckDB table."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        table = con.execute(f"select * from {relation}").to_arrow_table()
    return table.column_names, [tuple(r.values()) for r in table.to_pylist()]


def normal(value: Any) -> Any:
    """One form for a value from either engine: aware timestamps as naive UTC, decimals and
    integers as numbers (Spark and DuckDB infer other decimal scales), lists as tuples."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return tuple(normal(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normal(v)) for k, v in value.items()))
    return value


def sort_key(row: tuple) -> tuple:
    """Orders rows the same on both sides: floats rounded well above the tolerance."""
    key = []
    for v in row:
        if isinstance(v, float) and math.isfinite(v):
            v = float(f"{v:.6g}")
        key.append((v is None, type(v).__name__ if not isinstance(v, int | float) else "n", v))
    return tuple((a, b, "" if c is None else c) for a, b, c in key)


def same_value(a: Any, b: Any) -> bool:
    """Equal, numbers within the stated tolerance (NaN equals NaN)."""
    numbers = isinstance(a, int | float) and isinstance(b, int | float)
    if numbers and not isinstance(a, bool) and (isinstance(a, float) or isinstance(b, float)):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    return a == b


def differences(
    left: tuple[list[str], list[tuple]], right: tuple[list[str], list[tuple]], limit: int = 5
) -> list[str]:
    """What differs between two tables (columns, row count, first rows that differ)."""
    (lcols, lrows), (rcols, rrows) = left, right
    if lcols != rcols:
        return [f"columns differ: {lcols} != {rcols}"]
    if len(lrows) != len(rrows):
        return [f"{len(lrows)} rows != {len(rrows)} rows"]
    lsorted = sorted((tuple(normal(v) for v in r) for r in lrows), key=sort_key)
    rsorted = sorted((tuple(normal(v) for v in r) for r in rrows), key=sort_key)
    out = []
    for a, b in zip(lsorted, rsorted, strict=True):
        cells = [c for c, x, y in zip(lcols, a, b, strict=True) if not same_value(x, y)]
        if cells:
            out.append(f"row differs in {cells}: {a} != {b}")
            if len(out) >= limit:
                break
    return out
