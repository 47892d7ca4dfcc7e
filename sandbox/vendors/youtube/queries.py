"""Every number the YouTube emulation serves, as queries on the world store.

The API and the manifest both call these functions, so what a page says and what a complete load
must hold can never disagree. Lifetime counts follow ``floor(final * (1 - exp(-age_h / 96)))``
(videos have a longer tail than posts); daily analytics are the day-over-day differences of the
same curve, evaluated at UTC midnights. A channel's daily subscriber flow is not the sum over its
videos: its net is the channel's true follower history (``followers_on``).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.world.store import days_between, followers_on, now_of

GROWTH_HOURS = 96.0
# Real Analytics data lags 2-3 days: "The API response contains data up until the last day for
# which all metrics in the query are available at the time of the query" (reports.query,
# endDate). A day d is served once d <= today - 3: never kinder than the vendor.
ANALYTICS_LAG_DAYS = 3
DAILY_METRICS = (
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
# averageViewPercentage: "The average percentage of a video watched during a video playback"
# (developers.google.com/youtube/analytics/metrics, "Watch time metrics"); a FLOAT column in
# columnHeaders, the others INTEGER. A video's daily value is the world's avg_view_s / duration_s
# (percent, rounded to 2 decimals: the real API's precision is not documented); summed rows
# (several videos, a channel day) weight each video's percentage by its views, as a mean over
# playbacks does. A day without views says 0, as averageViewDuration does.
FLOAT_METRICS = frozenset({"averageViewPercentage"})


def growth_sql(age: str) -> str:
    """SQL of the share of the final count reached at ``age`` seconds: 1 - exp(-hours / 96)."""
    return f"(1 - exp(-{age} / 3600.0 / {GROWTH_HOURS}))"


def reached_sql(final: str, age: str, growth: str) -> str:
    """SQL of the lifetime value of column ``final`` at ``age`` seconds, ``growth`` being
    ``growth_sql(age)`` (or a column holding it)."""
    return f"(CASE WHEN {age} <= 0 THEN 0 ELSE CAST(floor({final} * {growth}) AS BIGINT) END)"


def lifetime_sql(final: str, at: str) -> str:
    """SQL for the lifetime value of column ``final`` at timestamp expression ``at``."""
    age = f"date_diff('second', published_at, {at})"
    return reached_sql(final, age, growth_sql(age))


def _day_increase(final: str) -> str:
    """A day's increase of ``final``, from the ages and growths of ``_daily_base``."""
    return f"{reached_sql(final, 'a1', 'f1')} - {reached_sql(final, 'a0', 'f0')}"


