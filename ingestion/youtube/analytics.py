"""The Analytics API v2 resources: each video's daily series and the channel's daily totals.

The real ``reports`` endpoint refuses ``dimensions=day,video`` on a channel report ("The query
is not supported."; developers.google.com/youtube/analytics/channel_reports), so per-video days
come from two supported reports: ``dimensions=day&filters=video==ID`` (one video's series, one
request per video) and the top-videos report of one day (``dimensions=video``,
``startDate=endDate=d``, ``sort=-views``, ``maxResults=200``: every video of that day, one
request per day). The channel's own subscriber flow (not the sum over its videos) is the
``dimensions=day`` report unfiltered.

Which videos a run asks (state ``analytics_videos``, per channel: the day of the last run and,
per video still followed, its publication day and the last day loaded):

- first run of a channel: every listed upload published within ``analytics_backfill_days``,
  from its publication day, in date windows of ``backfill_window_days`` (``ingestion.windows``:
  each window loads its days of every upload and commits, so a late failure keeps the earlier
  windows; state ``backfill_through`` holds the last day loaded until the backfill is done);
- later runs: the videos published within the last ``stats_window_days +
  analytics_refetch_days + ANALYTICS_LAG_DAYS`` days (counted from the day after the previous
  run when runs were missed), from max(publication day, last loaded day -
  ``analytics_refetch_days``). A video older than that is never asked again (its last ask
  covered D+28 once served) and leaves the state.

How they are asked (``cover``): the videos whose first day asked is on or after a cut-off day c
by one top-videos report per day from c to today - lag, the others by one report each; c is
the day that makes the fewest requests. A daily run therefore costs about lag + refetch - 1
requests per channel (5) plus one for the channel report, whatever the number of uploads; a
first run about one per upload. A top-videos day that comes back full (200 rows) may lack a
video: that video is then asked by its own report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ingestion.quarantine import BAD_RECORD, Bad
from ingestion.windows import window_end

from . import rows
from . import settings as s
from .helpers import get, report_pages

if TYPE_CHECKING:
    from .context import YouTubeOptions, YouTubeRun

logger = logging.getLogger(__name__)

VIDEO_STATE, CHANNEL_STATE = "analytics_videos", "analytics_channel_last_day"


@dataclass(frozen=True)
class Ask:
    """One per-video report of this run: the video, its publication day, the first day asked."""

    video_id: str
    published: date
    start: date


def follow_days(options: YouTubeOptions) -> int:
    """How long after publication a video's series is still asked for."""
    return options.stats_window_days + options.analytics_refetch_days + s.ANALYTICS_LAG_DAYS


def plan(
    entry: dict[str, Any] | None, refs: list[rows.VideoRef], today: date, options: YouTubeOptions
) -> tuple[list[Ask], dict[str, dict[str, Any]]]:
    """(the reports to ask, the videos to keep following) of one channel this run.

    ``entry`` is the channel's state (None on its first run); newly listed uploads join it.
    After a gap between runs the window is the one of the day after the previous run, so a
    video the missed days would have asked is still asked.
    """
    known: dict[str, dict[str, Any]] = dict(entry["videos"]) if entry else {}
    for ref in refs:
        published = ref.published_at.date().isoformat()
        known.setdefault(ref.video_id, {"published": published, "last": None})
    if entry is None:
        since = today - timedelta(days=options.analytics_backfill_days)
    else:
        resume = date.fromisoformat(entry["run"]) + timedelta(days=1)  # the day after the last run
        since = min(today, resume) - timedelta(days=follow_days(options))
    asks, kept = [], {}
    for video_id, video in sorted(known.items(), key=lambda kv: (kv[1]["published"], kv[0])):
        published = date.fromisoformat(video["published"])
        if published < since:
            continue
        start = published
        if video["last"]:
            refetch = date.fromisoformat(video["last"]) - timedelta(options.analytics_refetch_days)
            start = max(published, refetch)
        asks.append(Ask(video_id, published, start))
        if published >= today - timedelta(days=follow_days(options)):
            kept[video_id] = dict(video)
    return asks, kept


@dataclass
class Cover:
    """How one run asks its videos: a top-videos report per day, or a report per video."""

    days: list[date] = field(default_factory=list)
    by_day: dict[str, Ask] = field(default_factory=dict)
    by_video: list[Ask] = field(default_factory=list)


