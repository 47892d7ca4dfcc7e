"""Which built columns lack a description in the dbt manifest (shared by the dbt and e2e tests)."""

from __future__ import annotations

from typing import Any

import duckdb


def undocumented(manifest: dict[str, Any], con: duckdb.DuckDBPyConnection) -> list[str]:
    """``schema.model.column`` for every column of every built model without a description,
    and ``schema.model`` for a built model without one."""
    missing: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != "community_pulse":
            continue
        actual = con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [node["schema"], node["alias"] or node["name"]],
        ).fetchall()
        if not actual:
            continue  # not built in this warehouse
        name = f"{node['schema']}.{node['name']}"
        if not (node.get("description") or "").strip():
            missing.append(name)
        documented = {
            c.lower()
            for c, col in node["columns"].items()
            if (col.get("description") or "").strip()
        }
        missing += [f"{name}.{c}" for (c,) in actual if c.lower() not in documented]
    return missing
