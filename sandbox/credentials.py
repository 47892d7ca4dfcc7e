"""How each dlt source reaches the sandbox: base URL and the sandbox's own test credentials.

The sources are the production sources; only these environment variables differ between the
sandbox and the real APIs (where the real tokens go in secrets instead).
"""

from __future__ import annotations

import json

from pulse_config.registry import Registry, load_registry
from sandbox.vendors.linkedin.headers import SANDBOX_API_VERSION


def source_env(base_url: str, registry: Registry | None = None) -> dict[str, str]:
    """Environment variables that point every source at the sandbox served at ``base_url``."""
    registry = registry or load_registry()
    base = base_url.rstrip("/")
    tiktok_tokens = {oid: f"sandbox-tiktok-token-{oid}" for _b, oid in registry.accounts("tiktok")}
    return {
        "SOURCES__META__BASE_URL": f"{base}/meta",
        "SOURCES__META__ACCESS_TOKEN": "sandbox-meta-token",
        "SOURCES__LINKEDIN__BASE_URL": f"{base}/linkedin",
        "SOURCES__LINKEDIN__ACCESS_TOKEN": "sandbox-linkedin-token",
        "SOURCES__LINKEDIN__API_VERSION": SANDBOX_API_VERSION,  # served at the sandbox's clock
        "SOURCES__X__BASE_URL": f"{base}/x",
        "SOURCES__X__BEARER_TOKEN": "sandbox-x-token",
        "SOURCES__TIKTOK__BASE_URL": f"{base}/tiktok",
        "SOURCES__TIKTOK__ACCESS_TOKENS": json.dumps(tiktok_tokens),
        "SOURCES__YOUTUBE__BASE_URL": f"{base}/youtube",
        "SOURCES__YOUTUBE__ANALYTICS_BASE_URL": f"{base}/youtube",
        "SOURCES__YOUTUBE__ACCESS_TOKEN": "sandbox-youtube-token",
        "SOURCES__GOOGLE_BUSINESS__BASE_URL": f"{base}/google_business",
        "SOURCES__GOOGLE_BUSINESS__ACCESS_TOKEN": "sandbox-google-business-token",
        "SOURCES__TRUSTPILOT__BASE_URL": f"{base}/trustpilot",
        "SOURCES__TRUSTPILOT__API_KEY": "sandbox-trustpilot-key",
        "SOURCES__GA4__BASE_URL": f"{base}/ga4",
        "SOURCES__GA4__ACCESS_TOKEN": "sandbox-ga4-token",
        "SOURCES__MATOMO__BASE_URL": f"{base}/matomo",
        "SOURCES__MATOMO__TOKEN_AUTH": "sandbox-matomo-token",
    }
