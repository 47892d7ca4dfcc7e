"""dlt source for the TikTok Display API v2: account stats and videos with their counts.

Loads the ``raw_tiktok`` tables of docs/sources/tiktok.md for every ``tiktok`` account (open_id)
of the brand registry. Targets https://open.tiktokapis.com by default; point ``base_url`` (env
``SOURCES__TIKTOK__BASE_URL``) at ``http://127.0.0.1:PORT/tiktok`` for the sandbox. Building
the source needs no secret: tokens are resolved per account when data is extracted.

The Display API has no comments (those need the Research / Business APIs, out of scope) and no
reach: views and the like/comment/share counts only. Nothing it returns is a third person's
data (the account is the brand's own), so there is nothing to pseudonymise here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion.http import Answer, ApiClient, RetryPolicy, retry_policy
from ingestion.incremental import advance_cursor, relist_since, since_label, source_state
from ingestion.quarantine import (
    InvalidRecord,
    Quarantine,
    reason_of,
    record_id_of,
)
from ingestion.tables import SCHEMA_CONTRACT, merge_resource
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)

# Anything a malformed record can make the row builders raise: quarantined, never fatal.
BAD_RECORD = (InvalidRecord, KeyError, TypeError, ValueError, AttributeError)


@dataclass
class Listing:
    """Videos of one account listed this run: rows for both tables and quarantine items."""

    videos: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    bad: list[Any] = field(default_factory=list)


class TikTokRun:
    """Per-run caches: one client and one user/info answer per account, one listing each.

    The listing owns the incremental cursor (dlt source state), so it advances only when the
    load succeeds. Build a fresh source per run.
    """

    def __init__(
        self,
        tokens: Mapping[str, str] | str | None,
        token: str | None,
        base_url: str,
        policy: RetryPolicy,
        window_days: int,
        page_size: int,
        video_fields: Sequence[str],
        accounts: list[tuple[str, str]],
    ) -> None:
        self.tokens, self.token, self.base_url, self.policy = tokens, token, base_url, policy
        self.window = timedelta(days=window_days)
        self.page_size, self.video_fields, self.accounts = page_size, video_fields, accounts
        self.quarantine = Quarantine(s.SOURCE_NAME)
        self._clients: dict[str, ApiClient] = {}
        self._users: dict[str, Answer] = {}
        self._listings: dict[str, Listing] = {}

    def client(self, open_id: str) -> ApiClient:
        if open_id not in self._clients:
            token = h.token_for(open_id, self.tokens, self.token)
            self._clients[open_id] = h.make_client(self.base_url, token, self.policy)
        return self._clients[open_id]

    def user(self, open_id: str) -> Answer:
        """The account's user/info (once per run); checks the token is this account's."""
        if open_id not in self._users:
            self._users[open_id] = h.user_info(self.client(open_id), open_id)
        return self._users[open_id]

    def listing(self, open_id: str) -> Listing:
        """Videos created since min(cursor, now - window); all of them on the first run."""
        if open_id in self._listings:
            return self._listings[open_id]
        now = self.user(open_id).fetched_at
        cursors = source_state("cursors")
        since = relist_since(cursors.get(open_id), now, self.window)
        out, newest = Listing(), None
        pages = h.video_pages(
            self.client(open_id), open_id, self.video_fields, self.page_size, since
        )
        for videos, ans in pages:
            for raw in videos:
                try:
                    video, metrics, created = h.video_rows(raw, open_id, ans.fetched_at)
                except BAD_RECORD as exc:
                    item = self.quarantine.row(
                        "tiktok_videos", raw, reason_of(exc), ans.fetched_at, record_id=_rid(raw)
                    )
                    out.bad.append(item)
                    continue
                if since is not None and created < since:
                    continue
                out.videos.append(video)
                out.metrics.append(metrics)
                newest = created if newest is None or created > newest else newest
        advance_cursor(cursors, open_id, newest)
        logger.info(
            "tiktok: %s: %d videos listed (since %s), %d quarantined",
            open_id,
            len(out.videos),
            since_label(since),
            len(out.bad),
        )
        self._listings[open_id] = out
        return out


def _rid(raw: Any) -> str:
    return record_id_of(raw, "id")


def _resource(fn: Any, name: str) -> DltResource:
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name])


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def tiktok_source(
    access_tokens: dict[str, str] | None = dlt.secrets.value,
    access_token: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    metrics_window_days: int = s.METRICS_WINDOW_DAYS,
    page_size: int = s.MAX_COUNT,
    video_fields: list[str] | None = None,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """TikTok accounts of the brand registry (key ``tiktok`` = open_id), incrementally.

    Args:
        access_tokens: open_id -> user access token (secret ``sources.tiktok.access_tokens``;
            env ``SOURCES__TIKTOK__ACCESS_TOKENS`` as a JSON object); checked at extract time.
        access_token: one token for accounts missing from ``access_tokens``.
        base_url: API host, ``https://open.tiktokapis.com`` (sandbox: ``http://host:port/tiktok``).
        metrics_window_days: videos younger than this are re-listed each run and get a fresh
            dated snapshot of their counts (all videos on the first run).
        page_size: ``max_count`` of video/list (TikTok maximum 20).
        video_fields: video/list ``fields`` (default settings.VIDEO_FIELDS); extra fields are
            loaded as new columns of ``tiktok_videos``.
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy per request (rate_limit_exceeded, internal_error, timeouts).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    run = TikTokRun(
        access_tokens,
        access_token,
        base_url,
        retry_policy(
            max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
        ),
        metrics_window_days,
        page_size,
        tuple(video_fields or s.VIDEO_FIELDS),
        load_registry(registry_path).accounts(s.REGISTRY_KEY),
    )
    q = run.quarantine

    def tiktok_accounts() -> Iterator[Any]:
        """Daily snapshot of each account's followers, likes and video counts (user/info)."""
        for brand_id, open_id in run.accounts:
            ans = run.user(open_id)
            user = ans.json()["data"].get("user")
            try:
                yield h.to_arrow(
                    "tiktok_accounts", [h.account_row(user, open_id, brand_id, ans.fetched_at)]
                )
            except BAD_RECORD as exc:
                yield q.row(
                    "tiktok_accounts", user, reason_of(exc), ans.fetched_at, record_id=open_id
                )
        q.summary("tiktok_accounts")

    def tiktok_videos() -> Iterator[Any]:
        """Videos created since the cursor minus the window (all on the first run), by video_id."""
        for _brand, open_id in run.accounts:
            listing = run.listing(open_id)
            yield from listing.bad
            if listing.videos:
                yield h.to_arrow("tiktok_videos", listing.videos)
        q.summary("tiktok_videos")

    def tiktok_video_metrics() -> Iterator[Any]:
        """Lifetime view/like/comment/share counts of the listed videos, one snapshot a day."""
        for _brand, open_id in run.accounts:
            listing = run.listing(open_id)
            for i in range(0, len(listing.metrics), s.ARROW_FLUSH_ROWS):
                yield h.to_arrow(
                    "tiktok_video_metrics", listing.metrics[i : i + s.ARROW_FLUSH_ROWS]
                )

    return [
        _resource(fn, fn.__name__) for fn in (tiktok_accounts, tiktok_videos, tiktok_video_metrics)
    ]
