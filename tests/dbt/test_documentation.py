"""Every model and every column the warehouse holds is documented: the marts are a public
contract, and an undocumented column is one nobody can rely on."""

from __future__ import annotations

import json

import duckdb

from tests.dbt.documentation import undocumented


def test_every_built_column_is_documented(built_warehouse) -> None:
    warehouse, run = built_warehouse
    assert run.returncode == 0, run.output[-2000:]
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()[0]
        assert built >= 5
        assert undocumented(manifest, con) == []
