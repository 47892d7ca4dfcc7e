"""Constants of the YouTube source: hosts, paging limits, windows, HTTP settings, table columns."""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec

from ingestion.http import HttpConfig
from ingestion.tables import BOOL, DATE_KEY, DOUBLE, INT, KEY, TEXT, TS

SOURCE_NAME = "youtube"
DEFAULT_DATASET = "raw_youtube"
DEFAULT_BASE_URL = "https://www.googleapis.com"  # Data API under /youtube/v3
DEFAULT_ANALYTICS_BASE_URL = "https://youtubeanalytics.googleapis.com"  # Analytics under /v2
DATA_PREFIX = "youtube/v3"
# The token's scopes (developers.google.com/youtube/v3/guides/auth/server-side-web-apps).
OAUTH_SCOPES = "youtube.readonly yt-analytics.readonly"
ANALYTICS_PREFIX = "v2"

PLAYLIST_PAGE_SIZE = 50  # playlistItems.list maximum
VIDEOS_BATCH = 50  # videos.list ids per call (51 -> 400)
THREADS_PAGE_SIZE = 100  # commentThreads.list / comments.list maximum
ANALYTICS_PAGE_SIZE = 1000  # rows per reports page (startIndex paging)
# A top-videos report (dimensions=video) needs maxResults <= 200 and a descending sort, and
# cannot page past its 200th row (developers.google.com/youtube/analytics/channel_reports,
# "Top videos"; the analytix library's TopVideos report types): a full page may be truncated.
TOP_VIDEOS_MAX = 200
TOP_VIDEOS_SORT = "-views"
# Videos younger than this get fresh stats and comments every run: 29 days keeps a snapshot
# at D+28 (a video of any hour of day D is still inside on day D+28), the marts' last age.
STATS_WINDOW_DAYS = 29
ANALYTICS_BACKFILL_DAYS = 365  # first run: how far back the daily per-video report goes
ANALYTICS_REFETCH_DAYS = 3  # later runs: re-pull the trailing days (YouTube revises them)
# Analytics data lags 2-3 days ("data up until the last day for which all metrics in the query
# are available", developers.google.com/youtube/analytics/data_model): a day is counted as served
# once d <= today - 3. A video is asked for its daily series while published within
# STATS_WINDOW_DAYS + ANALYTICS_REFETCH_DAYS + this, so its last ask still covers its D+28; each
# run re-pulls from its last loaded day - ANALYTICS_REFETCH_DAYS, so at least lag + refetch = 6
# days back from today, above the lag.
ANALYTICS_LAG_DAYS = 3
SHORTS_MAX_SECONDS = 180  # YouTube Shorts are vertical videos of at most 3 minutes
ARROW_FLUSH_ROWS = 20_000

QUOTA_RETRIES = 2  # quotaExceeded retries of one request (YouTubeHttp.quota_retries)

RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "rateLimited"})
TRANSIENT_REASONS = frozenset({"backendError", "internalError", "serviceUnavailable"})
AUTH_REASONS = frozenset({"authError", "required", "unauthorized", "expired"})
PERMISSION_REASONS = frozenset(
    {"forbidden", "insufficientPermissions", "accessNotConfigured", "channelNotFound"}
)

ANALYTICS_METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "averageViewPercentage",
    "likes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
)
CHANNEL_COLUMNS = {  # channel-level day report: API metric -> raw column of channel_daily
    "views": "views",
    "subscribersGained": "subscribers_gained",
    "subscribersLost": "subscribers_lost",
}
# averageViewPercentage is a percentage (FLOAT in columnHeaders), the others integer counts
# (developers.google.com/youtube/analytics/metrics).
FLOAT_METRICS = frozenset({"averageViewPercentage"})
ANALYTICS_COLUMNS = {  # per-video day report: API metric -> raw column of video_daily
    "views": "views",
    "estimatedMinutesWatched": "estimated_minutes_watched",
    "averageViewDuration": "average_view_duration_s",
    "averageViewPercentage": "average_view_percentage",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "subscribersGained": "subscribers_gained",
    "subscribersLost": "subscribers_lost",
}

_FETCHED = {"data_type": "timestamp", "nullable": False}

COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "channels": {
        "channel_id": KEY,
        "brand_id": TEXT,
        "title": TEXT,
        "custom_url": TEXT,
        "country": TEXT,
        "published_at": TS,
        "uploads_playlist_id": TEXT,
        "subscriber_count": INT,
        "hidden_subscriber_count": BOOL,
        "view_count": INT,
        "video_count": INT,
        "snapshot_date": DATE_KEY,
        "fetched_at": _FETCHED,
    },
    "playlist_items": {
        "playlist_item_id": KEY,
        "playlist_id": TEXT,
        "channel_id": TEXT,
        "video_id": TEXT,
        "published_at": TS,
        "video_published_at": TS,
        "fetched_at": _FETCHED,
    },
    "videos": {
        "video_id": KEY,
        "channel_id": TEXT,
        "published_at": TS,
        "title": TEXT,
        "description": TEXT,
        "tags": TEXT,
        "category_id": TEXT,
        "default_language": TEXT,
        "default_audio_language": TEXT,
        "duration": TEXT,
        "duration_seconds": INT,
        "is_short": BOOL,
        "definition": TEXT,
        "caption": TEXT,
        "live_broadcast_content": TEXT,
        "fetched_at": _FETCHED,
    },
    "video_stats": {
        "video_id": KEY,
        "channel_id": TEXT,
        "snapshot_date": DATE_KEY,
        "view_count": INT,
        "like_count": INT,
        "favorite_count": INT,
        "comment_count": INT,
        "fetched_at": _FETCHED,
    },
    "comments": {
        "comment_id": KEY,
        "thread_id": TEXT,
        "video_id": TEXT,
        "channel_id": TEXT,
        "parent_id": TEXT,
        "text": TEXT,
        "like_count": INT,
        "total_reply_count": INT,
        "published_at": TS,
        "updated_at": TS,
        "author_channel_id_hash": TEXT,
        "author_display_name_hash": TEXT,
        "is_from_channel": BOOL,
        "fetched_at": _FETCHED,
    },
    "comments_disabled": {
        "video_id": KEY,
        "channel_id": TEXT,
        "reason": TEXT,
        "message": TEXT,
        "fetched_at": _FETCHED,
    },
    "video_daily": {
        "channel_id": TEXT,
        "video_id": KEY,
        "day": DATE_KEY,
        **{col: DOUBLE if m in FLOAT_METRICS else INT for m, col in ANALYTICS_COLUMNS.items()},
        "fetched_at": _FETCHED,
    },
    "channel_daily": {
        "channel_id": KEY,
        "day": DATE_KEY,
        **{col: INT for col in CHANNEL_COLUMNS.values()},
        "fetched_at": _FETCHED,
    },
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "channels": ("channel_id", "snapshot_date"),
    "playlist_items": ("playlist_item_id",),
    "videos": ("video_id",),
    "video_stats": ("video_id", "snapshot_date"),
    "comments": ("comment_id",),
    "comments_disabled": ("video_id",),
    "video_daily": ("video_id", "day"),
    "channel_daily": ("channel_id", "day"),
}


@configspec
class YouTubeHttp(HttpConfig):
    """YouTube's retry policy and page sizes (``sources.youtube.max_attempts`` etc.).

    YouTube pages by three sizes of its own (``page_size`` is unused), and retries
    ``quotaExceeded`` apart: at most ``quota_retries`` times for the same request, since the
    daily quota resets at midnight Pacific and waiting longer inside one run is pointless.
    """

    analytics_page_size: int = ANALYTICS_PAGE_SIZE
    """Rows per Analytics reports page (startIndex paging)."""
    playlist_page_size: int = PLAYLIST_PAGE_SIZE
    """``maxResults`` of playlistItems.list (at most 50)."""
    comments_page_size: int = THREADS_PAGE_SIZE
    """``maxResults`` of commentThreads.list and comments.list (at most 100)."""
    quota_retries: int = QUOTA_RETRIES


# Every field name, at any depth, this source reads or redacts: a quarantine payload keeps only
# these in clear; any other field keeps its name and loses its value
# (``ingestion.quarantine.reviewed_only``), since nobody has checked it holds no person.
REVIEWED_FIELDS = frozenset(
    {"kind", "etag", "id", "items", "nextPageToken", "pageInfo", "totalResults",
     "resultsPerPage", "snippet", "contentDetails", "statistics", "status", "title",
     "description", "customUrl", "publishedAt", "country", "defaultLanguage",
     "relatedPlaylists", "uploads", "viewCount", "subscriberCount", "hiddenSubscriberCount",
     "videoCount", "likeCount", "favoriteCount", "commentCount", "channelId", "playlistId",
     "resourceId", "videoId", "videoPublishedAt", "duration", "definition", "caption", "tags",
     "categoryId", "liveBroadcastContent", "defaultAudioLanguage", "topLevelComment",
     "totalReplyCount", "canReply", "isPublic", "replies", "comments", "textDisplay",
     "textOriginal", "parentId", "updatedAt", "authorChannelId", "authorDisplayName",
     "authorChannelUrl", "authorProfileImageUrl", "value", "columnHeaders", "rows", "name",
     "columnType", "dataType"}
)  # fmt: skip
