"""How each dlt source reaches the sandbox: base URL and the sandbox's own test credentials.

The sources are the production sources; only these environment variables differ between the
sandbox and the real APIs (where the real tokens go in secrets instead).
"""

from __future__ import annotations

import json

from pulse_config.registry import Registry, load_registry
from sandbox.tokens import TokenBook
from sandbox.vendors.linkedin.headers import SANDBOX_API_VERSION
from sandbox.vendors.tiktok.oauth import refresh_token_of
from sandbox.world.email import api_key_of


def source_env(base_url: str, registry: Registry | None = None) -> dict[str, str]:
    """Environment variables that point every source at the sandbox served at ``base_url``."""
    registry = registry or load_registry()
    base = base_url.rstrip("/")
    tiktok_tokens = {oid: f"sandbox-tiktok-token-{oid}" for _b, oid in registry.accounts("tiktok")}
    tiktok_refresh = {oid: refresh_token_of(oid) for oid in tiktok_tokens}
    return {
        # The run serves the sandbox: its warehouse is the demo's (pulse_config.environments).
        "PULSE_SANDBOX_URL": base,
        "SOURCES__META__BASE_URL": f"{base}/meta",
        "SOURCES__META__ACCESS_TOKEN": "sandbox-meta-token",
        "SOURCES__LINKEDIN__BASE_URL": f"{base}/linkedin",
        "SOURCES__LINKEDIN__ACCESS_TOKEN": "sandbox-linkedin-token",
        # www.linkedin.com's token endpoint, mounted under /linkedin (vendors/linkedin/oauth.py)
        "SOURCES__LINKEDIN__TOKEN_URL": f"{base}/linkedin/oauth/v2/accessToken",
        "SOURCES__LINKEDIN__REFRESH_TOKEN": "sandbox-linkedin-refresh",
        "SOURCES__LINKEDIN__CLIENT_ID": "sandbox-linkedin-client",
        "SOURCES__LINKEDIN__CLIENT_SECRET": "sandbox-linkedin-secret",
        "SOURCES__LINKEDIN__API_VERSION": SANDBOX_API_VERSION,  # served at the sandbox's clock
        "SOURCES__X__BASE_URL": f"{base}/x",
        "SOURCES__X__BEARER_TOKEN": "sandbox-x-token",
        "SOURCES__TIKTOK__BASE_URL": f"{base}/tiktok",
        "SOURCES__TIKTOK__ACCESS_TOKENS": json.dumps(tiktok_tokens),
        # the refresh grant of sandbox/vendors/tiktok/oauth.py (token URL: base_url's own)
        "SOURCES__TIKTOK__REFRESH_TOKENS": json.dumps(tiktok_refresh),
        "SOURCES__TIKTOK__CLIENT_KEY": "sandbox-tiktok-client",
        "SOURCES__TIKTOK__CLIENT_SECRET": "sandbox-tiktok-secret",
        "SOURCES__YOUTUBE__BASE_URL": f"{base}/youtube",
        "SOURCES__YOUTUBE__ANALYTICS_BASE_URL": f"{base}/youtube",
        "SOURCES__YOUTUBE__ACCESS_TOKEN": "sandbox-youtube-token",
        **google_oauth_env("youtube", base),  # the 1-hour token renews through /youtube/token
        "SOURCES__GOOGLE_BUSINESS__BASE_URL": f"{base}/google_business",
        "SOURCES__GOOGLE_BUSINESS__ACCESS_TOKEN": "sandbox-google-business-token",
        **google_oauth_env("google_business", base),
        "SOURCES__TRUSTPILOT__BASE_URL": f"{base}/trustpilot",
        "SOURCES__TRUSTPILOT__API_KEY": "sandbox-trustpilot-key",
        "SOURCES__GA4__BASE_URL": f"{base}/ga4",
        "SOURCES__GA4__ACCESS_TOKEN": "sandbox-ga4-token",
        **google_oauth_env("ga4", base),
        "SOURCES__MATOMO__BASE_URL": f"{base}/matomo",
        "SOURCES__MATOMO__TOKEN_AUTH": "sandbox-matomo-token",
        "SOURCES__HUBSPOT__BASE_URL": f"{base}/hubspot",
        # one private app token per HubSpot account (sandbox/vendors/hubspot/api.py)
        "SOURCES__HUBSPOT__ACCESS_TOKENS": json.dumps(
            {pid: f"pat-eu1-sandbox-{pid}" for _b, pid in registry.accounts("hubspot")}
        ),
        "SOURCES__SEARCH_CONSOLE__BASE_URL": f"{base}/search_console",
        "SOURCES__SEARCH_CONSOLE__ACCESS_TOKEN": "sandbox-search-console-token",
        **google_oauth_env("search_console", base),
        "SOURCES__BREVO__BASE_URL": f"{base}/brevo",
        "SOURCES__BREVO__API_KEYS": json.dumps(brevo_keys(registry)),
    }


def brevo_keys(registry: Registry) -> dict[str, str]:
    """The sandbox's Brevo API key of each brand site (one account per brand)."""
    return {b.brand_id: api_key_of(b.brand_id) for b in registry.brands if b.site}


def google_oauth_env(vendor: str, base: str) -> dict[str, str]:
    """A Google source's refresh token, OAuth client and token endpoint: the sandbox's
    stand-in for oauth2.googleapis.com is ``/<vendor>/token`` (sandbox.vendors.google)."""
    book = TokenBook.for_sandbox(vendor, set(), 0)
    prefix = f"SOURCES__{vendor.upper()}__"
    return {
        f"{prefix}REFRESH_TOKEN": next(iter(book.refresh_tokens)),
        f"{prefix}CLIENT_ID": book.client_id,
        f"{prefix}CLIENT_SECRET": book.client_secret,
        f"{prefix}TOKEN_URL": f"{base}/{vendor}/token",
    }