def rows(cur: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    result = cur.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def three_figures(n: int) -> int:
    """YouTube rounds public subscriber counts down to three significant figures."""
    if n < 1000:
        return n
    scale = 10 ** (len(str(n)) - 3)
    return n // scale * scale


def channels(cur: duckdb.DuckDBPyConnection, ids: list[str], today: date) -> list[dict]:
    """Channel rows with the statistics the API returns today (unknown ids are absent)."""
    now = now_of(today)
    out = rows(
        cur,
        f"""SELECT c.*, w.start_date AS world_start,
              (SELECT count(*) FROM yt_videos v
                WHERE v.channel_id = c.channel_id AND v.published_at <= $now) AS video_count,
              (SELECT coalesce(sum({lifetime_sql("final_views", "$now")}), 0) FROM yt_videos v
                WHERE v.channel_id = c.channel_id AND v.published_at <= $now) AS view_count
            FROM yt_channels c, world w WHERE list_contains($ids, c.channel_id)
            ORDER BY list_position($ids, c.channel_id)""",
        {"now": now, "ids": ids},
    )
    for ch in out:
        account = {
            "account_id": ch["channel_id"],
            "followers_start": ch["subscribers_start"],
            "daily_gain": ch["daily_gain"],
        }
        ch["subscriber_count"] = three_figures(followers_on(account, ch["world_start"], today))
    return out


def video_stats_sql(where: str) -> str:
    """Videos visible at ``$now`` with their lifetime statistics; ``where`` filters ``v``."""
    return f"""
        SELECT v.*, {lifetime_sql("final_views", "$now")} AS view_count,
               {lifetime_sql("final_likes", "$now")} AS like_count,
               CASE WHEN v.comments_disabled THEN NULL ELSE
                 (SELECT count(*) FROM yt_comments c
                   WHERE c.video_id = v.video_id AND c.published_at <= $now) END AS comment_count
        FROM yt_videos v WHERE v.published_at <= $now AND ({where})"""


def videos(cur: duckdb.DuckDBPyConnection, ids: list[str], today: date) -> list[dict]:
    """``videos.list`` items in request order (ids unknown or not yet published are absent)."""
    return rows(
        cur,
        video_stats_sql("list_contains($ids, v.video_id)")
        + " ORDER BY list_position($ids, v.video_id)",
        {"now": now_of(today), "ids": ids},
    )


def _daily_base(filtered: bool) -> str:
    """The CTEs of ``daily_sql`` up to ``kept``: one row per (video, day) with activity."""
    only = " AND list_contains($videos, v.video_id)" if filtered else ""
    # Ages and growth factors are computed once per (video, day) and shared by every metric:
    # the same arithmetic as ``lifetime_sql``, in a statement DuckDB plans much faster.
    return f"""
        WITH days AS (
            SELECT CAST(d AS DATE) AS day
            FROM range(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP) + INTERVAL 1 DAY,
                       INTERVAL 1 DAY) t(d)),
        grid AS (
            SELECT days.day, v.* FROM yt_videos v
            JOIN days ON CAST(v.published_at AS DATE) <= days.day
            WHERE v.channel_id = $channel{only}),
        cm AS (
            SELECT video_id, CAST(published_at AS DATE) AS day, count(*) AS n FROM yt_comments
            WHERE channel_id = $channel AND published_at >= CAST($start AS TIMESTAMP)
              AND published_at < CAST($end AS TIMESTAMP) + INTERVAL 1 DAY
            GROUP BY ALL),
        ages AS (
            SELECT g.*, date_diff('second', published_at, CAST(g.day AS TIMESTAMP)) AS a0,
              date_diff('second', published_at, (CAST(g.day AS TIMESTAMP) + INTERVAL 1 DAY))
                AS a1
            FROM grid g),
        growth AS (SELECT *, {growth_sql("a0")} AS f0, {growth_sql("a1")} AS f1 FROM ages),
        vals AS (
            SELECT g.day, g.video_id, g.avg_view_s,
              100.0 * g.avg_view_s / g.duration_s AS view_pct,
              {_day_increase("final_views")} AS views,
              {_day_increase("final_likes")} AS likes,
              coalesce(cm.n, 0) AS comments,
              {_day_increase("final_shares")} AS shares,
              {_day_increase("final_subs_gained")} AS subscribersGained,
              {_day_increase("final_subs_lost")} AS subscribersLost
            FROM growth g LEFT JOIN cm ON cm.video_id = g.video_id AND cm.day = g.day),
        kept AS (
            SELECT *, CAST(round(views * avg_view_s / 60.0) AS BIGINT) AS minutes FROM vals
            WHERE views > 0 OR likes > 0 OR comments > 0 OR shares > 0
               OR subscribersGained > 0 OR subscribersLost > 0)"""


def daily_sql(keys: tuple[str, ...], filtered: bool = False, per_video: bool = False) -> str:
    """Per (day, video) metrics of one channel over [$start, $end], grouped by ``keys``.

    ``keys`` ("day", "video") keeps one row per video and day (the manifest's truth, never
    served: the real API refuses ``dimensions=day,video``); ``filtered`` restricts the videos to
    the list ``$videos`` (``filters=video==a,b``), whose values are then summed per day.
    ``per_video`` also groups by video (column ``_video`` after the keys): the rows of a video
    are then exactly its report filtered on that video alone, for every video in one statement.
    """
    base = _daily_base(filtered)
    if keys == ("day", "video"):
        return (
            base
            + """
        SELECT strftime(day, '%Y-%m-%d') AS day, video_id AS video, views,
               minutes AS estimatedMinutesWatched,
               CASE WHEN views > 0 THEN avg_view_s ELSE 0 END AS averageViewDuration,
               CASE WHEN views > 0 THEN round(view_pct, 2) ELSE 0.0 END AS averageViewPercentage,
               likes, comments, shares, subscribersGained, subscribersLost
        FROM kept ORDER BY day, video_id"""
        )
    group = {"day": "strftime(day, '%Y-%m-%d')", "video": "video_id"}
    cols = ", ".join(f"{group[k]} AS {k}" for k in keys)
    cols += ", video_id AS _video" if per_video else ""
    return (
        base
        + f"""
        SELECT {cols}, sum(views) AS views, sum(minutes) AS estimatedMinutesWatched,
               CAST(coalesce(round(sum(views * avg_view_s) / nullif(sum(views), 0)), 0)
                    AS BIGINT) AS averageViewDuration,
               coalesce(round(sum(views * view_pct) / nullif(sum(views), 0), 2), 0.0)
                 AS averageViewPercentage,
               sum(likes) AS likes, sum(comments) AS comments, sum(shares) AS shares,
               sum(subscribersGained) AS subscribersGained,
               sum(subscribersLost) AS subscribersLost
        FROM kept GROUP BY ALL ORDER BY ALL"""
    )


def served_end(end: date, today: date) -> date:
    """The last day a report can contain: analytics lag the clock by ANALYTICS_LAG_DAYS."""
    return min(end, today - timedelta(days=ANALYTICS_LAG_DAYS))


def video_days(
    cur: duckdb.DuckDBPyConnection,
    channel_id: str,
    start: date,
    last: date,
    keys: tuple[str, ...] = ("day", "video"),
    videos: list[str] | None = None,
) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of the per-video metrics over [start, last] (days already served)."""
    if last < start:
        return [*keys, *DAILY_METRICS], []
    params: dict[str, Any] = {"start": start, "end": last, "channel": channel_id}
    if videos is not None:
        params["videos"] = videos
    result = cur.execute(daily_sql(keys, videos is not None), params)
    return [d[0] for d in result.description], result.fetchall()


def video_day_reports(
    cur: duckdb.DuckDBPyConnection, channel_id: str, start: date, last: date
) -> tuple[list[str], dict[str, list[tuple]]]:
    """(column names, rows per video) of ``video_days(..., ("day",), [video])`` for every
    video of the channel, in one statement."""
    if last < start:
        return ["day", *DAILY_METRICS], {}
    params = {"start": start, "end": last, "channel": channel_id}
    result = cur.execute(daily_sql(("day",), per_video=True), params)
    names = [d[0] for d in result.description]
    at = names.index("_video")
    per_video: dict[str, list[tuple]] = {}
    for row in result.fetchall():
        per_video.setdefault(row[at], []).append(row[:at] + row[at + 1 :])
    return names[:at] + names[at + 1 :], per_video


def first_video_day(cur: duckdb.DuckDBPyConnection, channel_id: str) -> date:
    """The day the channel's first video was published (no video: the world's start)."""
    sql = "SELECT min(CAST(published_at AS DATE)) FROM yt_videos WHERE channel_id = ?"
    found = cur.execute(sql, [channel_id]).fetchone()[0]
    return found if found is not None else world_start(cur)


def channel_account(cur: duckdb.DuckDBPyConnection, channel_id: str) -> dict[str, Any]:
    """The ``followers_on`` account of a channel, its creation day and the world's start."""
    found = rows(
        cur,
        "SELECT c.channel_id AS account_id, c.subscribers_start AS followers_start, "
        "c.daily_gain, CAST(c.published_at AS DATE) AS created, w.start_date AS world_start "
        "FROM yt_channels c, world w WHERE c.channel_id = ?",
        [channel_id],
    )
    return found[0]


