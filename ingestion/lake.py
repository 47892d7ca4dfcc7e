"""The raw layer on a lake (issue 18, docs/scaling.md): one setting, ``PULSE_LAKE_URL``,
sends the dlt sources to dlt's ``filesystem`` destination as Delta tables instead of DuckDB,
and Spark reads those tables as the dbt sources.

- Unset (the default), every load goes to the DuckDB warehouse exactly as before.
- Set to a local path or a bucket URL (``s3://…``, ``gs://…``, ``az://…``; credentials as dlt
  reads them, ``DESTINATION__FILESYSTEM__CREDENTIALS__…``), each source's dataset lands under
  ``<url>/raw_<source>/<table>/`` as a Delta table (deltalake, no Spark or jars needed to write).
  The warehouse file given to the load still holds the environment marker, the erasure list
  and, beside it, dlt's pipeline state.

Merge semantics: every source declares ``write_disposition="merge"`` on its primary key with
no strategy, so dlt takes its default, ``delete-insert``, on DuckDB. dlt's filesystem
destination merges Delta tables with ``upsert``, ``insert-only`` or ``cdc`` only
(https://dlthub.com/docs/dlt-ecosystem/destinations/delta-iceberg, "merge"); ``upsert`` on
the same primary key is the same outcome (a loaded key replaces the stored row, new keys are
added) provided a load holds each key once, which the sources' own key deduplication and the
tests (tests/spark/test_lake.py) hold. ``lake_source`` pins it on every merge table.

    PULSE_LAKE_URL=data/lake python -m ingestion.run trustpilot --db data/warehouse.duckdb
    python -m ingestion.lake data/lake data/spark   # then dbt --target spark
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dlt

from pulse_config.duckdb_resources import duckdb_destination

if TYPE_CHECKING:  # pyspark is needed only to read the lake
    from deltalake import DeltaTable
    from pyspark.sql import SparkSession

LAKE_ENV = "PULSE_LAKE_URL"
TABLE_FORMAT = "delta"
# dlt's DuckDB default (delete-insert) is not offered for Delta tables: upsert is (see above).
LAKE_MERGE_STRATEGY = "upsert"


def lake_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The lake the raw tables go to, or None for the DuckDB warehouse (the default)."""
    env = os.environ if environ is None else environ
    return env.get(LAKE_ENV) or None


def raw_destination(warehouse: Path, environ: Mapping[str, str] | None = None) -> Any:
    """Where a source's dataset loads: the lake if ``PULSE_LAKE_URL`` is set, else DuckDB."""
    url = lake_url(environ)
    if url is None:
        return duckdb_destination(warehouse)
    return dlt.destinations.filesystem(bucket_url=url)


def lake_source(dlt_source: Any, environ: Mapping[str, str] | None = None) -> Any:
    """``dlt_source`` ready for its destination: unchanged for DuckDB; for the lake every
    table, the resources' own and their variants (quarantine, child tables: ``pipeline.run``'s
    ``table_format`` reaches only the former), as a Delta table merged with
    ``LAKE_MERGE_STRATEGY``."""
    if lake_url(environ) is None:
        return dlt_source
    for resource in dlt_source.resources.values():
        # dlt keeps a resource's table variants here; no public accessor lists them.
        variants: dict[str, Any] = getattr(resource, "_hints_variants", {})
        tables = [(None, resource.write_disposition)]
        tables += [(name, variant.get("write_disposition")) for name, variant in variants.items()]
        for table, disposition in tables:
            hints: dict[str, Any] = {"table_format": TABLE_FORMAT}
            if _is_merge(disposition):
                hints["write_disposition"] = {
                    "disposition": "merge",
                    "strategy": LAKE_MERGE_STRATEGY,
                }
            if table is not None:
                hints.update(table_name=table, create_table_variant=True)
            resource.apply_hints(**hints)
    return dlt_source


def _is_merge(disposition: Any) -> bool:
    """A write disposition hint (a name or dlt's ``{"disposition": …}``) that merges."""
    if isinstance(disposition, Mapping):
        return disposition.get("disposition") == "merge"
    return disposition == "merge"


@dataclass(frozen=True)
class LakeTable:
    """One Delta table of the lake: the dbt source it stands for and its current snapshot."""

    schema: str
    name: str
    delta: DeltaTable


def lake_tables(url: str, schemas: Iterable[str] | None = None) -> list[LakeTable]:
    """The Delta tables (a folder with a ``_delta_log``) of each dataset ``<url>/<schema>``,
    dlt's own (``_dlt_*``) aside. ``schemas``: default, the datasets the dbt sources read
    (ingestion.spark_raw.source_schemas)."""
    import fsspec
    from deltalake import DeltaTable

    from ingestion.spark_raw import DLT_TABLE_PREFIX, source_schemas

    fs, root = fsspec.core.url_to_fs(url)
    protocol = url.split("://")[0] + "://" if "://" in url else ""
    found = []
    for schema in sorted(schemas or source_schemas()):
        base = f"{root.rstrip('/')}/{schema}"
        if not fs.isdir(base):
            continue
        for folder in sorted(fs.ls(base, detail=False)):
            name = folder.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith(DLT_TABLE_PREFIX) or not fs.isdir(f"{folder}/_delta_log"):
                continue
            found.append(LakeTable(schema, name, DeltaTable(f"{protocol}{folder}")))
    return found


def register_lake(spark: SparkSession, tables: list[LakeTable]) -> None:
    """Each Delta table as the Spark table ``<schema>.<table>`` (replacing one of that name),
    where the dbt sources read it, without delta-spark.

    Why not ``USING delta``: its jars (delta-spark) are not on this Spark, and none can be
    fetched here; a cluster that has them (Databricks, most managed Spark) should declare the
    tables ``USING delta LOCATION '<url>/<schema>/<table>'`` instead. Why not ``USING parquet
    LOCATION`` the folder: a Delta folder keeps the files a merge replaced until a vacuum, so
    Spark would read every version of a merged row. The Delta log names the files of the
    current snapshot (``DeltaTable.file_uris``): exactly those are read, and written once
    into Spark's warehouse as a Parquet table, because Spark's catalog cannot hold a table
    over a list of files. Run it after each load (it reads the snapshot of that moment)."""
    import pyarrow as pa

    for schema in sorted({t.schema for t in tables}):
        spark.sql(f"create database if not exists `{schema}`")
    for table in tables:
        if "deletionVectors" in (table.delta.protocol().reader_features or []):
            # rows a deletion vector removes are still in their files: reading the files
            # would bring them back (delta-rs, which dlt writes with, does not write them)
            raise ValueError(
                f"{table.schema}.{table.name} uses deletion vectors: needs delta-spark"
            )
        files = table.delta.file_uris()
        if files:
            frame = spark.read.parquet(*files)
        else:  # a table with no row yet has no file: its schema from the log
            frame = spark.createDataFrame(pa.schema(table.delta.schema().to_arrow()).empty_table())
        spark.sql(f"drop table if exists `{table.schema}`.`{table.name}`")
        frame.write.format("parquet").saveAsTable(f"`{table.schema}`.`{table.name}`")


def main(argv: list[str]) -> int:
    """Register the lake's raw tables (and the brand registry) in SPARK_DIR's catalog."""
    from ingestion.spark_raw import register_in_catalog

    if len(argv) != 2:
        sys.stderr.write("usage: python -m ingestion.lake LAKE_URL SPARK_DIR\n")
        return 2
    tables = lake_tables(argv[0])
    register_in_catalog(Path(argv[1]), lambda spark: register_lake(spark, tables))
    print(f"{len(tables)} lake tables registered in the Spark catalog under {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
