"""Google Business Profile (reviews) in the sandbox: world tables, generator, manifest, API.

Served under ``/google_business`` with the real v4 paths, so the dlt source's base URL is
``http://127.0.0.1:PORT/google_business`` in the sandbox and ``https://mybusiness.googleapis.com``
in production. Contract: docs/sources/google_business.md.
"""

from __future__ import annotations

from sandbox.vendors.plugin import Plugin

from .api import GbpApi
from .world import DDL, TABLE_KEYS, generate_world, manifest_of

VENDOR = Plugin(
    name="google_business",
    order=20,  # reviews: after the social accounts
    generate=generate_world,
    manifest=manifest_of,
    api=GbpApi,
    ddl=DDL,
    table_keys=TABLE_KEYS,
)
