"""Sandbox vendor ``tiktok``: the TikTok Display API v2 over a generated world.

World tables ``tiktok_accounts`` and ``tiktok_videos`` (see ``world.py``), API under
``/tiktok/v2/...`` (see ``api.py``); contract in docs/sources/tiktok.md.
"""

from __future__ import annotations

from sandbox.vendors.plugin import Plugin
from sandbox.vendors.tiktok import world
from sandbox.vendors.tiktok.api import TikTokApi

VENDOR = Plugin(
    name="tiktok",
    order=10,  # social: no dependency on other vendors, only on the shared campaigns table
    generate=world.generate,
    manifest=world.manifest,
    api=TikTokApi,
    ddl=world.DDL,
    table_keys=world.TABLE_KEYS,
)
