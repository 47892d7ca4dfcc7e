"""The lake setting (ingestion/lake.py), without loading anything (milliseconds, `make test`):
unset, a load goes to DuckDB untouched; set, every table of a source, the variants a resource
writes beside its own (quarantine, child tables) included, is a Delta table merged by upsert
(dlt has no delete-insert for Delta: a table left without it would fall back to append)."""

from __future__ import annotations

from pathlib import Path

from ingestion.catalogue import source_named
from ingestion.lake import LAKE_ENV, lake_source, raw_destination

LAKE = {LAKE_ENV: "/tmp/lake"}


def trustpilot() -> object:
    """Trustpilot's source: reviews, snapshots, business units and two variant tables."""
    return source_named("trustpilot").factory(api_key="k", base_url="http://127.0.0.1:9")


def table_hints(source: object) -> dict[str, tuple]:
    """table -> (table_format, write disposition, merge strategy) as dlt will load it."""
    out = {}
    for resource in source.resources.values():
        variants = list(getattr(resource, "_hints_variants", {}))
        for meta in (None, *variants):
            schema = resource.compute_table_schema(meta=_meta(meta))
            out[schema["name"]] = (
                schema.get("table_format"),
                schema.get("write_disposition"),
                schema.get("x-merge-strategy"),
            )
    return out


def _meta(table: str | None) -> object:
    from dlt.extract.items import TableNameMeta

    return None if table is None else TableNameMeta(table)


def test_unset_the_load_goes_to_duckdb_unchanged(tmp_path: Path) -> None:
    assert raw_destination(tmp_path / "w.duckdb", {}).destination_type.endswith(".duckdb")
    hints = table_hints(lake_source(trustpilot(), {}))
    assert {h[0] for h in hints.values()} == {None}  # no table format
    assert {h[2] for h in hints.values()} == {None}  # dlt's default strategy (delete-insert)


def test_set_every_table_is_a_delta_table_merged_by_upsert(tmp_path: Path) -> None:
    destination = raw_destination(tmp_path / "w.duckdb", LAKE)
    assert destination.destination_type.endswith(".filesystem")
    assert destination.config_params["bucket_url"] == "/tmp/lake"
    hints = table_hints(lake_source(trustpilot(), LAKE))
    assert {"reviews", "business_units", "quarantine", "reported_totals"} <= set(hints)
    assert set(hints.values()) == {("delta", "merge", "upsert")}
