"""Per-run state of one ``youtube_source()``: clients, channel answers, listings, video batches.

Uploads are listed once per channel and reused by the videos, stats and comments resources, so
a run spends one listing (quota) however many resources are selected. The listing owns the
incremental cursor in dlt source state, which therefore moves only when the load succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from ingestion.google_oauth import GoogleOAuth, google_token
from ingestion.http import ApiClient, RetryPolicy, SourceError
from ingestion.incremental import Listing, chunks, relist, source_state
from ingestion.oauth import BearerToken
from ingestion.privacy import lazy_pseudonymiser
from ingestion.quarantine import BAD_RECORD, Bad, nested_obj
from ingestion.snapshot_ages import Schedule, due
from pulse_config.registry import Registry

from . import rows
from . import settings as s
from .helpers import Page, get, items_of, make_client, paginate

logger = logging.getLogger(__name__)


@dataclass
class YouTubeOptions:
    """Resolved source arguments."""

    oauth: GoogleOAuth
    api_key: str | None
    pseudonymisation_key: str | None
    base_url: str
    analytics_base_url: str
    stats_window_days: int
    analytics_backfill_days: int
    analytics_refetch_days: int
    analytics_page_size: int
    playlist_page_size: int
    comments_page_size: int
    quota_retries: int
    policy: RetryPolicy
    schedule: Schedule = Schedule()
    """Video ages at which statistics are snapshotted (``ingestion.snapshot_ages``)."""


@dataclass
class Videos:
    """``videos.list`` results of one channel's listed uploads."""

    videos: list[dict[str, Any]] = field(default_factory=list)
    stats: list[dict[str, Any]] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    """Ids of the videos set aside (``bad``) whose comments are still read."""