def net_subscribers(account: dict[str, Any], day: date) -> int:
    """The channel's true subscriber change on ``day`` (the world's follower history)."""
    start = account["world_start"]
    return followers_on(account, start, day) - followers_on(account, start, day - timedelta(1))


def subscriber_flow(account: dict[str, Any], day: date) -> tuple[int, int]:
    """(subscribersGained, subscribersLost) of a channel day: their difference is the true net
    change; a deterministic churn ``c`` is added to both, as real channels gain and lose."""
    net = net_subscribers(account, day)
    key = f"{account['account_id']}:churn:{day.isoformat()}".encode()
    digest = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    churn = digest % (max(1, int(account["daily_gain"]) // 2) + 1)
    return max(net, 0) + churn, max(-net, 0) + churn


def channel_days(
    cur: duckdb.DuckDBPyConnection, channel_id: str, start: date, last: date
) -> tuple[list[str], list[tuple]]:
    """The channel-level day report: every day the channel existed (from the world's start),
    views & co. summed over its videos, subscribers from the channel's follower history."""
    account = channel_account(cur, channel_id)
    first = max(start, account["world_start"], account["created"])
    names, found = video_days(cur, channel_id, first, last, ("day",))
    by_day = {row[0]: row for row in found}
    gained, lost = names.index("subscribersGained"), names.index("subscribersLost")
    out = []
    for day in days_between(first, last) if first <= last else []:
        row = list(by_day.get(day.isoformat(), (day.isoformat(), *[0] * len(DAILY_METRICS))))
        row[gained], row[lost] = subscriber_flow(account, day)
        out.append(tuple(row))
    return names, out


def world_start(cur: duckdb.DuckDBPyConnection) -> date:
    return cur.execute("SELECT start_date FROM world").fetchone()[0]


def as_rfc3339(ts: datetime) -> str:
    """YouTube's timestamps: RFC 3339 in UTC with ``Z``."""
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")
