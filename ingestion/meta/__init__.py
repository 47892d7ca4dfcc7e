"""dlt source for the Meta Graph API: Facebook Pages and Instagram business accounts.

Loads the ``raw_meta`` tables of docs/sources/meta.md section 4 for every account of the brand
registry. Targets https://graph.facebook.com by default (URLs ``{base_url}/{api_version}/...``);
point ``base_url`` (env ``SOURCES__META__BASE_URL``) at the sandbox's ``http://127.0.0.1:PORT/meta``
to run locally. Building the source needs no secret
(Dagster builds it at definition time): the token and the pseudonymisation key are only
required when data is extracted.
"""

from __future__ import annotations

from collections.abc import Sequence

import dlt
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.quarantine import Quarantine
from ingestion.snapshot_ages import schedule_of
from ingestion.tables import SCHEMA_CONTRACT
from pulse_config.registry import load_registry

from . import resources
from . import settings as s
from .context import MetaOptions, MetaRun


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def meta_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    api_version: str = s.DEFAULT_API_VERSION,
    insights_window_days: int = s.INSIGHTS_WINDOW_DAYS,
    followers_backfill_days: int = s.FOLLOWERS_BACKFILL_DAYS,
    facebook_post_metrics: list[str] | None = None,
    instagram_media_metrics: list[str] | None = None,
    instagram_reels_extra_metrics: list[str] | None = None,
    instagram_feed_extra_metrics: list[str] | None = None,
    registry_path: str | None = None,
    _http: s.MetaHttp | None = None,
) -> Sequence[DltResource]:
    """Facebook Pages and Instagram accounts of the brand registry, incrementally.

    Args:
        access_token: Graph token (secret ``sources.meta.access_token``); checked at extract time.
        pseudonymisation_key: HMAC key for commenter ids/names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked when comments are extracted.
        base_url: Graph root, ``https://graph.facebook.com`` in production,
            ``http://127.0.0.1:PORT/meta`` in the sandbox.
        api_version: Graph version prefix, ``v23.0`` by default.
        insights_window_days: posts younger than this are re-listed each run: their new
            comments are read daily; their insights only at the ages of ``snapshot_ages``
            (``sources.meta.snapshot_ages``, ``ingestion.snapshot_ages``), which must be
            younger than this window.
        followers_backfill_days: how much of the Page follower series the first run reads.
        facebook_post_metrics / instagram_media_metrics / instagram_reels_extra_metrics /
            instagram_feed_extra_metrics: insight metric catalogues; IG sets depend on the media
            type (Meta refuses a metric outside it), dead metrics fail the run loudly.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (throttling, transient errors, 5xx, timeouts) and
            ``page_size``, the ``limit`` of list and comment edges (Graph max 100):
            ``settings.MetaHttp``, set as ``sources.meta.max_attempts`` etc.
    """
    http = _http or s.MetaHttp()
    options = MetaOptions(
        access_token=access_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        api_version=api_version,
        insights_window_days=insights_window_days,
        followers_backfill_days=followers_backfill_days,
        page_size=http.page_size_within(s.PAGE_SIZE),
        policy=http.policy(),
        facebook_post_metrics=tuple(facebook_post_metrics or s.FB_POST_METRICS),
        instagram_media_metrics=tuple(instagram_media_metrics or s.IG_MEDIA_METRICS),
        instagram_reels_extra_metrics=_or(instagram_reels_extra_metrics, s.IG_REELS_EXTRA_METRICS),
        instagram_feed_extra_metrics=_or(instagram_feed_extra_metrics, s.IG_FEED_EXTRA_METRICS),
        schedule=schedule_of(s.SOURCE_NAME),
    )
    run = MetaRun(options, load_registry(registry_path))
    quarantine = Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS)
    tables = declared(s.PRIMARY_KEYS, s.COLUMNS)
    pages = AccountLoop(run.accounts("facebook"), quarantine, resources.arrow, tables)
    instagram = AccountLoop(run.accounts("instagram"), quarantine, resources.arrow, tables)
    return pages.resources(run, resources.FACEBOOK) + instagram.resources(run, resources.INSTAGRAM)


def _or(metrics: list[str] | None, default: Sequence[str]) -> tuple[str, ...]:
    """A catalogue of extra metrics: the default if unset; an empty list means none."""
    return tuple(default if metrics is None else metrics)


__all__ = ["meta_source"]
