"""Every model and every column the warehouse holds is documented: the marts are a public
contract, and an undocumented column is one nobody can rely on."""

from __future__ import annotations

import json

import duckdb


def test_every_built_column_is_documented(built_warehouse) -> None:
    warehouse, run = built_warehouse
    assert run.returncode == 0, run.output[-2000:]
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text())
    models = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["package_name"] == "community_pulse"
    ]
    built = {r["unique_id"] for r in run.results if r["status"] == "success"}
    assert models
    missing: list[str] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for node in models:
            if node["unique_id"] not in built:
                continue
            if not node.get("description", "").strip():
                missing.append(f"{node['name']}: no model description")
            documented = {
                name.lower()
                for name, col in node["columns"].items()
                if (col.get("description") or "").strip()
            }
            actual = con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"] or node["name"]],
            ).fetchall()
            assert actual, f"{node['schema']}.{node['name']} was not built"
            missing += [
                f"{node['schema']}.{node['name']}.{c}"
                for (c,) in actual
                if c.lower() not in documented
            ]
    assert missing == []
