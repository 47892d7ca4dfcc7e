"""Matomo Reporting/Live API emulation over the shared visits world (``sandbox.vendors.web``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.matomo.api import MatomoApi
from sandbox.vendors.matomo.truth import site_truth
from sandbox.vendors.plugin import Plugin
from sandbox.vendors.web import tool_generate, tool_sites
from sandbox.world.store import now_of


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Every visit and conversion a complete load holds as of today, per site.

    A visit is served once its last action is at or before the clock's now (today 23:59:59
    UTC); ``visit_date`` is the site-local day. Per site: sorted ``visit_ids`` and
    ``conversion_ids`` (``{idVisit}-{goalId}-{unix ts}``, goalId 0 for an ecommerce order),
    order ``revenue``, ``consent_dimension`` (None on a site without one), ``consented``
    (visits with consent ``granted``), ``rows`` per ``"YYYY-MM-DD|source|medium|campaign"``
    (the GA4-style labels of the same visits) with visit ids, conversion ids and revenue, and
    the oracle of the conversion marts (``sandbox/vendors/matomo/truth.py``):
    ``sessions_by_channel_group``, ``posts`` (``platform:post_id`` -> sessions, conversions,
    revenue_last_touch), ``unattributable_post_sessions``, ``multi_visit_converting_paths``
    (also as ``multi_touch_conversions``), ``denied_visits``, ``unknown_consent_visits``,
    ``granted_visits``, ``malformed_utm_visits`` (upper_case / missing_utm_content /
    medium_typo).
    """
    now = now_of(today)
    sites: dict[str, Any] = {}
    for site, brand in tool_sites(cur, "matomo_site_id"):
        visits = cur.execute(
            "SELECT visit_id, strftime(visit_date, '%Y-%m-%d'), source, medium, campaign "
            "FROM web_visits WHERE brand_id = ? AND ended_at <= ? ORDER BY visit_id",
            [brand, now],
        ).fetchall()
        convs = cur.execute(
            "SELECT c.conversion_id, c.visit_id, c.revenue FROM web_conversions c "
            "JOIN web_visits v USING (visit_id) WHERE v.brand_id = ? AND v.ended_at <= ? "
            "ORDER BY c.conversion_id",
            [brand, now],
        ).fetchall()
        dimension = cur.execute(
            "SELECT matomo_consent_dimension FROM web_sites WHERE brand_id = ?", [brand]
        ).fetchone()[0]
        truth = site_truth(cur, brand, now)
        sites[site] = {
            "brand_id": brand,
            "consent_dimension": dimension,
            "visit_ids": [v[0] for v in visits],
            "conversion_ids": [c[0] for c in convs],
            "revenue": round(sum(float(c[2]) for c in convs), 2),
            "consented": truth["granted_visits"],
            "multi_touch_conversions": truth["multi_visit_converting_paths"],
            "rows": _rows(visits, convs),
            **truth,
        }
    return {
        "sites": sites,
        "totals": {
            "sites": len(sites),
            "visits": sum(len(s["visit_ids"]) for s in sites.values()),
            "conversions": sum(len(s["conversion_ids"]) for s in sites.values()),
        },
    }


def _rows(visits: list[tuple], convs: list[tuple]) -> dict[str, Any]:
    """Visits, conversions and revenue per ``day|source|medium|campaign``."""
    rows: dict[str, Any] = {}
    key_of: dict[int, str] = {}
    for vid, day, source, medium, campaign in visits:
        key = f"{day}|{source}|{medium}|{campaign}"
        key_of[vid] = key
        rows.setdefault(key, {"visit_ids": [], "conversion_ids": [], "revenue": 0.0})
        rows[key]["visit_ids"].append(vid)
    for cid, vid, revenue in convs:
        row = rows[key_of[vid]]
        row["conversion_ids"].append(cid)
        row["revenue"] = round(row["revenue"] + float(revenue), 2)
    return rows


VENDOR = Plugin(
    name="matomo",
    order=92,
    generate=tool_generate("matomo_site_id", "sites", "visits"),  # reads the web_* tables
    manifest=manifest,
    api=MatomoApi,
)
