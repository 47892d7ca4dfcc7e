"""Test-wide settings: no telemetry (there is no network), and placeholder secrets."""

from __future__ import annotations

import os

for name, value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}.items():
    os.environ[name] = value