def cover(asks: list[Ask], served_end: date) -> Cover:
    """The cheapest way to ask ``asks``: cut-off c minimising (days from c to ``served_end``)
    + (asks starting before c). An ask starting after ``served_end`` has no served day yet and
    is left for a later run (the video stays followed); ties go to per-video reports."""
    due = [a for a in asks if a.start <= served_end]
    best, cut = len(due), served_end + timedelta(days=1)
    for c in sorted({a.start for a in due}):
        cost = (served_end - c).days + 1 + sum(1 for a in due if a.start < c)
        if cost < best:
            best, cut = cost, c
    out = Cover(days=[cut + timedelta(days=i) for i in range((served_end - cut).days + 1)])
    for ask in due:
        if ask.start >= cut:
            out.by_day[ask.video_id] = ask
        else:
            out.by_video.append(ask)
    return out


def _params(channel_id: str, start: date, today: date, metrics: Any) -> dict[str, Any]:
    return {
        "ids": f"channel=={channel_id}",
        "startDate": start.isoformat(),
        "endDate": today.isoformat(),
        "metrics": ",".join(metrics),
        "dimensions": "day",
        "sort": "day",
    }


def _report(
    run: YouTubeRun,
    resource: str,
    params: dict[str, Any],
    fixed: dict[str, Any],
    record_key: str,
    out: list[dict[str, Any]],
) -> Iterator[Bad]:
    """Every page of one day report into ``out``; bad rows (or a whole page) yielded."""
    metrics = s.ANALYTICS_COLUMNS if resource == "video_daily" else s.CHANNEL_COLUMNS
    size = run.options.analytics_page_size
    for page in report_pages(run.analytics, params, fixed["channel_id"], size):
        try:
            good, bad = rows.report_rows(page.data, metrics, fixed, record_key, page.fetched_at)
        except BAD_RECORD as exc:
            rid = f"{fixed[record_key]}/{params['startDate']}"
            yield Bad(page.data, exc, page.fetched_at, record_id=rid)
            continue
        out.extend(good)
        for rid, raw, reason in bad:
            yield Bad(raw, reason, page.fetched_at, record_id=rid)


def _top_days(
    run: YouTubeRun, channel_id: str, how: Cover, got: dict[str, list[dict[str, Any]]]
) -> Iterator[Bad]:
    """One top-videos report per day of ``how.days``: the rows of the videos it covers go to
    ``got`` (from their first day asked). A video absent from a full day (the report stops at
    200 rows and cannot page) moves to ``how.by_video``, as after an unreadable day."""
    for day in how.days:
        params = {
            "ids": f"channel=={channel_id}",
            "startDate": day.isoformat(),
            "endDate": day.isoformat(),
            "metrics": ",".join(s.ANALYTICS_METRICS),
            "dimensions": "video",
            "sort": s.TOP_VIDEOS_SORT,
            "maxResults": s.TOP_VIDEOS_MAX,
        }
        page = get(run.analytics, "reports", params, channel_id)
        fixed = {"channel_id": channel_id, "day": day}
        full = len(page.data.get("rows") or []) >= s.TOP_VIDEOS_MAX
        try:
            good, bad = rows.report_rows(
                page.data, s.ANALYTICS_COLUMNS, fixed, "channel_id", page.fetched_at, "video"
            )
        except BAD_RECORD as exc:
            yield Bad(page.data, exc, page.fetched_at, record_id=f"{channel_id}/{day}")
            good, bad, full = [], [], True
        for rid, raw, reason in bad:
            yield Bad(raw, reason, page.fetched_at, record_id=rid)
        for row in good:
            ask = how.by_day.get(row["video_id"])
            if ask is not None and day >= ask.start:
                got.setdefault(ask.video_id, []).append(row)
        seen = {row["video_id"] for row in good}
        for video_id, ask in list(how.by_day.items()):
            if full and video_id not in seen and ask.start <= day:
                how.by_video.append(how.by_day.pop(video_id))
                got.pop(video_id, None)


