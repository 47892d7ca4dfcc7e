"""``GET /v2/reports`` of the YouTube Analytics API: a result table paged by startIndex.

Supported: ``ids=channel==MINE|channel==UC…`` (a channel the token does not manage: 403
forbidden), ``dimensions`` day, video or day,video, ``sort`` on a dimension, the metrics of
``queries.DAILY_METRICS`` in any order, ``startIndex`` (1-based) and ``maxResults``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import queries as q
from .errors import google_error


class ApiError(Exception):
    """An answer in Google's error envelope."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


def bad(message: str, reason: str, location: str | None = None, domain: str = "global") -> ApiError:
    return ApiError(400, google_error(400, message, reason, domain, location=location))


def _channel(cur: Any, ids: str) -> str:
    channel = ids.removeprefix("channel==")
    if channel == "MINE":  # the sandbox token's default channel
        channel = cur.execute("SELECT min(channel_id) FROM yt_channels").fetchone()[0]
    sql = "SELECT count(*) FROM yt_channels WHERE channel_id = ?"
    if not ids.startswith("channel==") or not cur.execute(sql, [channel]).fetchone()[0]:
        raise ApiError(403, google_error(403, "Forbidden", "forbidden"))
    return channel


def report(cur: Any, params: Any, today: date) -> dict[str, Any]:
    """The result table; ``rows`` is absent when the page is empty, as the real API."""
    for name in ("ids", "startDate", "endDate", "metrics"):
        if not params.get(name):
            raise bad(f"Required parameter: {name}", "required", name)
    channel = _channel(cur, params["ids"])
    try:
        start = date.fromisoformat(params["startDate"])
        end = date.fromisoformat(params["endDate"])
    except ValueError:
        raise bad("Invalid date. Expected format YYYY-MM-DD.", "invalid", "startDate") from None
    if end < start:
        raise bad("The start date must be before or equal to the end date.", "badRequest")
    metrics = params["metrics"].split(",")
    unknown = [m for m in metrics if m not in q.DAILY_METRICS]
    if unknown:
        message = f"Unknown identifier ({unknown[0]}) given in field parameters.metrics."
        raise bad(message, "badRequest")
    dims = params.get("dimensions", "")
    sort = params.get("sort", dims.split(",")[0])
    if dims not in ("day", "video", "day,video") or sort not in ("day", "video", dims):
        raise bad("The query is not supported.", "badRequest")
    first, size = params.get("startIndex", "1"), params.get("maxResults", "10000")
    if not first.isdigit() or int(first) < 1 or not size.isdigit() or int(size) < 1:
        raise bad("Invalid value for startIndex or maxResults.", "invalid")
    names, found, _ = q.daily(cur, channel, start, end, today, dims, int(first) - 1, int(size))
    keys = dims.split(",")
    picked = [names.index(k) for k in keys] + [names.index(m) for m in metrics]
    headers = [{"name": k, "columnType": "DIMENSION", "dataType": "STRING"} for k in keys]
    headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
    body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if found:
        body["rows"] = [[row[i] for i in picked] for row in found]
    return body
