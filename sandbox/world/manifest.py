"""The ground-truth manifest: what a complete load must contain, as of a given day.

Each vendor plug-in states its own part (``VENDOR.manifest``, computed from the world store
with the same code its API uses); the cross-vendor truths of the engagement and reputation
marts are added here.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import duckdb

from sandbox.vendors import discover
from sandbox.world.engagement_truth import engagement_manifest
from sandbox.world.reputation_truth import reputation_manifest
from sandbox.world.store import now_of, open_readonly


def build_manifest(
    store: str | os.PathLike[str] | duckdb.DuckDBPyConnection, today: date
) -> dict[str, Any]:
    """Each vendor's part under ``sources``, the engagement marts' truth under ``engagement`` and
    the reputation marts' truth under ``reputation`` (sandbox/world/reputation_truth.py).

    Meta's ``accounts`` and ``totals`` are also at the top level, where readers written before
    Meta became a plug-in look for them (the same objects, not a copy).
    """
    own = not isinstance(store, duckdb.DuckDBPyConnection)
    con = open_readonly(store) if own else store
    try:
        cur = con.cursor()
        sources = {v.name: v.manifest(cur, today) for v in discover()}
        return {
            "today": today.isoformat(),
            "now": now_of(today).isoformat() + "Z",
            "accounts": sources["meta"]["accounts"],
            "totals": sources["meta"]["totals"],
            "sources": sources,
            "engagement": engagement_manifest(cur, today),
            "reputation": reputation_manifest(cur, today),
        }
    finally:
        if own:
            con.close()
