"""Matomo Reporting/Live API emulation over the shared visits world (``sandbox.vendors.web``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.matomo.api import MatomoApi
from sandbox.vendors.plugin import Plugin
from sandbox.vendors.web import tool_generate, tool_sites


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Every visit and conversion a complete load holds as of today, per site.

    Per site: sorted ``visit_ids`` and ``conversion_ids`` (``{idVisit}-{goalId}-{unix ts}``,
    goalId 0 for an ecommerce order), order ``revenue``, ``consented`` visits (with a
    visitorId), ``multi_touch_conversions`` (conversions of a consenting visitor with an
    earlier visit in the 30 days before), and ``rows`` per ``"YYYY-MM-DD|source|medium|campaign"``
    (the GA4-style labels of the same visits) with visit ids, conversion ids and revenue.
    """
    sites: dict[str, Any] = {}
    for site, brand in tool_sites(cur, "matomo_site_id"):
        visits = cur.execute(
            "SELECT visit_id, strftime(visit_date, '%Y-%m-%d'), source, medium, campaign, consent "
            "FROM web_visits WHERE brand_id = ? AND visit_date <= ? ORDER BY visit_id",
            [brand, today],
        ).fetchall()
        convs = cur.execute(
            "SELECT c.conversion_id, c.visit_id, c.revenue FROM web_conversions c "
            "JOIN web_visits v USING (visit_id) WHERE v.brand_id = ? AND v.visit_date <= ? "
            "ORDER BY c.conversion_id",
            [brand, today],
        ).fetchall()
        multi = cur.execute(
            "SELECT count(*) FROM web_conversions c JOIN web_visits v USING (visit_id) "
            "WHERE v.brand_id = ? AND v.visit_date <= ? AND v.consent AND EXISTS ("
            "SELECT 1 FROM web_visits p WHERE p.brand_id = v.brand_id "
            "AND p.visitor_slot = v.visitor_slot AND p.started_at < v.started_at "
            "AND p.started_at >= c.converted_at - INTERVAL 30 DAY)",
            [brand, today],
        ).fetchone()[0]
        rows: dict[str, Any] = {}
        key_of: dict[int, str] = {}
        for vid, day, source, medium, campaign, _consent in visits:
            key = f"{day}|{source}|{medium}|{campaign}"
            key_of[vid] = key
            rows.setdefault(key, {"visit_ids": [], "conversion_ids": [], "revenue": 0.0})
            rows[key]["visit_ids"].append(vid)
        for cid, vid, revenue in convs:
            row = rows[key_of[vid]]
            row["conversion_ids"].append(cid)
            row["revenue"] = round(row["revenue"] + float(revenue), 2)
        sites[site] = {
            "brand_id": brand,
            "visit_ids": [v[0] for v in visits],
            "conversion_ids": [c[0] for c in convs],
            "revenue": round(sum(float(c[2]) for c in convs), 2),
            "consented": sum(1 for v in visits if v[5]),
            "multi_touch_conversions": int(multi),
            "rows": rows,
        }
    return {
        "sites": sites,
        "totals": {
            "sites": len(sites),
            "visits": sum(len(s["visit_ids"]) for s in sites.values()),
            "conversions": sum(len(s["conversion_ids"]) for s in sites.values()),
        },
    }


VENDOR = Plugin(
    name="matomo",
    order=92,
    generate=tool_generate("matomo_site_id", "sites", "visits"),  # reads the web_* tables
    manifest=manifest,
    api=MatomoApi,
)
