"""dlt source for YouTube: Data API v3 (channels, uploads, videos, comments) + Analytics API v2.

Loads the ``raw_youtube`` tables of docs/sources/youtube.md for every channel of the brand
registry (key ``youtube``). Targets https://www.googleapis.com and
https://youtubeanalytics.googleapis.com by default; point ``base_url`` and
``analytics_base_url`` (env ``SOURCES__YOUTUBE__BASE_URL`` / ``..._ANALYTICS_BASE_URL``) at
``http://127.0.0.1:PORT/youtube`` to run against the sandbox. Building the source needs no
secret: the token and the pseudonymisation key are checked when data is extracted.
"""

from __future__ import annotations

from collections.abc import Sequence

import dlt
from dlt.extract.resource import DltResource

from ingestion import completeness
from ingestion.accounts import AccountLoop, declared
from ingestion.google_oauth import TOKEN_URL, GoogleOAuth
from ingestion.quarantine import Quarantine
from ingestion.snapshot_ages import check_window, schedule_of
from ingestion.tables import SCHEMA_CONTRACT
from pulse_config.registry import load_registry

from . import resources
from . import settings as s
from .context import YouTubeOptions, YouTubeRun


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def youtube_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    api_key: str | None = dlt.secrets.value,
    refresh_token: str | None = dlt.secrets.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    token_url: str = TOKEN_URL,
    base_url: str = s.DEFAULT_BASE_URL,
    analytics_base_url: str = s.DEFAULT_ANALYTICS_BASE_URL,
    stats_window_days: int = s.STATS_WINDOW_DAYS,
    analytics_backfill_days: int = s.ANALYTICS_BACKFILL_DAYS,
    analytics_refetch_days: int = s.ANALYTICS_REFETCH_DAYS,
    registry_path: str | None = None,
    _http: s.YouTubeHttp | None = None,
) -> Sequence[DltResource]:
    """YouTube channels of the brand registry, incrementally.

    Args:
        access_token: OAuth token (scopes youtube.readonly, yt-analytics.readonly), secret
            ``sources.youtube.access_token``; checked at extract time.
        pseudonymisation_key: HMAC key for commenter ids/names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``).
        api_key: Data API key, used only when no OAuth token is set (Analytics needs OAuth).
        refresh_token / client_id / client_secret: renew the access token (it lasts one hour)
            through ``token_url`` (Google's https://oauth2.googleapis.com/token), before it
            dies and once when Google rejects it (secrets ``sources.youtube.refresh_token``...).
        base_url / analytics_base_url: Google hosts (sandbox: ``http://127.0.0.1:PORT/youtube``).
        stats_window_days: uploads younger than this are re-listed each run: their comments
            are read daily, their statistics only at the ages of ``snapshot_ages``
            (``sources.youtube.snapshot_ages``, ``ingestion.snapshot_ages``; all uploads on
            the first run).
        analytics_backfill_days / analytics_refetch_days: first-run depth of the daily reports
            (per video: the uploads published within it, from their publication day; per
            channel: from today minus it), and the trailing days re-pulled on later runs.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request, ``quota_retries`` and the ``analytics_page_size``,
            ``playlist_page_size`` and ``comments_page_size``: ``settings.YouTubeHttp``, set as
            ``sources.youtube.max_attempts`` etc.
    """
    http = _http or s.YouTubeHttp()
    options = YouTubeOptions(
        oauth=GoogleOAuth(access_token, refresh_token, client_id, client_secret, token_url),
        api_key=api_key,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        analytics_base_url=analytics_base_url,
        stats_window_days=stats_window_days,
        analytics_backfill_days=analytics_backfill_days,
        analytics_refetch_days=analytics_refetch_days,
        analytics_page_size=http.analytics_page_size,
        playlist_page_size=min(http.playlist_page_size, s.PLAYLIST_PAGE_SIZE),
        comments_page_size=min(http.comments_page_size, s.THREADS_PAGE_SIZE),
        quota_retries=http.quota_retries,
        policy=http.policy(),
        schedule=schedule_of(s.SOURCE_NAME),
    )
    check_window(s.SOURCE_NAME, options.schedule, stats_window_days)
    run = YouTubeRun(options, load_registry(registry_path))
    tables = {**declared(s.PRIMARY_KEYS, s.COLUMNS), **completeness.DECLARED}
    quarantine = Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS)
    loop = AccountLoop(run.accounts(), quarantine, resources.arrow, tables)
    return loop.resources(run, resources.TABLES, resources.VARIANTS)
