"""dlt source for the Meta Graph API: Facebook Pages and Instagram business accounts.

Loads the ``raw_meta`` tables of docs/meta_slice.md section 4 for every account of the brand
registry. Targets https://graph.facebook.com by default; point ``base_url`` (env
``SOURCES__META__BASE_URL``) at the sandbox to run locally. Building the source needs no secret
(Dagster builds it at definition time): the token and the pseudonymisation key are only
required when data is extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.quarantine import BAD_RECORD, reason_of
from ingestion.tables import SCHEMA_CONTRACT, arrow_table, merge_resource
from pulse_config.registry import load_registry

from . import comments, rows
from . import settings as s
from .context import MetaOptions, MetaRun
from .helpers import RetryPolicy

logger = logging.getLogger(__name__)


def _resource(fn: Any, name: str) -> DltResource:
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name])


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
    page_size: int = s.PAGE_SIZE,
    facebook_post_metrics: list[str] | None = None,
    instagram_media_metrics: list[str] | None = None,
    instagram_reels_extra_metrics: list[str] | None = None,
    instagram_feed_extra_metrics: list[str] | None = None,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """Facebook Pages and Instagram accounts of the brand registry, incrementally.

    Args:
        access_token: Graph token (secret ``sources.meta.access_token``); checked at extract time.
        pseudonymisation_key: HMAC key for commenter ids/names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked when comments are extracted.
        base_url: Graph host, e.g. ``http://127.0.0.1:8000`` for the sandbox.
        api_version: Graph version prefix, ``v23.0`` by default.
        insights_window_days: posts younger than this are re-listed each run and get fresh
            insight snapshots and comments (comments arrive within 21 days in practice).
        followers_backfill_days: how much of the Page follower series the first run reads.
        page_size: ``limit`` of list edges (Graph max 100).
        facebook_post_metrics / instagram_media_metrics / instagram_reels_extra_metrics /
            instagram_feed_extra_metrics: insight metric catalogues; IG sets depend on the media
            type (Meta refuses a metric outside it), dead metrics fail the run loudly.
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy per request (throttling, transient errors, 5xx, timeouts).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    options = MetaOptions(
        access_token=access_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        api_version=api_version,
        insights_window_days=insights_window_days,
        followers_backfill_days=followers_backfill_days,
        page_size=min(page_size, s.PAGE_SIZE),
        policy=RetryPolicy(
            max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
        ),
        facebook_post_metrics=tuple(facebook_post_metrics or s.FB_POST_METRICS),
        instagram_media_metrics=tuple(instagram_media_metrics or s.IG_MEDIA_METRICS),
        instagram_reels_extra_metrics=tuple(
            s.IG_REELS_EXTRA_METRICS
            if instagram_reels_extra_metrics is None
            else instagram_reels_extra_metrics
        ),
        instagram_feed_extra_metrics=tuple(
            s.IG_FEED_EXTRA_METRICS
            if instagram_feed_extra_metrics is None
            else instagram_feed_extra_metrics
        ),
    )
    run = MetaRun(options, load_registry(registry_path))

    def facebook_pages() -> Iterator[Any]:
        """Daily snapshot of each Page (followers_count, fan_count), dated by the server clock."""
        yield from _snapshots(run, "facebook", "facebook_pages", rows.page_row)

    def instagram_accounts() -> Iterator[Any]:
        """Daily snapshot of each IG business account (followers, follows, media counts)."""
        yield from _snapshots(run, "instagram", "instagram_accounts", rows.ig_account_row)

    def facebook_posts() -> Iterator[Any]:
        """Page posts created since the cursor minus the window (all on the first run)."""
        yield from _listed(run, "facebook", "facebook_posts")

    def instagram_media() -> Iterator[Any]:
        """IG media created since the cursor minus the window (all on the first run)."""
        yield from _listed(run, "instagram", "instagram_media")

    def facebook_post_insights() -> Iterator[Any]:
        """Lifetime insights + reactions/comments/shares of listed posts, one snapshot per day.

        Batched 50 posts per multi-id lookup; yielded as Arrow tables (the largest table).
        """
        metrics = ",".join(options.facebook_post_metrics)
        fields = (
            "id,shares,reactions.limit(0).summary(true),comments.limit(0).summary(true),"
            f"insights.metric({metrics}).period(lifetime)"
        )
        yield from _insights(
            run, "facebook", "facebook_post_insights", lambda ref: fields, rows.fb_metric_values
        )

    def instagram_media_insights() -> Iterator[Any]:
        """Lifetime insights + like/comment counts of listed media; metric set per product type."""
        base = tuple(options.instagram_media_metrics)

        def fields(ref: rows.PostRef) -> str:
            extra: Sequence[str] = ()
            if ref.product_type == "REELS":
                extra = options.instagram_reels_extra_metrics
            elif ref.media_type in s.IG_FEED_EXTRA_MEDIA_TYPES:
                extra = options.instagram_feed_extra_metrics
            metrics = ",".join((*base, *extra))
            return f"id,like_count,comments_count,insights.metric({metrics})"

        yield from _insights(
            run, "instagram", "instagram_media_insights", fields, rows.ig_metric_values
        )

    def facebook_comments() -> Iterator[Any]:
        """Comments and replies (``filter(stream)``) of listed posts, authors pseudonymised."""
        yield from comments.facebook_comments(run, _arrow)

    def instagram_comments() -> Iterator[Any]:
        """Top-level comments and their nested replies of listed media, authors pseudonymised."""
        yield from comments.instagram_comments(run, _arrow)

    def facebook_page_follows() -> Iterator[Any]:
        """Daily Page follower totals (``page_follows``), backfilled on the first run."""
        yield from _follower_series(run, "facebook", "facebook_page_follows")

    def instagram_follower_gains() -> Iterator[Any]:
        """Daily IG follower gains (``follower_count``), last 28 days each run (API limit 30)."""
        yield from _follower_series(run, "instagram", "instagram_follower_gains")

    return [
        _resource(fn, fn.__name__)
        for fn in (
            facebook_pages,
            instagram_accounts,
            facebook_posts,
            instagram_media,
            facebook_post_insights,
            instagram_media_insights,
            facebook_comments,
            instagram_comments,
            facebook_page_follows,
            instagram_follower_gains,
        )
    ]


