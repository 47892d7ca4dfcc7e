"""Which schemas ingestion.spark_raw hands to Spark (milliseconds, `make test`): the datasets
of the catalogued sources and the enrichment schema, never dlt's ``raw_*_staging`` datasets of
a production warehouse (nor any other schema that merely starts with ``raw_``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.spark_raw import raw_schemas


def test_only_the_sources_datasets_and_enrichment(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        for schema in ("raw_meta", "raw_meta_staging", "raw_trustpilot", "raw_scratch",
                       "enrichment", "marts"):  # fmt: skip
            con.execute(f"create schema {schema}")
        assert raw_schemas(con) == ["enrichment", "raw_meta", "raw_trustpilot"]
