"""Trustpilot vendor plug-in: business units and reviews of the registry's ``trustpilot`` ids.

World tables ``trustpilot_business_units`` / ``trustpilot_reviews`` (``world.py``), the public
Business Units API under ``/trustpilot`` (``api.py``), and the ground truth a complete load must
hold as of a day (``manifest``). Contract: docs/sources/trustpilot.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.plugin import Plugin
from sandbox.world.store import now_of

from . import world
from .api import TrustpilotApi, iso


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per business unit: review ids (newest first), what the API shows of each review today
    (stars, updatedAt, reply time, likes) and the unit's score/counts; plus totals."""
    now = now_of(today)
    units: dict[str, Any] = {}
    totals = {"business_units": 0, "reviews": 0, "replied": 0, "edited": 0}
    for bu_id, brand_id in cur.execute(
        "SELECT business_unit_id, brand_id FROM trustpilot_business_units ORDER BY 1"
    ).fetchall():
        result = cur.execute(
            "SELECT review_id, stars, updated_at, reply_at, number_of_likes "
            f"FROM ({world.visible_sql()})",
            {"bu": bu_id, "now": now},
        ).fetchall()
        reviews = {
            rid: {
                "stars": stars,
                "updated_at": iso(updated),
                "replied_at": iso(replied),
                "number_of_likes": likes,
            }
            for rid, stars, updated, replied, likes in result
        }
        units[bu_id] = {
            "brand_id": brand_id,
            "review_ids": [r[0] for r in result],
            "reviews": reviews,
            **world.unit_summary(cur, bu_id, now),
        }
        totals["business_units"] += 1
        totals["reviews"] += len(result)
        totals["replied"] += sum(1 for r in result if r[3] is not None)
        totals["edited"] += sum(1 for r in result if r[2] is not None)
    return {"business_units": units, "totals": totals}


VENDOR = Plugin(
    name="trustpilot",
    order=20,  # reviews: after the social platforms
    generate=world.generate,
    manifest=manifest,
    api=TrustpilotApi,
    ddl=world.DDL,
    table_keys=world.TABLE_KEYS,
)
