"""dlt source for the LinkedIn Community Management API: organization pages of the brands.

Loads the ``raw_linkedin`` tables of docs/sources/linkedin.md for every organization of the
brand registry (key ``linkedin``): daily organization snapshots (follower count), posts, lifetime
share statistics per post as daily snapshots, each young post's own daily statistics
(``daily.py``), the daily time-bound share statistics and follower gains of each organization,
lifetime follower facets, and comments with their replies (commenters pseudonymised). Targets
https://api.linkedin.com by default; point ``base_url`` (env ``SOURCES__LINKEDIN__BASE_URL``) at
the sandbox (``http://127.0.0.1:PORT/linkedin``) to run locally. Building the source needs no
secret: the token and the pseudonymisation key are only required when data is extracted.
"""

from __future__ import annotations

from collections.abc import Sequence

import dlt
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.quarantine import Quarantine
from ingestion.tables import SCHEMA_CONTRACT
from pulse_config.registry import load_registry

from . import resources
from . import settings as s
from .auth import TOKEN_URL
from .context import LinkedInOptions, LinkedInRun


@dlt.source(
    name=s.SOURCE_NAME,
    section=s.SOURCE_NAME,
    max_table_nesting=0,
    schema_contract=SCHEMA_CONTRACT,
)
def linkedin_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    refresh_token: str | None = dlt.secrets.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    token_url: str = TOKEN_URL,
    api_version: str = s.DEFAULT_API_VERSION,
    insights_window_days: int = s.INSIGHTS_WINDOW_DAYS,
    daily_backfill_days: int = s.DAILY_BACKFILL_DAYS,
    registry_path: str | None = None,
    _http: s.LinkedInHttp | None = None,
) -> Sequence[DltResource]:
    """LinkedIn organizations of the brand registry, incrementally.

    Args:
        access_token: OAuth token of an ADMINISTRATOR of the organizations, with scopes
            r_organization_social and rw_organization_admin (secret
            ``sources.linkedin.access_token``); checked at extract time.
        pseudonymisation_key: HMAC key for commenter URNs (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked when comments are extracted.
        refresh_token: programmatic refresh token (approved partners only), with the app's
            ``client_id`` and ``client_secret``: the access token then renews itself (auth.py).
        base_url: API host, e.g. ``http://127.0.0.1:8765/linkedin`` for the sandbox.
        token_url: LinkedIn's token endpoint, on its own host
            (``https://www.linkedin.com/oauth/v2/accessToken``).
        api_version: ``LinkedIn-Version`` header, ``YYYYMM``. LinkedIn answers 426 to a version
            not released yet or sunset (about a year after its release): keep
            ``sources.linkedin.api_version`` current.
        insights_window_days: posts modified (so also published) more recently than this are
            re-listed each run and get a fresh statistics snapshot and their comments.
        daily_backfill_days: first run: days of the daily share statistics and follower gains
            (at most 364: LinkedIn serves the past 12 months).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (429 throttling, 5xx, timeouts, truncated pages) and
            ``page_size``, the ``count`` of the posts and comments finders (max 100):
            ``settings.LinkedInHttp``, set as ``sources.linkedin.max_attempts`` etc.
    """
    http = _http or s.LinkedInHttp()
    options = LinkedInOptions(
        access_token=access_token,
        pseudonymisation_key=pseudonymisation_key,
        refresh_token=refresh_token,
        client=(client_id, client_secret),
        token_url=token_url,
        base_url=base_url,
        api_version=str(api_version),
        insights_window_days=insights_window_days,
        daily_backfill_days=daily_backfill_days,
        page_size=http.page_size_within(s.PAGE_SIZE),
        policy=http.policy(),
    )
    run = LinkedInRun(options, load_registry(registry_path))
    tables = declared(s.PRIMARY_KEYS, s.COLUMNS)
    quarantine = Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS)
    loop = AccountLoop(run.organizations(), quarantine, resources.arrow, tables)
    return loop.resources(run, resources.TABLES)


__all__ = ["linkedin_source"]
