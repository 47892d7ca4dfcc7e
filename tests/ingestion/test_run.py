"""The generic runner ``python -m ingestion.run <source>``: lookup by name, defaults, CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest

from ingestion import catalogue, run
from ingestion.catalogue import SOURCES, Source


@dlt.source(name="tiny")
def tiny_source(base_url: str = "https://example.invalid") -> Any:
    """A source with one row that records the base_url it was given."""
    return dlt.resource([{"id": 1, "base_url": base_url}], name="rows")


TINY = Source("tiny", tiny_source, "0 0 * * *", "test source")


def test_every_registered_source_is_found_by_name() -> None:
    for source in SOURCES:
        assert catalogue.source_named(source.name) is source


def test_an_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown source 'nope'.*meta"):
        catalogue.source_named("nope")
    with pytest.raises(SystemExit):
        run.main(["nope", "--db", "unused.duckdb"])


def test_runs_into_the_default_dataset_with_the_source_kwargs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "SOURCES", (TINY,))
    db = tmp_path / "sub" / "w.duckdb"
    run.run_source(
        "tiny", db, pipelines_dir=tmp_path / "pipelines", base_url="http://127.0.0.1:1/tiny"
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("select id, base_url from raw_tiny.rows").fetchall()
    finally:
        con.close()
    assert rows == [(1, "http://127.0.0.1:1/tiny")]
