"""``GET /v2/reports`` of the YouTube Analytics API: a result table paged by startIndex.

Only the channel reports the real API supports are served (developers.google.com/youtube/
analytics/channel_reports, "Video reports" and "Top videos"; the same rules as the report types
of the analytix library, github.com/parafoxia/analytix analytix/reports/types.py); any other
combination of dimensions, filters and sort is refused with Google's 400 "The query is not
supported. Check the documentation at …" (``dimensions=day,video`` included):

- ``dimensions=day``, no filter: the channel's daily totals (subscribers from its history);
- ``dimensions=day``, ``filters=video==ID[,ID…]`` (at most 500 ids: reports.query, "Specifying
  multiple values for a filter": "The parameter value can specify up to 500 IDs"): the daily
  series of the video, or of those videos summed per day (not split per video);
- ``dimensions=video`` (top videos), no filter: ``sort=-<metric>`` descending on a requested
  metric among ``TOP_VIDEO_SORTS``, ``maxResults`` 1-200 (required) and ``startIndex +
  maxResults <= 201``: the report cannot page past its 200th row.

Stricter than Google where Google's rule is unknown or not needed: other filters (``country``…),
``dimensions=video`` with a video filter (documented in general terms on reports.query, never
checked against the live API here) and the other dimensions are refused.

Also: ``ids=channel==MINE|channel==UC…`` (a channel the token does not manage: 403 forbidden),
the metrics of ``queries.DAILY_METRICS`` in any order (``averageViewPercentage`` typed FLOAT in
``columnHeaders``; sorting top videos on it is refused, as on any metric outside
``TOP_VIDEO_SORTS``), ``startIndex`` (1-based), ``maxResults``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from . import queries as q
from .errors import google_error

MAX_FILTER_VIDEOS = 500  # filters=video==a,b,…: ids per request
MAX_TOP_VIDEOS = 200  # dimensions=video: maxResults ceiling, and the last row reachable
# Top-videos sort keys among the served metrics (analytix TOP_VIDEOS_EXTRA_SORT_OPTIONS):
# sorting top videos on likes, comments or shares is refused.
TOP_VIDEO_SORTS = ("views", "estimatedMinutesWatched", "subscribersGained", "subscribersLost")
# Google's own sentence (seen in live 400 answers quoted by API users, e.g. for
# dimensions=video,day or a top-videos report without sort).
UNSUPPORTED = (
    "The query is not supported. Check the documentation at "
    "https://developers.google.com/youtube/analytics/v2/available_reports "
    "for a list of supported queries."
)


class ApiError(Exception):
    """An answer in Google's error envelope."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


def bad(message: str, reason: str, location: str | None = None, domain: str = "global") -> ApiError:
    return ApiError(400, google_error(400, message, reason, domain, location=location))


def unsupported() -> ApiError:
    return bad(UNSUPPORTED, "badRequest")


def _channel(cur: Any, ids: str) -> str:
    channel = ids.removeprefix("channel==")
    if channel == "MINE":  # the sandbox token's default channel
        channel = cur.execute("SELECT min(channel_id) FROM yt_channels").fetchone()[0]
    sql = "SELECT count(*) FROM yt_channels WHERE channel_id = ?"
    if not ids.startswith("channel==") or not cur.execute(sql, [channel]).fetchone()[0]:
        raise ApiError(403, google_error(403, "Forbidden", "forbidden"))
    return channel


def _video_filter(raw: str) -> list[str] | None:
    """The ids of ``filters=video==a,b`` (None without filter); any other filter is refused."""
    if not raw:
        return None
    ids = raw.removeprefix("video==").split(",")
    if not raw.startswith("video==") or ";" in raw or not all(ids):
        raise unsupported()
    if len(ids) > MAX_FILTER_VIDEOS:
        raise unsupported()
    return ids


def _shape(params: Any, metrics: list[str]) -> tuple[str, list[str] | None]:
    """(dimensions, video filter) of a supported query; anything else is refused."""
    dims, sort = params.get("dimensions", ""), params.get("sort", "")
    if dims == "day":
        videos = _video_filter(params.get("filters", ""))
        if sort not in ("", "day", "-day"):
            raise unsupported()
        return dims, videos
    size, first = params.get("maxResults", ""), params.get("startIndex", "1")
    top = size.isdigit() and 1 <= int(size) <= MAX_TOP_VIDEOS
    reach = top and first.isdigit() and int(first) + int(size) <= MAX_TOP_VIDEOS + 1
    key = sort.removeprefix("-")
    descending = sort.startswith("-") and key in metrics and key in TOP_VIDEO_SORTS
    if dims == "video" and not params.get("filters") and descending and top and reach:
        return dims, None
    raise unsupported()


