"""dlt source for YouTube: Data API v3 (channels, uploads, videos, comments) + Analytics API v2.

Loads the ``raw_youtube`` tables of docs/sources/youtube.md for every channel of the brand
registry (key ``youtube``). Targets https://www.googleapis.com and
https://youtubeanalytics.googleapis.com by default; point ``base_url`` and
``analytics_base_url`` (env ``SOURCES__YOUTUBE__BASE_URL`` / ``..._ANALYTICS_BASE_URL``) at
``http://127.0.0.1:PORT/youtube`` to run against the sandbox. Building the source needs no
secret: the token and the pseudonymisation key are checked when data is extracted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.http import retry_policy
from ingestion.quarantine import BAD_RECORD, reason_of
from ingestion.tables import SCHEMA_CONTRACT, arrow_table, merge_hints, merge_resource
from pulse_config.registry import load_registry

from . import analytics, rows
from . import settings as s
from .context import YouTubeOptions, YouTubeRun
from .helpers import CommentsDisabled, paginate

DISABLED_TABLE = "comments_disabled"


def _hints(table: str) -> dict[str, Any]:
    return merge_hints(s.PRIMARY_KEYS[table], s.COLUMNS[table])


def _resource(fn: Any, name: str, variants: Sequence[str] = ()) -> DltResource:
    """A merge resource; table variants (quarantine, ...) are registered before its own hints."""
    tables = {table: (s.PRIMARY_KEYS[table], s.COLUMNS[table]) for table in variants}
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name], tables)


def _arrow(table: str, data: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table with the raw table's schema (dlt loads Arrow much faster)."""
    return arrow_table(s.COLUMNS[table], data)


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def youtube_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    api_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    analytics_base_url: str = s.DEFAULT_ANALYTICS_BASE_URL,
    stats_window_days: int = s.STATS_WINDOW_DAYS,
    analytics_backfill_days: int = s.ANALYTICS_BACKFILL_DAYS,
    analytics_refetch_days: int = s.ANALYTICS_REFETCH_DAYS,
    analytics_page_size: int = s.ANALYTICS_PAGE_SIZE,
    playlist_page_size: int = s.PLAYLIST_PAGE_SIZE,
    comments_page_size: int = s.THREADS_PAGE_SIZE,
    quota_retries: int = s.QUOTA_RETRIES,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """YouTube channels of the brand registry, incrementally.

    Args:
        access_token: OAuth token (scopes youtube.readonly, yt-analytics.readonly), secret
            ``sources.youtube.access_token``; checked at extract time.
        pseudonymisation_key: HMAC key for commenter ids/names (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``).
        api_key: Data API key, used only when no access token is set (Analytics needs OAuth).
        base_url / analytics_base_url: Google hosts (sandbox: ``http://127.0.0.1:PORT/youtube``).
        stats_window_days: uploads younger than this are re-listed each run: fresh statistics
            snapshot and comments (all uploads on the first run).
        analytics_backfill_days / analytics_refetch_days: first-run depth of the daily reports
            (per video: the uploads published within it, from their publication day; per
            channel: from today minus it), and the trailing days re-pulled on later runs.
        analytics_page_size, playlist_page_size, comments_page_size: page sizes.
        quota_retries: retries of one request answered ``quotaExceeded`` before failing.
        max_attempts ... request_timeout_s: retry policy per request (ingestion.http).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    options = YouTubeOptions(
        access_token=access_token,
        api_key=api_key,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        analytics_base_url=analytics_base_url,
        stats_window_days=stats_window_days,
        analytics_backfill_days=analytics_backfill_days,
        analytics_refetch_days=analytics_refetch_days,
        analytics_page_size=analytics_page_size,
        playlist_page_size=min(playlist_page_size, s.PLAYLIST_PAGE_SIZE),
        comments_page_size=min(comments_page_size, s.THREADS_PAGE_SIZE),
        quota_retries=quota_retries,
        policy=retry_policy(
            max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
        ),
    )
    run = YouTubeRun(options, load_registry(registry_path))
    q = run.quarantine

    def channels() -> Iterator[Any]:
        """Daily channel snapshot (subscribers, views, uploads playlist), dated by the server."""
        out = []
        for brand_id, channel_id in run.accounts():
            item, fetched_at = run.channel(channel_id)
            try:
                out.append(rows.channel_row(item, brand_id, fetched_at))
            except BAD_RECORD as exc:
                yield q.row("channels", item, reason_of(exc), fetched_at, record_id=channel_id)
        if out:
            yield _arrow("channels", out)
        q.summary("channels")

    def playlist_items() -> Iterator[Any]:
        """Uploads playlist items published since the cursor minus the window."""
        for _brand, channel_id in run.accounts():
            listing = run.listing(channel_id)
            yield from listing.bad
            if listing.rows:
                yield _arrow("playlist_items", listing.rows)
        q.summary("playlist_items")

    def videos() -> Iterator[Any]:
        """Metadata of listed uploads (videos.list, 50 ids per call); Shorts by duration."""
        for _brand, channel_id in run.accounts():
            batch = run.videos(channel_id)
            yield from batch.bad
            if batch.videos:
                yield _arrow("videos", batch.videos)
        q.summary("videos")

    def video_stats() -> Iterator[Any]:
        """Lifetime statistics of listed uploads, one snapshot per video and day."""
        for _brand, channel_id in run.accounts():
            batch = run.videos(channel_id)
            if batch.stats:
                yield _arrow("video_stats", batch.stats)

    def comments() -> Iterator[Any]:
        """Threads and every reply of listed uploads; authors pseudonymised. A video whose
        comments are disabled (403 commentsDisabled) goes to ``comments_disabled``."""
        hasher = run.hasher()
        for _brand, channel_id in run.accounts():
            for stat in run.videos(channel_id).stats:
                if stat["comment_count"] == 0:
                    continue  # the statistics say there is nothing to fetch
                try:
                    yield from _video_comments(run, channel_id, stat["video_id"], hasher)
                except CommentsDisabled as exc:
                    row = {
                        "video_id": stat["video_id"],
                        "channel_id": channel_id,
                        "reason": exc.reason,
                        "message": exc.google_message,
                        "fetched_at": stat["fetched_at"],
                    }
                    yield dlt.mark.with_hints(
                        row,
                        dlt.mark.make_hints(table_name=DISABLED_TABLE, **_hints(DISABLED_TABLE)),
                        create_table_variant=True,
                    )
        q.summary("comments")

    def video_daily() -> Iterator[Any]:
        """Daily series of each video (one ``filters=video==ID`` report per followed video)."""
        yield from analytics.video_daily(run, _arrow)

    def channel_daily() -> Iterator[Any]:
        """Channel-level daily views and subscribers gained/lost (``dimensions=day``)."""
        yield from analytics.channel_daily(run, _arrow)

    return [
        _resource(channels, "channels"),
        _resource(playlist_items, "playlist_items"),
        _resource(videos, "videos"),
        _resource(video_stats, "video_stats"),
        _resource(comments, "comments", variants=(DISABLED_TABLE,)),
        _resource(video_daily, "video_daily"),
        _resource(channel_daily, "channel_daily"),
    ]


def _video_comments(run: YouTubeRun, channel_id: str, video_id: str, hasher: Any) -> Iterator[Any]:
    """Every thread of one video (newest first) and all replies: embedded ones when complete,
    else ``comments.list?parentId=``."""
    q = run.quarantine
    size = run.options.comments_page_size
    params = {
        "part": "snippet,replies",
        "videoId": video_id,
        "maxResults": size,
        "order": "time",
        "textFormat": "plainText",
    }
    for page in paginate(run.data, "commentThreads", params, channel_id):
        out: list[dict[str, Any]] = []
        for raw in page.data.get("items") or []:
            try:
                top, total, embedded = rows.thread_parts(raw)
                thread_id = rows.req_id(raw, "id")
                out.append(
                    rows.comment_row(
                        top,
                        channel_id,
                        page.fetched_at,
                        hasher,
                        thread_id=thread_id,
                        total_reply_count=total,
                    )
                )
            except BAD_RECORD as exc:
                yield q.row("comments", rows.redact(raw, hasher), reason_of(exc), page.fetched_at)
                continue
            replies: Any = embedded
            if total > len(embedded):
                reply_params = {
                    "part": "snippet",
                    "parentId": thread_id,
                    "maxResults": size,
                    "textFormat": "plainText",
                }
                replies = [
                    item
                    for rpage in paginate(run.data, "comments", reply_params, channel_id)
                    for item in rpage.data.get("items") or []
                ]
            for reply in replies:
                try:
                    out.append(
                        rows.comment_row(
                            reply, channel_id, page.fetched_at, hasher, thread_id=thread_id
                        )
                    )
                except BAD_RECORD as exc:
                    yield q.row(
                        "comments", rows.redact(reply, hasher), reason_of(exc), page.fetched_at
                    )
        if out:
            yield _arrow("comments", out)
