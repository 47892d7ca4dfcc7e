"""The YouTube Data API resources, one function per table: what one channel gives it this run.

Each function takes the run and one ``(brand_id, channel_id)`` of the brand registry and yields
rows, ``Bad`` records and, for comments, ``comments_disabled`` rows; ``ingestion.accounts``
walks the channels, batches the rows as Arrow and quarantines the bad records. The uploads
listing and the videos.list batches are cached on the run (``context.py``); the two Analytics
tables are in ``analytics.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa

from ingestion import completeness
from ingestion.quarantine import BAD_RECORD, Bad, row_or_bad
from ingestion.tables import arrow_table, merge_hints

from . import rows
from . import settings as s
from .analytics import channel_daily, video_daily
from .context import YouTubeRun
from .helpers import CommentsDisabled, paginate

DISABLED_TABLE = "comments_disabled"
COUNTS_KEY = "comment_counts"
"""Source state: per channel, the ``commentCount`` of each listed video at its last load."""


def arrow(table: str, data: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table with the raw table's schema (dlt loads Arrow much faster)."""
    return arrow_table(s.COLUMNS[table], data)


def channels(run: YouTubeRun, brand_id: str, channel_id: str) -> Iterator[Any]:
    """Daily channel snapshot (subscribers, views, uploads playlist), dated by the server."""
    item, fetched_at = run.channel(channel_id)
    yield row_or_bad(
        lambda: rows.channel_row(item, brand_id, fetched_at),
        item,
        fetched_at,
        record_id=channel_id,
    )
    stats = item.get("statistics") if isinstance(item, dict) else None
    yield from completeness.reported(  # public videos only, even to the owner
        channel_id,
        "statistics.videoCount",
        stats.get("videoCount") if isinstance(stats, dict) else None,
        fetched_at,
        "playlist_items",
        brand_id=brand_id,
        scope="public videos",
    )


def playlist_items(run: YouTubeRun, brand_id: str, channel_id: str) -> Iterator[Any]:
    """Uploads playlist items published since the cursor minus the window."""
    yield from run.listing(channel_id).items()
    total, fetched_at = run.upload_totals.get(channel_id, (None, None))
    if fetched_at is not None:
        yield from completeness.reported(
            channel_id,
            "pageInfo.totalResults",
            total,
            fetched_at,
            "playlist_items",
            brand_id=brand_id,
            scope="uploads playlist",
        )


def videos(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Metadata of listed uploads (videos.list, 50 ids per call); Shorts by duration."""
    batch = run.videos(channel_id)
    yield from batch.bad
    yield from batch.videos


def video_stats(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Lifetime statistics of the listed uploads due on the snapshot schedule."""
    yield from run.snapshot_stats(channel_id)


def comments(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Threads and every reply of the listed uploads whose comments may have changed
    (``_commented``); authors pseudonymised. A video whose comments are disabled (403
    commentsDisabled) goes to ``comments_disabled``. Each listed video's ``commentCount`` is
    noted in source state (``comment_counts``) once its comments are read, committed with
    the load, so a failed run reads them again."""
    hasher = run.hasher()
    listed, todo = _commented(run, channel_id)
    for video_id, fetched_at in todo:
        try:
            yield from _video_comments(run, channel_id, video_id, hasher)
        except CommentsDisabled as exc:
            row = {
                "video_id": video_id,
                "channel_id": channel_id,
                "reason": exc.reason,
                "message": exc.google_message,
                "fetched_at": fetched_at,
            }
            hints = dlt.mark.make_hints(
                table_name=DISABLED_TABLE,
                **merge_hints(s.PRIMARY_KEYS[DISABLED_TABLE], s.COLUMNS[DISABLED_TABLE]),
            )
            yield dlt.mark.with_hints(row, hints, create_table_variant=True)
    book = run.state(COUNTS_KEY).setdefault(channel_id, {})
    book.update(listed)
    if run.listing(channel_id).since is not None:  # a complete re-list: forget older videos
        for gone in set(book) - set(listed):
            del book[gone]


def _commented(run: YouTubeRun, channel_id: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The ``commentCount`` of every listed upload (None: comments disabled), and (video id,
    when it was seen) of those whose comments are read this run: a count that is not 0 and
    moved since the last load (or was never loaded), or a video due on the snapshot schedule
    today (``ingestion.snapshot_ages``: every video on the first run; a re-read that also
    catches an edit or a deletion the count does not show); and the videos set aside for a bad
    field, by ``videos`` or ``playlist_items`` (read anyway, so a bad field does not lose
    their comments). ``commentCount`` counts replies too (docs/sources/youtube.md)."""
    batch = run.videos(channel_id)
    _, now = run.channel(channel_id)
    loaded = run.state(COUNTS_KEY).get(channel_id) or {}
    scheduled = {row["video_id"] for row in run.snapshot_stats(channel_id, note=False)}
    listed = {row["video_id"]: row["comment_count"] for row in batch.stats}
    todo = {
        row["video_id"]: row["fetched_at"]
        for row in batch.stats
        if row["comment_count"] != 0
        and (
            row["video_id"] in scheduled
            or row["video_id"] not in loaded
            or loaded[row["video_id"]] != row["comment_count"]
        )
    }
    for video_id in batch.orphans + run.listing(channel_id).orphans:
        todo.setdefault(video_id, now)
    return listed, list(todo.items())


def _video_comments(run: YouTubeRun, channel_id: str, video_id: str, hasher: Any) -> Iterator[Any]:
    """Every thread of one video (newest first) and all replies: embedded ones when complete,
    else ``comments.list?parentId=``."""
    size = run.options.comments_page_size
    params = {
        "part": "snippet,replies",
        "videoId": video_id,
        "maxResults": size,
        "order": "time",
        "textFormat": "plainText",
    }
    for page in paginate(run.data, "commentThreads", params, channel_id):
        for raw in page.data.get("items") or []:
            try:
                top, total, embedded = rows.thread_parts(raw)
                thread_id = rows.req_id(raw, "id")
                top_row = rows.comment_row(
                    top,
                    channel_id,
                    page.fetched_at,
                    hasher,
                    thread_id=thread_id,
                    total_reply_count=total,
                )
            except BAD_RECORD as exc:
                yield Bad(rows.redact(raw, hasher), exc, page.fetched_at)
                continue
            yield top_row
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
                    row = rows.comment_row(
                        reply, channel_id, page.fetched_at, hasher, thread_id=thread_id
                    )
                except BAD_RECORD as exc:
                    yield Bad(rows.redact(reply, hasher), exc, page.fetched_at)
                    continue
                yield row


TABLES = (
    channels,
    playlist_items,
    videos,
    video_stats,
    comments,
    video_daily,
    channel_daily,
)
"""Every table of the source, in load order; each function's name is its table's."""
VARIANTS = {
    "comments": (DISABLED_TABLE,),
    "channels": (completeness.TABLE,),
    "playlist_items": (completeness.TABLE,),
}
"""Tables a resource writes beside its own."""
