"""The Meta resources, one function per table: what one Page or IG account gives it this run.

Each function takes the run and one ``(brand_id, account_id)`` of the brand registry and yields
rows and ``Bad`` records; ``ingestion.accounts.AccountLoop`` walks the accounts of the table's
platform, batches the rows as Arrow and quarantines the bad records. The account objects and
post listings are cached on the run (``context.py``), shared by several tables; the comment
tables are in ``comments.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from ingestion.quarantine import BAD_RECORD, Bad, row_or_bad
from ingestion.tables import arrow_table
from ingestion.windows import window_end

from . import rows
from . import settings as s
from .comments import facebook_comments, instagram_comments
from .context import MetaRun


def arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> an Arrow table typed by settings.COLUMNS (dlt loads Arrow ~50x faster)."""
    return arrow_table(s.COLUMNS[table], records)


def facebook_pages(run: MetaRun, brand_id: str, page_id: str) -> Iterator[Any]:
    """Daily snapshot of each Page (followers_count, fan_count), dated by the server clock."""
    yield from _snapshot(run, "facebook", brand_id, page_id, rows.page_row)


def instagram_accounts(run: MetaRun, brand_id: str, ig_id: str) -> Iterator[Any]:
    """Daily snapshot of each IG business account (followers, follows, media counts)."""
    yield from _snapshot(run, "instagram", brand_id, ig_id, rows.ig_account_row)


def _snapshot(
    run: MetaRun, platform: str, brand_id: str, account_id: str, build: Callable[..., Any]
) -> Iterator[Any]:
    resp = run.account(platform, account_id)
    yield row_or_bad(
        lambda: build(resp.data, brand_id, resp.fetched_at),
        resp.data,
        resp.fetched_at,
        record_id=account_id,
    )


def facebook_posts(run: MetaRun, _brand: str, page_id: str) -> Iterator[Any]:
    """Page posts created since the cursor minus the window (all on the first run)."""
    yield from run.posts("facebook", page_id).items()


def instagram_media(run: MetaRun, _brand: str, ig_id: str) -> Iterator[Any]:
    """IG media created since the cursor minus the window (all on the first run)."""
    yield from run.posts("instagram", ig_id).items()


def facebook_post_insights(run: MetaRun, _brand: str, page_id: str) -> Iterator[Any]:
    """Lifetime insights + reactions/comments/shares of the listed posts due on the snapshot
    schedule (``ingestion.snapshot_ages``); 50 posts per multi-id lookup (the largest table)."""
    metrics = ",".join(run.options.facebook_post_metrics)
    fields = (
        "id,shares,reactions.limit(0).summary(true),comments.limit(0).summary(true),"
        f"insights.metric({metrics}).period(lifetime)"
    )
    yield from _insights(run, "facebook", page_id, lambda ref: fields, rows.fb_metric_values)


def instagram_media_insights(run: MetaRun, _brand: str, ig_id: str) -> Iterator[Any]:
    """Lifetime insights + like/comment counts of the listed media due on the snapshot
    schedule; metric set per product type (Meta refuses a metric outside the media's set)."""
    options = run.options

    def fields(ref: rows.PostRef) -> str:
        extra: Sequence[str] = ()
        if ref.product_type == "REELS":
            extra = options.instagram_reels_extra_metrics
        elif ref.media_type in s.IG_FEED_EXTRA_MEDIA_TYPES:
            extra = options.instagram_feed_extra_metrics
        metrics = ",".join((*options.instagram_media_metrics, *extra))
        return f"id,like_count,comments_count,insights.metric({metrics})"

    yield from _insights(run, "instagram", ig_id, fields, rows.ig_metric_values)


INSIGHT_KEYS = {"facebook": ("post_id", "page_id"), "instagram": ("media_id", "ig_user_id")}
"""platform -> (post column, account column) of its insights table."""


