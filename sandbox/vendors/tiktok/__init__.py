"""Sandbox vendor ``tiktok``: the TikTok Display API v2 over a generated world.

World tables ``tiktok_accounts`` and ``tiktok_videos`` (see ``world.py``), API under
``/tiktok/v2/...`` (see ``api.py``); contract in docs/sources/tiktok.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors.tiktok import world
from sandbox.vendors.tiktok.api import TikTokApi


class TikTokVendor:
    """The plug-in object discovered by ``sandbox.vendors.discover``."""

    name = "tiktok"
    order = 10  # social: no dependency on other vendors, only on the shared campaigns table
    ddl = world.DDL
    table_keys = world.TABLE_KEYS

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        return world.generate(writer, registry, spec, say)

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
        return world.manifest(cur, today)

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> TikTokApi:
        return TikTokApi(con, clock)


VENDOR = TikTokVendor()
