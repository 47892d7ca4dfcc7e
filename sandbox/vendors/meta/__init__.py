"""Sandbox vendor ``meta``: the Graph API of Facebook Pages and Instagram business accounts.

World tables ``accounts``, ``posts`` and ``comments`` (see ``world.py``), API under
``/meta/v23.0/...`` (see ``api.py``: nodes, fields, paging, insights, batched lookups), metric
catalogue in ``metrics.yaml``; contract in docs/sources/meta.md.
"""

from __future__ import annotations

from sandbox.vendors.meta import truth, world
from sandbox.vendors.meta.api import MetaApi
from sandbox.vendors.plugin import Plugin

VENDOR = Plugin(
    name="meta",
    order=0,  # first: the web visits and the cross-vendor truths link to its posts
    generate=world.generate,
    manifest=truth.manifest,
    api=MetaApi,
    ddl=world.DDL,
    table_keys=world.TABLE_KEYS,
)