def _snapshots(run: MetaRun, platform: str, resource: str, build: Any) -> Iterator[Any]:
    for brand_id, account_id in run.accounts(platform):
        resp = run.account(platform, account_id)
        try:
            yield build(resp.data, brand_id, resp.fetched_at)
        except BAD_RECORD as exc:
            yield run.quarantine.row(
                resource, resp.data, reason_of(exc), resp.fetched_at, record_id=account_id
            )
    run.quarantine.summary(resource)


def _listed(run: MetaRun, platform: str, resource: str) -> Iterator[Any]:
    for _brand, account_id in run.accounts(platform):
        listing = run.posts(platform, account_id)
        yield from listing.bad
        if listing.rows:
            yield _arrow(resource, listing.rows)
    run.quarantine.summary(resource)


def _arrow(table: str, data: dict[str, list[Any]] | list[dict[str, Any]]) -> pa.Table:
    """Columns or rows -> Arrow table: dlt loads Arrow ~50x faster than Python dicts."""
    return arrow_table(s.COLUMNS[table], data)


def _insights(
    run: MetaRun, platform: str, resource: str, fields_of: Any, values_of: Any
) -> Iterator[Any]:
    id_col = "post_id" if platform == "facebook" else "media_id"
    acc_col = "page_id" if platform == "facebook" else "ig_user_id"
    names = (id_col, acc_col, "snapshot_date", "metric", "value", "fetched_at")
    buf: dict[str, list[Any]] = {n: [] for n in names}
    for _brand, account_id in run.accounts(platform):
        refs = run.posts(platform, account_id).refs
        groups: dict[str, list[rows.PostRef]] = {}
        for ref in refs:
            groups.setdefault(fields_of(ref), []).append(ref)
        for fields, group in groups.items():
            for ref, obj, fetched_at, error in run.lookup(group, fields, platform, account_id):
                if error:
                    yield run.quarantine.row(
                        resource, obj, error, fetched_at, record_id=ref.post_id
                    )
                    continue
                day = fetched_at.date()
                try:
                    pairs = list(values_of(obj))
                except BAD_RECORD as exc:
                    yield run.quarantine.row(
                        resource, obj, reason_of(exc), fetched_at, record_id=ref.post_id
                    )
                    continue
                for metric, raw_value in pairs:
                    try:
                        value = rows.check_metric(metric, raw_value)
                    except BAD_RECORD as exc:
                        yield run.quarantine.row(
                            resource,
                            {"metric": metric, "value": raw_value},
                            reason_of(exc),
                            fetched_at,
                            record_id=f"{ref.post_id}/{metric}",
                        )
                        continue
                    for name, v in zip(
                        names,
                        (ref.post_id, account_id, day, metric, value, fetched_at),
                        strict=True,
                    ):
                        buf[name].append(v)
                if len(buf["metric"]) >= s.ARROW_FLUSH_ROWS:
                    yield _arrow(resource, buf)
                    buf = {n: [] for n in names}
    if buf["metric"]:
        yield _arrow(resource, buf)
    run.quarantine.summary(resource)


