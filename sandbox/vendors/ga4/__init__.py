"""GA4 Data API emulation over the shared visits world (``sandbox.vendors.web``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.ga4.api import Ga4Api


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """What runReport returns today, per property and date x source/medium/campaign.

    Rows: ``"YYYYMMDD|source|medium|campaign"`` -> sessions, engagedSessions, keyEvents,
    totalRevenue (restated days included as they stand today), plus per-property totals.
    """
    props: dict[str, Any] = {}
    for prop, brand in cur.execute(
        "SELECT ga4_property_id, brand_id FROM web_sites WHERE ga4_property_id IS NOT NULL "
        "ORDER BY ga4_property_id"
    ).fetchall():
        result = cur.execute(
            "SELECT strftime(visit_date, '%Y%m%d'), source, medium, campaign, count(*), "
            "sum(engaged::INTEGER), sum(key_events), sum(revenue) FROM web_visits "
            "WHERE brand_id = ? AND visit_date <= ? AND visit_date + ga4_lag <= ? "
            "GROUP BY ALL ORDER BY ALL",
            [brand, today, today],
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
        props[prop] = {"brand_id": brand, "rows": rows, "totals": totals}
    return {
        "properties": props,
        "totals": {
            "properties": len(props),
            "rows": sum(len(p["rows"]) for p in props.values()),
            "sessions": sum(p["totals"].get("sessions", 0) for p in props.values()),
        },
    }


@dataclass(frozen=True)
class Ga4Vendor:
    name: str = "ga4"
    order: int = 91
    ddl: str = ""  # serves the web_* tables of sandbox.vendors.web
    table_keys: dict[str, str] = field(default_factory=dict)

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        """Nothing to write: report the properties and the sessions they will serve."""
        props, sessions = writer.con.execute(
            "SELECT count(DISTINCT s.ga4_property_id), count(v.visit_id) FROM web_sites s "
            "LEFT JOIN web_visits v USING (brand_id) WHERE s.ga4_property_id IS NOT NULL"
        ).fetchone()
        say(f"    {props} properties, {sessions} sessions")
        return {"properties": int(props), "sessions": int(sessions)}

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
        return manifest(cur, today)

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> Ga4Api:
        return Ga4Api(con, clock)


VENDOR = Ga4Vendor()
