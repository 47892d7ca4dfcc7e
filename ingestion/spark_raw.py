"""Raw tables onto Apache Spark (issue 18): the raw schemas of a DuckDB warehouse written
as Parquet and registered as Spark tables under the same schema and table names, so the dbt
sources (``schema: raw_<source>``) resolve on the ``spark`` target of dbt_project/profiles.yml
exactly as on DuckDB.

It lives in ``ingestion`` because it is the raw layer's job: the dlt sources load the raw
tables, this hands them to another engine. It serves the Spark tests (tests/spark) and a team
moving an existing warehouse to Spark once; a lakehouse fed daily would point dlt's filesystem
destination at object storage instead (docs/scaling.md).

    python -m ingestion.spark_raw data/warehouse.duckdb data/spark
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pyspark is an optional dependency (the `spark` extra)
    from pyspark.sql import SparkSession

# dlt's bookkeeping (_dlt_loads, _dlt_version, _dlt_pipeline_state) is not a dbt source.
DLT_TABLE_PREFIX = "_dlt_"
# The enrichment asset's sentiment table is a dbt source too (staging/enrichment).
EXTRA_SCHEMAS = ("enrichment",)


@dataclass(frozen=True)
class RawTable:
    """One raw table exported to Parquet: its schema and name, and its directory."""

    schema: str
    name: str
    location: Path


def source_schemas() -> list[str]:
    """Schemas the dbt sources read: each catalogued source's dataset and the enrichment
    schema. Named, not matched on ``raw_%``, which would also take the ``raw_*_staging``
    datasets dlt keeps for its merges in a production warehouse."""
    from ingestion.catalogue import SOURCES

    return sorted({*(s.dataset for s in SOURCES), *EXTRA_SCHEMAS})


def raw_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The schemas of ``source_schemas`` that the warehouse holds."""
    wanted = source_schemas()
    rows = con.execute(
        "select distinct schema_name from information_schema.schemata "
        f"where schema_name in ({', '.join('?' for _ in wanted)}) order by 1",
        wanted,
    ).fetchall()
    return [name for (name,) in rows]


def export_raw(warehouse: Path, out_dir: Path) -> list[RawTable]:
    """Every data table of the raw schemas of ``warehouse`` as ``out_dir/<schema>/<table>/``
    (one Parquet file each). DuckDB writes TIMESTAMPTZ as UTC-adjusted Parquet timestamps,
    which Spark reads back as the same instants."""
    exported = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema in raw_schemas(con):
            tables = con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [schema],
            ).fetchall()
            for (table,) in tables:
                if table.startswith(DLT_TABLE_PREFIX):
                    continue
                location = out_dir / schema / table
                shutil.rmtree(location, ignore_errors=True)
                location.mkdir(parents=True)
                target = str(location / "part-0.parquet").replace("'", "''")
                con.execute(f'copy "{schema}"."{table}" to \'{target}\' (format parquet)')
                exported.append(RawTable(schema, table, location))
    return exported


def register(spark: SparkSession, tables: list[RawTable]) -> None:
    """Each exported table as an external Parquet table ``<schema>.<table>`` of Spark's
    catalog (replacing one of the same name): dbt's sources read them there."""
    for schema in sorted({t.schema for t in tables}):
        spark.sql(f"create database if not exists `{schema}`")
    for t in tables:
        spark.sql(f"drop table if exists `{t.schema}`.`{t.name}`")
        location = t.location.resolve().as_posix()
        if "'" in location:  # the spark target reads literals raw: no way to escape it
            raise ValueError(f"a quote in the path of a raw table: {location}")
        spark.sql(f"create table `{t.schema}`.`{t.name}` using parquet location '{location}'")


def register_brands(spark: SparkSession) -> int:
    """The brand registry as the table ``rules.brands``: on DuckDB the Python model
    models/registry/brands.py writes it, but dbt-spark runs Python models on Databricks
    clusters only, so on Spark it is written here, from the same validated registry
    (pulse_config.registry, PULSE_BRANDS), and the build excludes path:models/registry."""
    from pulse_config.registry import load_registry

    brands = load_registry().brands
    rows = [(b.brand_id, b.name, b.timezone) for b in brands]
    frame = spark.createDataFrame(rows, "brand_id string, brand_name string, timezone string")
    spark.sql("create database if not exists rules")
    frame.write.mode("overwrite").format("parquet").saveAsTable("rules.brands")
    return len(rows)


def session_config(spark_dir: Path, master: str = "local[1]") -> dict[str, str]:
    """The settings of the ``spark`` target of dbt_project/profiles.yml, for a session started
    here before dbt (dbt-spark's session method then reuses it). Static settings (master,
    warehouse directory, metastore) only take effect on the session that starts the JVM."""
    spark_dir = spark_dir.resolve()
    return {
        "spark.master": master,
        "spark.app.name": "community_pulse",
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true"
        ),
        # Derby writes derby.log into the working directory unless told otherwise.
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
        "spark.sql.parser.escapedStringLiterals": "true",
        "spark.sql.sources.default": "parquet",
        # dbt_project/profiles.yml says why.
        "spark.sql.adaptive.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.ui.enabled": "false",
    }


def start_session(spark_dir: Path, master: str = "local[1]", catalog: str = "hive") -> SparkSession:
    """A local Spark. ``catalog``: "hive" (what dbt-spark's session method starts: a Derby
    metastore under ``spark_dir`` that outlives the process) or "in-memory" (the tests: one
    process registers the raw tables and runs dbt in it, and there is no metastore to create,
    which costs half a minute)."""
    from pyspark.sql import SparkSession

    spark_dir.mkdir(parents=True, exist_ok=True)
    if catalog == "in-memory":  # a new, empty catalog: tables left by an earlier one go
        shutil.rmtree(spark_dir / "warehouse", ignore_errors=True)
    builder: Any = SparkSession.builder.config("spark.sql.catalogImplementation", catalog)
    for key, value in session_config(spark_dir, master).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def stop_session(spark: SparkSession) -> None:
    """Stop Spark and its JVM (pyspark keeps the gateway JVM alive until the process exits)."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            proc.stdin.close()
            proc.wait(timeout=30)
        SparkContext._gateway = None
        SparkContext._jvm = None


def register_in_catalog(spark_dir: Path, register_tables: Callable[[SparkSession], None]) -> None:
    """One Spark session on ``spark_dir``'s catalog: ``register_tables`` (the raw tables, from
    a warehouse or a lake) and the brand registry, then Spark and its JVM stopped."""
    spark = start_session(spark_dir)
    try:
        register_tables(spark)
        register_brands(spark)
    finally:
        stop_session(spark)


def main(argv: list[str]) -> int:
    """Export WAREHOUSE's raw tables under SPARK_DIR/raw and register them in its catalog."""
    if len(argv) != 2:
        sys.stderr.write("usage: python -m ingestion.spark_raw WAREHOUSE.duckdb SPARK_DIR\n")
        return 2
    warehouse, spark_dir = Path(argv[0]), Path(argv[1])
    tables = export_raw(warehouse, spark_dir / "raw")
    register_in_catalog(spark_dir, lambda spark: register(spark, tables))
    print(f"{len(tables)} raw tables registered in the Spark catalog under {spark_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