class YouTubeRun:
    """Lazily built clients and hasher, cached channel answers, listings and video batches."""

    def __init__(self, options: YouTubeOptions, registry: Registry) -> None:
        self.options, self.registry = options, registry
        self.hasher = lazy_pseudonymiser(options.pseudonymisation_key, source=s.SOURCE_NAME)
        self._channels: dict[str, Page] = {}
        self._listings: dict[str, Listing[rows.VideoRef]] = {}
        self._videos: dict[str, Videos] = {}
        self._due: dict[str, list[dict[str, Any]]] = {}
        self.upload_totals: dict[str, tuple[Any, datetime]] = {}
        """Per channel: the uploads listing's first ``pageInfo.totalResults`` and its time."""

    def _check_credentials(self, analytics: bool) -> None:
        o = self.options
        if not o.oauth.configured and (analytics or not o.api_key):
            need = "an OAuth access token" if analytics else "an OAuth access token or API key"
            raise SourceError(
                s.SOURCE_NAME,
                "*",
                f"no credentials: the {'Analytics' if analytics else 'Data'} API needs {need}; "
                "set SOURCES__YOUTUBE__ACCESS_TOKEN or sources.youtube.access_token (or "
                "sources.youtube.refresh_token, client_id and client_secret) in .dlt/secrets.toml",
            )

    @cached_property
    def token(self) -> BearerToken | None:
        """The one OAuth token of both APIs (None in API-key mode): one renewal serves both."""
        if not self.options.oauth.configured:
            return None
        return google_token(s.SOURCE_NAME, self.options.oauth, s.OAUTH_SCOPES)

    def _client(self, analytics: bool) -> ApiClient:
        """The Data or Analytics API client, after checking that its credentials are set."""
        self._check_credentials(analytics)
        o = self.options
        return make_client(
            o.analytics_base_url if analytics else o.base_url,
            s.ANALYTICS_PREFIX if analytics else s.DATA_PREFIX,
            token=self.token,
            api_key=None if analytics else o.api_key,
            policy=o.policy,
            quota_retries=o.quota_retries,
        )

    @cached_property
    def data(self) -> ApiClient:
        """Data API client (built on first use: building the source needs no secret)."""
        return self._client(analytics=False)

    @cached_property
    def analytics(self) -> ApiClient:
        """Analytics API client (built on first use, OAuth only)."""
        return self._client(analytics=True)

    def accounts(self) -> list[tuple[str, str]]:
        return self.registry.accounts(s.SOURCE_NAME)

    state = staticmethod(source_state)

    def channel(self, channel_id: str) -> tuple[dict[str, Any], datetime]:
        """The channel item (fetched once per run) and the server's clock of that answer."""
        if channel_id not in self._channels:
            params = {"part": "snippet,contentDetails,statistics", "id": channel_id}
            self._channels[channel_id] = get(self.data, "channels", params, channel_id)
        page = self._channels[channel_id]
        items = items_of(page, channel_id)
        if not items:
            raise SourceError(
                s.SOURCE_NAME,
                channel_id,
                "channels.list returned no channel for this id "
                "(deleted channel or wrong id in config/brands.yaml)",
            )
        return items[0], page.fetched_at

    def uploads_playlist(self, channel_id: str) -> str:
        item, _ = self.channel(channel_id)
        details = nested_obj(item.get("contentDetails"), "contentDetails")
        return rows.req_id(nested_obj(details.get("relatedPlaylists"), "p"), "uploads")

    def listing(self, channel_id: str) -> Listing[rows.VideoRef]:
        """Uploads published since min(cursor, now - window); all of them on the first run.

        The uploads playlist lists newest first, so paging stops at the first item before that.
        """
        if channel_id in self._listings:
            return self._listings[channel_id]
        _, now = self.channel(channel_id)
        params = {
            "part": "snippet,contentDetails",
            "playlistId": self.uploads_playlist(channel_id),
            "maxResults": self.options.playlist_page_size,
        }
        pages = (
            (items_of(page, channel_id), page.fetched_at)
            for page in self._noting_total(
                channel_id, paginate(self.data, "playlistItems", params, channel_id)
            )
        )
        listing = relist(
            channel_id,
            now,
            timedelta(days=self.options.stats_window_days),
            pages,
            lambda raw, fetched_at: rows.playlist_item(raw, channel_id, fetched_at),
            lambda ref: ref.published_at,
            what=(f"youtube: channel {channel_id}", "uploads"),
            key=lambda ref: ref.video_id,  # a page window's floor: items of the same second
            salvage=rows.playlist_video_id_of,  # a video set aside keeps its comments
        )
        self._listings[channel_id] = listing
        return listing

    def _noting_total(self, channel_id: str, pages: Iterator[Page]) -> Iterator[Page]:
        """The pages as they come; the first one's ``pageInfo.totalResults`` is noted (the
        completeness check compares it with the uploads loaded)."""
        for page in pages:
            info = page.data.get("pageInfo")
            total = info.get("totalResults") if isinstance(info, dict) else None
            self.upload_totals.setdefault(channel_id, (total, page.fetched_at))
            yield page

    def uploads(self, channel_id: str, since: datetime) -> list[rows.VideoRef]:
        """Uploads published since ``since``: the run's listing when it went that far back, else
        a listing of ids and dates of its own (1 unit a 50 uploads; the cursor does not move).

        The per-video analytics need it on their first run for a channel whose playlist cursor
        predates them (the run's listing then covers the stats window only).
        """
        listing = self.listing(channel_id)
        if listing.since is None or listing.since <= since:
            return [ref for ref in listing.refs if ref.published_at >= since]
        params = {
            "part": "contentDetails",
            "playlistId": self.uploads_playlist(channel_id),
            "maxResults": s.PLAYLIST_PAGE_SIZE,
        }
        refs: list[rows.VideoRef] = []
        for page in paginate(self.data, "playlistItems", params, channel_id):
            reached = False
            for raw in items_of(page, channel_id):
                try:
                    _, ref = rows.playlist_item(raw, channel_id, page.fetched_at)
                except BAD_RECORD as exc:  # its own table quarantines it when listed
                    logger.warning("youtube: channel %s: upload skipped: %s", channel_id, exc)
                    continue
                reached = reached or ref.published_at < since
                if ref.published_at >= since:
                    refs.append(ref)
            if reached:
                break
        return refs

    def snapshot_stats(self, channel_id: str, note: bool = True) -> list[dict[str, Any]]:
        """The statistics rows of the listed uploads due today: all of them on the first run,
        then those whose age is on the snapshot schedule (``ingestion.snapshot_ages``). Once
        per run and channel; ``note=False`` (the comments resource) asks without noting the
        run in source state when the statistics were not read."""
        if channel_id in self._due:
            return self._due[channel_id]
        listing = self.listing(channel_id)
        published = {ref.video_id: ref.published_at.date() for ref in listing.refs}
        stats = [row for row in self.videos(channel_id).stats if row["video_id"] in published]
        _, now = self.channel(channel_id)
        found = due(
            self.options.schedule,
            channel_id,
            stats,
            lambda row: published[row["video_id"]],
            now.date(),
            listed_all=listing.since is None,
            note=note,
        )
        if note:
            self._due[channel_id] = found
        return found

    def videos(self, channel_id: str) -> Videos:
        """``videos.list`` of the listed uploads, 50 ids per call (the API's maximum)."""
        if channel_id in self._videos:
            return self._videos[channel_id]
        out = Videos()
        ids = [ref.video_id for ref in self.listing(channel_id).refs]
        for batch in chunks(ids, s.VIDEOS_BATCH):
            params = {"part": "snippet,statistics,contentDetails", "id": ",".join(batch)}
            page = get(self.data, "videos", params, channel_id)
            items = items_of(page, channel_id)
            for raw in items:
                try:
                    video, snap = rows.video_rows(raw, page.fetched_at)
                except BAD_RECORD as exc:
                    out.bad.append(Bad(raw, exc, page.fetched_at))
                    orphan = rows.video_id_of(raw)
                    if orphan is not None:
                        out.orphans.append(orphan)
                    continue
                out.videos.append(video)
                out.stats.append(snap)
            seen = {raw.get("id") for raw in items if isinstance(raw, dict)}
            for gone in sorted(set(batch) - seen):
                logger.info(
                    "youtube: channel %s: video %s not returned (private or deleted)",
                    channel_id,
                    gone,
                )
        self._videos[channel_id] = out
        return out
