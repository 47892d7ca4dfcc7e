"""Google Search Console vendor plug-in: Search Analytics of every brand site.

World tables ``search_sites`` / ``search_rows`` (``sandbox.world.search``), the API under
``/search_console`` (``api.py``), what it shows at a given now (``rows.py``) and the ground
truth a complete load holds (``manifest``). Contract: docs/sources/search_console.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.plugin import Plugin
from sandbox.world import search
from sandbox.world.store import now_of

from . import rows
from .api import SearchConsoleApi

FULL_KEY = ("date", "page", "query", "country", "device")
PAGE_KEY = ("date", "page")


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per site, the final data as of ``today`` since the world's first day: ``rows`` (keyed
    ``date|page|query|country|device``, anonymized queries absent), ``pages`` (keyed
    ``date|page``, anonymized queries counted) and ``lifts`` (``date|page`` -> the impressions
    multiplier the week after Meta posts linking to the page: the SXO mart's truth); totals."""
    now, sites = now_of(today), {}
    first = cur.execute("SELECT min(date) FROM search_rows").fetchone()[0] or today
    listed = cur.execute("SELECT site_url, brand_id FROM search_sites ORDER BY 1").fetchall()
    for url, brand in listed:
        full = rows.grouped(cur, rows.Ask(url, first, today, FULL_KEY), now)
        pages = rows.grouped(cur, rows.Ask(url, first, today, PAGE_KEY), now)
        lifted = cur.execute(
            "SELECT DISTINCT strftime(date, '%Y-%m-%d') || '|' || page, search_lift "
            "FROM search_rows WHERE site_url = ? AND search_lift > 1 AND date <= ? ORDER BY 1",
            [url, today],
        ).fetchall()
        sites[url] = {
            "brand_id": brand,
            "rows": {"|".join(r[:5]): _metrics(r[5:]) for r in full},
            "pages": {"|".join(r[:2]): _metrics(r[2:]) for r in pages},
            "lifts": dict(lifted),  # date|page -> impressions multiplier from social posts
        }
    clicks = sum(v["clicks"] for s in sites.values() for v in s["rows"].values())
    page_clicks = sum(v["clicks"] for s in sites.values() for v in s["pages"].values())
    return {
        "sites": sites,
        "totals": {
            "sites": len(sites),
            "rows": sum(len(s["rows"]) for s in sites.values()),
            "clicks": clicks,
            "page_clicks": page_clicks,  # > clicks: the anonymized queries' clicks
        },
    }


def _metrics(values: tuple[Any, ...]) -> dict[str, Any]:
    clicks, impressions, position = values
    return {"clicks": int(clicks), "impressions": int(impressions), "position": float(position)}


VENDOR = Plugin(
    name="search_console",
    order=95,  # after the posts (order 0) whose links lift the pages
    generate=search.generate,
    manifest=manifest,
    api=SearchConsoleApi,
    ddl=search.DDL,
    table_keys=search.TABLE_KEYS,
)
