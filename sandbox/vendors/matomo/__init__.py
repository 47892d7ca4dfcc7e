"""Matomo Reporting/Live API emulation over the shared visits world (``sandbox.vendors.web``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.matomo.api import MatomoApi


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Every visit and conversion a complete load holds as of today, per site.

    Per site: sorted ``visit_ids`` and ``conversion_ids`` (``{idVisit}-{goalId}-{unix ts}``,
    goalId 0 for an ecommerce order), order ``revenue``, ``consented`` visits (with a
    visitorId), ``multi_touch_conversions`` (conversions of a consenting visitor with an
    earlier visit in the 30 days before), and ``rows`` per ``"YYYY-MM-DD|source|medium|campaign"``
    (the GA4-style labels of the same visits) with visit ids, conversion ids and revenue.
    """
    sites: dict[str, Any] = {}
    for site, brand in cur.execute(
        "SELECT matomo_site_id, brand_id FROM web_sites WHERE matomo_site_id IS NOT NULL "
        "ORDER BY matomo_site_id"
    ).fetchall():
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


@dataclass(frozen=True)
class MatomoVendor:
    name: str = "matomo"
    order: int = 92
    ddl: str = ""  # serves the web_* tables of sandbox.vendors.web
    table_keys: dict[str, str] = field(default_factory=dict)

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        """Nothing to write: report the sites and the visits they will serve."""
        sites, visits = writer.con.execute(
            "SELECT count(DISTINCT s.matomo_site_id), count(v.visit_id) FROM web_sites s "
            "LEFT JOIN web_visits v USING (brand_id) WHERE s.matomo_site_id IS NOT NULL"
        ).fetchone()
        say(f"    {sites} sites, {visits} visits")
        return {"sites": int(sites), "visits": int(visits)}

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
        return manifest(cur, today)

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> MatomoApi:
        return MatomoApi(con, clock)


VENDOR = MatomoVendor()
