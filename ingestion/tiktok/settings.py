"""Constants of the TikTok source: endpoints, field lists, HTTP settings, raw table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import DATE_KEY, INT, KEY, TEXT, TS

SOURCE_NAME = "tiktok"
REGISTRY_KEY = "tiktok"  # the open_id of the authorised account in config/brands.yaml
DEFAULT_BASE_URL = "https://open.tiktokapis.com"
DEFAULT_DATASET = "raw_tiktok"

USER_INFO_PATH = "/v2/user/info/"
VIDEO_LIST_PATH = "/v2/video/list/"
USER_FIELDS = (
    "open_id",
    "union_id",
    "display_name",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
)
VIDEO_FIELDS = (
    "id",
    "title",
    "video_description",
    "create_time",
    "cover_image_url",
    "share_url",
    "duration",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
COUNT_FIELDS = ("view_count", "like_count", "comment_count", "share_count")
MAX_COUNT = 20  # Display API maximum per video/list page (more: invalid_params)
# Videos younger than this are re-listed and re-snapshotted each run: 29 days keeps a snapshot
# at D+28 (a video of any hour of day D is still inside on day D+28), the marts' last age.
METRICS_WINDOW_DAYS = 29
ARROW_FLUSH_ROWS = 20_000

RETRY_CODES = frozenset({"rate_limit_exceeded", "internal_error"})
RATE_WINDOW_S = 60.0  # the sliding window of TikTok's per-endpoint rate limit
# scope_permission_missed (HTTP 400): "some fields need additional scopes" (TikTok's error list,
# https://developers.tiktok.com/doc/tiktok-api-v2-error-handling): re-authorise, not a bad request.
AUTH_CODES = frozenset({"access_token_invalid", "scope_not_authorized", "scope_permission_missed"})


COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "tiktok_accounts": {
        "open_id": KEY,
        "brand_id": TEXT,
        "union_id": TEXT,
        "display_name": TEXT,
        "follower_count": INT,
        "following_count": INT,
        "likes_count": INT,
        "video_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": TS,
    },
    "tiktok_videos": {
        "video_id": KEY,
        "open_id": TEXT,
        "title": TEXT,
        "video_description": TEXT,
        "create_time": TS,
        "cover_image_url": TEXT,
        "share_url": TEXT,
        "duration": INT,
        "fetched_at": TS,
    },
    "tiktok_video_metrics": {
        "video_id": KEY,
        "open_id": TEXT,
        "snapshot_date": DATE_KEY,
        "view_count": INT,
        "like_count": INT,
        "comment_count": INT,
        "share_count": INT,
        "fetched_at": TS,
    },
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "tiktok_accounts": ("open_id", "snapshot_date"),
    "tiktok_videos": ("video_id",),
    "tiktok_video_metrics": ("video_id", "snapshot_date"),
}


@configspec
class TikTokHttp(HttpConfig):
    """TikTok's retry policy and page size (``sources.tiktok.max_attempts`` etc.).

    TikTok allows 600 requests per endpoint in a sliding minute and names no wait when it
    refuses one (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit). The shared
    backoff (2 s, doubling) gave up after about 31-62 s of waits, so a backfill of 50 accounts
    (about 1,200 video/list requests) failed on its first full window. A refusal
    (``rate_limit_exceeded``) therefore waits ``rate_limit_wait_s``, one whole window: this
    account's client sends nothing meanwhile, so its earlier requests have all left the window
    when it asks again. Other retried errors (``internal_error``, 5xx, timeouts) keep the
    shared backoff. ``page_size`` is the ``max_count`` of video/list (at most ``MAX_COUNT``).
    """

    rate_limit_wait_s: float = RATE_WINDOW_S
    """Wait after ``rate_limit_exceeded`` when the answer names none (``Retry-After`` wins)."""
    page_size: int | None = MAX_COUNT


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = frozenset(
    {"data", "error", "code", "message", "log_id", "user", "videos", "cursor", "has_more",
     *USER_FIELDS, *VIDEO_FIELDS}
)  # fmt: skip
