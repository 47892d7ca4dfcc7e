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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.http import Answer, ApiClient, RetryPolicy
from ingestion.incremental import (
    Backfill,
    advance_cursor,
    relist_since,
    resumed,
    since_label,
    source_state,
)
from ingestion.quarantine import BAD_RECORD, Bad, Quarantine, row_or_bad
from ingestion.snapshot_ages import due, schedule_of
from ingestion.tables import SCHEMA_CONTRACT
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s
from .auth import TOKEN_PATH, TokenSettings

logger = logging.getLogger(__name__)


@dataclass
class Listing:
    """Videos of one account listed this run: rows for both tables and the bad records."""

    videos: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)


class TikTokRun:
    """Per-run caches: one client and one user/info answer per account, one listing each.

    The listing owns the incremental cursor (dlt source state), so it advances only when the
    load succeeds. Build a fresh source per run.
    """

    def __init__(
        self,
        tokens: TokenSettings,
        base_url: str,
        policy: RetryPolicy,
        rate_limit_wait_s: float,
        window_days: int,
        page_size: int,
        video_fields: Sequence[str],
    ) -> None:
        self.tokens, self.base_url, self.policy = tokens, base_url, policy
        self.rate_limit_wait_s = rate_limit_wait_s
        self.window = timedelta(days=window_days)
        self.page_size, self.video_fields = page_size, video_fields
        self._clients: dict[str, ApiClient] = {}
        self._users: dict[str, Answer] = {}
        self._listings: dict[str, Listing] = {}

    def client(self, open_id: str) -> ApiClient:
        if open_id not in self._clients:
            token = self.tokens.for_account(open_id)
            self._clients[open_id] = h.make_client(
                self.base_url, token, self.policy, self.rate_limit_wait_s
            )
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
        # A long listing loads in page windows (ingestion.incremental.Backfill).
        since = relist_since(cursors.get(open_id), now, self.window)
        backfill = Backfill.resume(open_id, "videos", since)
        since, out = backfill.since, Listing()
        args = (self.client(open_id), open_id, self.video_fields, self.page_size, since)
        pages = resumed(  # a later window resumes below what is loaded: the time cursor
            backfill, h.video_pages(*args), lambda floor, _ids: h.video_pages(*args, floor)
        )
        for videos, ans in () if backfill.done else pages:  # done: listed by an earlier window
            for raw in videos:
                try:
                    video, metrics, created = h.video_rows(
                        raw, open_id, ans.fetched_at, self.video_fields
                    )
                except BAD_RECORD as exc:
                    out.bad.append(Bad(raw, exc, ans.fetched_at))
                    continue
                if since is not None and created < since:
                    continue
                if not backfill.admit(created, str(video["video_id"])):
                    continue  # an earlier window loaded it
                out.videos.append(video)
                out.metrics.append(metrics)
            if not backfill.turn_page():
                break
        advance_cursor(cursors, open_id, backfill.close())
        logger.info(
            "tiktok: %s: %d videos listed (since %s), %d quarantined",
            open_id,
            len(out.videos),
            since_label(since),
            len(out.bad),
        )
        self._listings[open_id] = out
        return out


def tiktok_accounts(run: TikTokRun, brand_id: str, open_id: str) -> Iterator[Any]:
    """Daily snapshot of each account's followers, likes and video counts (user/info)."""
    ans = run.user(open_id)
    user = ans.json()["data"].get("user")
    yield row_or_bad(
        lambda: h.account_row(user, open_id, brand_id, ans.fetched_at),
        user,
        ans.fetched_at,
        record_id=open_id,
    )


def tiktok_videos(run: TikTokRun, _brand: str, open_id: str) -> Iterator[Any]:
    """Videos created since the cursor minus the window (all on the first run), by video_id."""
    listing = run.listing(open_id)
    yield from listing.bad
    yield from listing.videos


def tiktok_video_metrics(run: TikTokRun, _brand: str, open_id: str) -> Iterator[Any]:
    """Lifetime view/like/comment/share counts of the listed videos due on the snapshot
    schedule (``ingestion.snapshot_ages``, ``sources.tiktok.snapshot_ages``)."""
    listing, today = run.listing(open_id), run.user(open_id).fetched_at.date()
    published = {v["video_id"]: v["create_time"].date() for v in listing.videos}
    metrics = [m for m in listing.metrics if m["video_id"] in published]
    yield from due(
        schedule_of(s.SOURCE_NAME), open_id, metrics, lambda m: published[m["video_id"]], today
    )


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def tiktok_source(
    access_tokens: dict[str, str] | None = dlt.secrets.value,
    access_token: str | None = dlt.secrets.value,
    refresh_tokens: dict[str, str] | None = dlt.secrets.value,
    client_key: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    token_url: str | None = None,
    metrics_window_days: int = s.METRICS_WINDOW_DAYS,
    video_fields: list[str] | None = None,
    registry_path: str | None = None,
    _http: s.TikTokHttp | None = None,
) -> Sequence[DltResource]:
    """TikTok accounts of the brand registry (key ``tiktok`` = open_id), incrementally.

    Args:
        access_tokens: open_id -> user access token (secret ``sources.tiktok.access_tokens``;
            env ``SOURCES__TIKTOK__ACCESS_TOKENS`` as a JSON object); checked at extract time.
        access_token: one token for accounts missing from ``access_tokens``.
        refresh_tokens: open_id -> refresh token (``sources.tiktok.refresh_tokens``, a JSON
            object in env); with ``client_key`` and ``client_secret`` (the app's credentials)
            an account's access token renews itself (ingestion/tiktok/auth.py).
        base_url: API host, ``https://open.tiktokapis.com`` (sandbox: ``http://host:port/tiktok``).
        token_url: TikTok's token endpoint; default ``base_url`` + ``/v2/oauth/token/``.
        metrics_window_days: videos younger than this are re-listed each run and get a fresh
            dated snapshot of their counts (all videos on the first run).
        video_fields: video/list ``fields`` (default settings.VIDEO_FIELDS); extra fields are
            loaded as new columns of ``tiktok_videos``.
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (rate_limit_exceeded, internal_error, timeouts) and
            ``page_size``, the ``max_count`` of video/list: ``settings.TikTokHttp``, set as
            ``sources.tiktok.max_attempts`` etc.
    """
    http = _http or s.TikTokHttp()
    tokens = TokenSettings(
        access_tokens,
        access_token,
        refresh_tokens,
        client_key,
        client_secret,
        token_url or base_url.rstrip("/") + TOKEN_PATH,
    )
    run = TikTokRun(
        tokens,
        base_url,
        http.policy(),
        http.rate_limit_wait_s,
        metrics_window_days,
        http.page_size_within(s.MAX_COUNT),
        tuple(video_fields or s.VIDEO_FIELDS),
    )
    loop = AccountLoop(
        load_registry(registry_path).accounts(s.REGISTRY_KEY),
        Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS),
        h.to_arrow,
        declared(s.PRIMARY_KEYS, s.COLUMNS),
    )
    return loop.resources(run, (tiktok_accounts, tiktok_videos, tiktok_video_metrics))
