"""Google Business Profile (reviews) in the sandbox: world tables, generator, manifest, API.

Served under ``/google_business`` with the real v4 paths, so the dlt source's base URL is
``http://127.0.0.1:PORT/google_business`` in the sandbox and ``https://mybusiness.googleapis.com``
in production. Contract: docs/sources/google_business.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from .api import GbpApi
from .world import DDL, TABLE_KEYS, generate_world, manifest_of


class GoogleBusinessVendor:
    """The plug-in object discovered by ``sandbox.vendors.discover``."""

    name = "google_business"
    order = 20  # reviews: after the social accounts
    ddl = DDL
    table_keys = TABLE_KEYS

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        return generate_world(writer, registry, spec, say)

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
        return manifest_of(cur, today)

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> GbpApi:
        return GbpApi(con, clock)


VENDOR = GoogleBusinessVendor()