def _insights(
    run: MetaRun,
    platform: str,
    account_id: str,
    fields_of: Callable[[rows.PostRef], str],
    values_of: Callable[[Any], Iterator[tuple[str, Any]]],
) -> Iterator[Any]:
    """One row per (post, metric) of the account's listed posts, looked up by field set."""
    id_col, acc_col = INSIGHT_KEYS[platform]
    groups: dict[str, list[rows.PostRef]] = {}
    for ref in run.snapshot_refs(platform, account_id):
        groups.setdefault(fields_of(ref), []).append(ref)
    for fields, group in groups.items():
        for ref, obj, fetched_at, error in run.lookup(group, fields, platform, account_id):
            if error:  # refused or missing; a refused media may still give its counts (obj)
                yield Bad(obj, error, fetched_at, record_id=ref.post_id)
                if obj is None:
                    continue
            try:
                pairs = list(values_of(obj))
            except BAD_RECORD as exc:
                yield Bad(obj, exc, fetched_at, record_id=ref.post_id)
                continue
            day = fetched_at.date()
            for metric, raw_value in pairs:
                try:
                    value = rows.check_metric(metric, raw_value)
                except BAD_RECORD as exc:
                    record = {"metric": metric, "value": raw_value}
                    yield Bad(record, exc, fetched_at, record_id=f"{ref.post_id}/{metric}")
                    continue
                yield {
                    id_col: ref.post_id,
                    acc_col: account_id,
                    "snapshot_date": day,
                    "metric": metric,
                    "value": value,
                    "fetched_at": fetched_at,
                }


def facebook_page_follows(run: MetaRun, _brand: str, page_id: str) -> Iterator[Any]:
    """Daily Page follower totals (``page_follows``), backfilled on the first run, then
    re-read from a few days before the last day loaded (Meta revises recent values)."""
    last = run.state("facebook_page_follows_last_date").get(page_id)
    today = run.account("facebook", page_id).fetched_at.date()
    if last:
        start = date.fromisoformat(last) - timedelta(days=s.FOLLOWERS_REFETCH_DAYS)
    else:
        start = today - timedelta(days=run.options.followers_backfill_days)
    end = window_end("facebook_page_follows", page_id, start, today)  # a backfill window
    yield from _series(run, "facebook", page_id, start, end)
    if end < today:  # the next window starts here, even after days without data
        last_dates = run.state("facebook_page_follows_last_date")
        last_dates[page_id] = max(end.isoformat(), last_dates.get(page_id, ""))


def instagram_follower_gains(run: MetaRun, _brand: str, ig_id: str) -> Iterator[Any]:
    """Daily IG follower gains (``follower_count``), last 28 days each run (API limit 30)."""
    today = run.account("instagram", ig_id).fetched_at.date()
    yield from _series(run, "instagram", ig_id, today - timedelta(days=s.IG_FOLLOWER_DAYS), today)


SERIES = {
    "facebook": ("facebook_page_follows", s.FB_FOLLOWS_METRIC, "page_id", "followers"),
    "instagram": ("instagram_follower_gains", s.IG_FOLLOWER_METRIC, "ig_user_id", "follower_gain"),
}
"""platform -> (table, metric, account column, value column) of its daily follower series."""


def _series(
    run: MetaRun, platform: str, account_id: str, start: date, today: date
) -> Iterator[Any]:
    """The account's daily follower metric from ``start`` to ``today``, in since/until windows
    of at most PAGE_INSIGHTS_MAX_DAYS (Graph's limit per call); the newest day loaded goes to
    the source state (``<table>_last_date``)."""
    table, metric, acc_col, val_col = SERIES[platform]
    end = today + timedelta(days=1)
    span = timedelta(days=s.PAGE_INSIGHTS_MAX_DAYS - 1)
    newest: date | None = None
    while start < end:
        until = min(start + span, end)
        params = {"metric": metric, "period": "day", "since": str(start), "until": str(until)}
        resp = run.client.get(
            f"{account_id}/insights", params, platform=platform, account_id=account_id
        )
        for value in rows.series_values(resp.data, metric):
            try:
                day, count = rows.series_point(value, metric)
            except BAD_RECORD as exc:
                rid = f"{account_id}/{_end_time(value)}"
                yield Bad(value, exc, resp.fetched_at, record_id=rid)
                continue
            newest = day if newest is None else max(newest, day)
            yield {acc_col: account_id, "date": day, val_col: count, "fetched_at": resp.fetched_at}
        start = until
    if newest is not None:
        last_dates = run.state(f"{table}_last_date")
        last_dates[account_id] = max(newest.isoformat(), last_dates.get(account_id, ""))


def _end_time(value: Any) -> Any:
    return value.get("end_time") if isinstance(value, dict) else None


FACEBOOK = (
    facebook_pages,
    facebook_posts,
    facebook_post_insights,
    facebook_comments,
    facebook_page_follows,
)
"""The tables of each Facebook Page, one function each (named after its table)."""

INSTAGRAM = (
    instagram_accounts,
    instagram_media,
    instagram_media_insights,
    instagram_comments,
    instagram_follower_gains,
)
"""The tables of each Instagram business account."""
