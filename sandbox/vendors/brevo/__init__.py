"""Brevo vendor plug-in: the brands' e-mail campaigns and their statistics.

World tables ``email_*`` (``sandbox.world.email``), the API under ``/brevo`` (``api.py``),
what it shows at a given now (``stats.py``) and the ground truth a complete load holds
(``manifest``). Contract: docs/sources/brevo.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.plugin import Plugin
from sandbox.world import email
from sandbox.world.store import now_of

from . import stats
from .api import BrevoApi, iso


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per brand account: every sent campaign (name, sentDate, utm_campaign, links) with its
    statistics as of ``today`` (whole life); a day's activity is the difference between two
    days' manifests (the world's ``email_daily`` holds it directly)."""
    now, accounts = now_of(today), {}
    for (brand,) in cur.execute("SELECT brand_id FROM email_accounts ORDER BY 1").fetchall():
        campaigns = {}
        for c in stats.campaigns(cur, brand, now):
            campaigns[str(c[0])] = {
                "name": c[1],
                "utm_campaign": c[4],
                "sent_date": iso(c[6]),
                "links": stats.links(cur, brand, c[0]),
                "global_stats": stats.global_stats(cur, brand, c[0], now, whole=True),
                "links_stats": stats.links_stats(cur, brand, c[0], now, whole=True),
            }
        accounts[brand] = {"campaigns": campaigns}
    every = [c for a in accounts.values() for c in a["campaigns"].values()]
    return {
        "accounts": accounts,
        "totals": {
            "accounts": len(accounts),
            "campaigns": len(every),
            "sent": sum(c["global_stats"]["sent"] for c in every),
        },
    }


VENDOR = Plugin(
    name="brevo",
    order=96,
    generate=email.generate,
    manifest=manifest,
    api=BrevoApi,
    ddl=email.DDL,
    table_keys=email.TABLE_KEYS,
)
