"""GA4 Data API emulation over the shared visits world (``sandbox.vendors.web``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.ga4.api import Ga4Api
from sandbox.vendors.ga4.report import local_today, visible
from sandbox.vendors.plugin import Plugin
from sandbox.vendors.web import tool_generate, tool_sites
from sandbox.world.store import now_of


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """What runReport returns today, per property and date x source/medium/campaign.

    Rows: ``"YYYYMMDD|source|medium|campaign"`` -> sessions, engagedSessions, keyEvents,
    totalRevenue (restated days included as they stand today), plus per-property totals.
    Days are the property's: at the clock's now (23:59:59 UTC) a Paris property is already
    an hour into the next day, whose first sessions are counted.
    """
    props: dict[str, Any] = {}
    now = now_of(today)
    for prop, brand in tool_sites(cur, "ga4_property_id"):
        tz = cur.execute("SELECT timezone FROM web_sites WHERE brand_id = ?", [brand]).fetchone()
        result = cur.execute(
            "SELECT strftime(visit_date, '%Y%m%d'), source, medium, campaign, count(*), "
            "sum(engaged::INTEGER), sum(key_events), sum(revenue) FROM web_visits "
            f"WHERE brand_id = ? AND {visible()} GROUP BY ALL ORDER BY ALL",
            [brand, now, local_today(now, tz[0])],
        ).fetchall()
        rows = {
            "|".join(r[:4]): {
                "sessions": int(r[4]),
                "engagedSessions": int(r[5]),
                "keyEvents": int(r[6]),
                "totalRevenue": float(r[7]),
            }
            for r in result
        }
        totals = {
            k: (round(sum(v[k] for v in rows.values()), 2)) for k in next(iter(rows.values()), {})
        }
        props[prop] = {"brand_id": brand, "time_zone": tz[0], "rows": rows, "totals": totals}
    return {
        "properties": props,
        "totals": {
            "properties": len(props),
            "rows": sum(len(p["rows"]) for p in props.values()),
            "sessions": sum(p["totals"].get("sessions", 0) for p in props.values()),
        },
    }


VENDOR = Plugin(
    name="ga4",
    order=91,
    generate=tool_generate("ga4_property_id", "properties", "sessions"),  # reads the web_* tables
    manifest=manifest,
    api=Ga4Api,
)