def _dates(params: Any) -> tuple[date, date]:
    try:
        start = date.fromisoformat(params["startDate"])
        end = date.fromisoformat(params["endDate"])
    except ValueError:
        raise bad("Invalid date. Expected format YYYY-MM-DD.", "invalid", "startDate") from None
    if end < start:
        raise bad("The start date must be before or equal to the end date.", "badRequest")
    return start, end


class VideoReports:
    """Per-video day reports of a channel, computed for all its videos at once.

    A client asks one report per video (``filters=video==ID``), each from the video's own first
    day to the same last day, and each is a statement DuckDB takes long to plan. A video's row
    for a day does not depend on the window around it, so from the second such request up to
    a last day, the channel's per-video table from its first video on is computed once (the
    same aggregates, also grouped by video) and every report is a slice of it. The world is
    read-only: a table never goes stale.
    """

    KEEP = 8  # (channel, last day) tables kept

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked: dict[tuple, int] = {}
        self._tables: OrderedDict[tuple, tuple[list[str], dict[str, list[tuple]]]] = OrderedDict()

    def report(
        self, cur: Any, channel: str, start: date, last: date, video: str
    ) -> tuple[list[str], list[tuple]]:
        """``video_days(cur, channel, start, last, ("day",), [video])``."""
        key = (channel, last)
        with self._lock:
            table = self._tables.get(key)
            if table is None:
                if len(self._asked) > 10_000:
                    self._asked.clear()
                self._asked[key] = self._asked.get(key, 0) + 1
                first = self._asked[key] == 1
        if table is None:
            if first or last < start:
                return q.video_days(cur, channel, start, last, ("day",), [video])
            table = q.video_day_reports(cur, channel, q.first_video_day(cur, channel), last)
            with self._lock:
                self._tables[key] = table
                while len(self._tables) > self.KEEP:
                    self._tables.popitem(last=False)
        names, per_video = table
        since = start.isoformat()
        return list(names), [row for row in per_video.get(video, []) if row[0] >= since]


def _rows(
    cur: Any,
    channel: str,
    params: Any,
    dims: str,
    videos: list[str] | None,
    today: date,
    cache: VideoReports | None = None,
) -> tuple[list[str], list[tuple]]:
    """Every row of the report, in the requested order."""
    start, end = _dates(params)
    last = q.served_end(end, today)
    if dims == "day" and videos is None:
        names, found = q.channel_days(cur, channel, start, last)
    elif dims == "day" and videos is not None and len(videos) == 1 and cache is not None:
        names, found = cache.report(cur, channel, start, last, videos[0])
    else:
        names, found = q.video_days(cur, channel, start, last, (dims,), videos)
    sort = params.get("sort", "")
    if dims == "video":
        metric = names.index(sort[1:])
        found = sorted(found, key=lambda row: (-row[metric], row[0]))
    elif sort == "-day":
        found = found[::-1]
    return names, found


def report(cur: Any, params: Any, today: date, cache: VideoReports | None = None) -> dict[str, Any]:
    """The result table; ``rows`` is absent when the page is empty, as the real API."""
    for name in ("ids", "startDate", "endDate", "metrics"):
        if not params.get(name):
            raise bad(f"Required parameter: {name}", "required", name)
    channel = _channel(cur, params["ids"])
    metrics = params["metrics"].split(",")
    unknown = [m for m in metrics if m not in q.DAILY_METRICS]
    if unknown:
        message = f"Unknown identifier ({unknown[0]}) given in field parameters.metrics."
        raise bad(message, "badRequest")
    dims, videos = _shape(params, metrics)
    first, size = params.get("startIndex", "1"), params.get("maxResults", "10000")
    if not first.isdigit() or int(first) < 1 or not size.isdigit() or int(size) < 1:
        raise bad("Invalid value for startIndex or maxResults.", "invalid")
    names, found = _rows(cur, channel, params, dims, videos, today, cache)
    page = found[int(first) - 1 : int(first) - 1 + int(size)]
    picked = [names.index(dims)] + [names.index(m) for m in metrics]
    headers = [{"name": dims, "columnType": "DIMENSION", "dataType": "STRING"}]
    kinds = {m: "FLOAT" if m in q.FLOAT_METRICS else "INTEGER" for m in metrics}
    headers += [{"name": m, "columnType": "METRIC", "dataType": kinds[m]} for m in metrics]
    body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if page:
        body["rows"] = [[row[i] for i in picked] for row in page]
    return body