def _follower_series(run: MetaRun, platform: str, resource: str) -> Iterator[Any]:
    """Daily follower values; Page series backfilled then re-read from the last days loaded."""
    fb = platform == "facebook"
    metric = s.FB_FOLLOWS_METRIC if fb else s.IG_FOLLOWER_METRIC
    acc_col, val_col = ("page_id", "followers") if fb else ("ig_user_id", "follower_gain")
    last_dates = run.state(f"{resource}_last_date")
    for _brand, account_id in run.accounts(platform):
        today = run.account(platform, account_id).fetched_at.date()
        if not fb:
            start = today - timedelta(days=s.IG_FOLLOWER_DAYS)
        elif last_dates.get(account_id):
            start = date.fromisoformat(last_dates[account_id]) - timedelta(
                days=s.FOLLOWERS_REFETCH_DAYS
            )
        else:
            start = today - timedelta(days=run.options.followers_backfill_days)
        end = today + timedelta(days=1)
        span = timedelta(days=s.PAGE_INSIGHTS_MAX_DAYS - 1)
        out: list[dict[str, Any]] = []
        while start < end:
            until = min(start + span, end)
            params = {
                "metric": metric,
                "period": "day",
                "since": start.isoformat(),
                "until": until.isoformat(),
            }
            resp = run.client.get(
                f"{account_id}/insights", params, platform=platform, account_id=account_id
            )
            for value in rows.series_values(resp.data, metric):
                try:
                    day, count = rows.series_point(value, metric)
                    out.append(
                        {
                            acc_col: account_id,
                            "date": day,
                            val_col: count,
                            "fetched_at": resp.fetched_at,
                        }
                    )
                except BAD_RECORD as exc:
                    yield run.quarantine.row(
                        resource,
                        value,
                        reason_of(exc),
                        resp.fetched_at,
                        record_id=f"{account_id}/{_end_time(value)}",
                    )
            start = until
        if out:
            yield _arrow(resource, out)
            newest = max(r["date"] for r in out)
            last_dates[account_id] = max(newest.isoformat(), last_dates.get(account_id, ""))
    run.quarantine.summary(resource)


def _end_time(value: Any) -> Any:
    return value.get("end_time") if isinstance(value, dict) else None