def video_daily(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Daily series of each followed video (top-videos day reports and per-video reports);
    the first run of a channel loads its backfill in date windows (``_backfill_window``)."""
    state = run.state(VIDEO_STATE)
    _, now = run.channel(channel_id)
    today, entry = now.date(), state.get(channel_id)
    if entry is None or BACKFILL_KEY in entry:
        yield from _backfill_window(run, channel_id, entry)
        return
    asks, kept = plan(entry, run.listing(channel_id).refs, today, run.options)
    how = cover(asks, today - timedelta(days=s.ANALYTICS_LAG_DAYS))
    got: dict[str, list[dict[str, Any]]] = {}
    yield from _asked(run, channel_id, how, today, got)
    yield from _loaded(got, kept)
    state[channel_id] = {"run": today.isoformat(), "videos": kept}


BACKFILL_KEY = "backfill_through"
"""In a channel's state while its first run's backfill is unfinished: the last day loaded."""


def _backfill_window(
    run: YouTubeRun, channel_id: str, entry: dict[str, Any] | None
) -> Iterator[Any]:
    """One date window of a channel's first run (``ingestion.windows``): every upload within
    ``analytics_backfill_days``, its days from max(publication, window start) to the window's
    end. The state keeps the last day loaded (``BACKFILL_KEY``) until the window reaching today,
    so a late failure keeps the windows committed and the rerun continues after them."""
    _, now = run.channel(channel_id)
    today = now.date()
    since = now - timedelta(days=run.options.analytics_backfill_days)
    first = since.date()
    if entry is not None:
        first = date.fromisoformat(entry[BACKFILL_KEY]) + timedelta(days=1)
    end = window_end("video_daily", channel_id, first, today)
    refs = [r for r in run.uploads(channel_id, since) if r.published_at.date() <= end]
    asks = [Ask(r.video_id, r.published_at.date(), max(r.published_at.date(), first)) for r in refs]
    how = cover(asks, min(end, today - timedelta(days=s.ANALYTICS_LAG_DAYS)))
    got: dict[str, list[dict[str, Any]]] = {}
    yield from _asked(run, channel_id, how, end, got)
    followed = today - timedelta(days=follow_days(run.options))
    kept: dict[str, dict[str, Any]] = dict(entry["videos"]) if entry else {}
    for ref in refs:
        if ref.published_at.date() >= followed:
            kept.setdefault(ref.video_id, {"published": ref.published_at.date().isoformat()})
            kept[ref.video_id].setdefault("last", None)
    yield from _loaded(got, kept)
    done = {"run": today.isoformat(), "videos": kept}
    run.state(VIDEO_STATE)[channel_id] = done if end >= today else {**done, BACKFILL_KEY: str(end)}


def _asked(
    run: YouTubeRun, channel_id: str, how: Cover, end: date, got: dict[str, list[dict[str, Any]]]
) -> Iterator[Bad]:
    """The reports of ``how`` (per-video ones through ``end``) into ``got``; bad rows yielded."""
    yield from _top_days(run, channel_id, how, got)
    for ask in how.by_video:
        params = _params(channel_id, ask.start, end, s.ANALYTICS_METRICS)
        params["filters"] = f"video=={ask.video_id}"
        fixed = {"channel_id": channel_id, "video_id": ask.video_id}
        got[ask.video_id] = []
        yield from _report(run, "video_daily", params, fixed, "video_id", got[ask.video_id])
    logger.info(
        "youtube: channel %s: video_daily: %d top-videos day reports, %d per-video reports",
        channel_id,
        len(how.days),
        len(how.by_video),
    )


def _loaded(
    got: dict[str, list[dict[str, Any]]], kept: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The rows of ``got``; each followed video's last loaded day moves to its newest row."""
    for video_id, out in got.items():
        if out and video_id in kept:
            newest = max(r["day"] for r in out).isoformat()
            kept[video_id]["last"] = max(newest, kept[video_id]["last"] or "")
        yield from out


def channel_daily(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Channel-level daily views and subscribers gained/lost (``dimensions=day``)."""
    last_days = run.state(CHANNEL_STATE)
    options = run.options
    _, now = run.channel(channel_id)
    today = now.date()
    if last_days.get(channel_id):
        last = date.fromisoformat(last_days[channel_id])
        start = last - timedelta(days=options.analytics_refetch_days)
    else:
        start = today - timedelta(days=options.analytics_backfill_days)
    end = window_end("channel_daily", channel_id, start, today)  # a backfill window
    out: list[dict[str, Any]] = []
    params = _params(channel_id, start, end, s.CHANNEL_COLUMNS)
    yield from _report(run, "channel_daily", params, {"channel_id": channel_id}, "channel_id", out)
    if out:
        newest = max(r["day"] for r in out).isoformat()
        last_days[channel_id] = max(newest, last_days.get(channel_id, ""))
    if end < today:  # the next window starts here, even after days without data
        last_days[channel_id] = max(end.isoformat(), last_days.get(channel_id, ""))
    yield from out
