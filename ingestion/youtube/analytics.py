"""The Analytics API v2 resources: each video's daily series and the channel's daily totals.

The real ``reports`` endpoint refuses ``dimensions=day,video`` on a channel report ("The query
is not supported."; developers.google.com/youtube/analytics/channel_reports), so a video's
series is one ``dimensions=day&filters=video==ID`` query per video, and the channel's own
subscriber flow (which is not the sum over its videos) the ``dimensions=day`` query unfiltered.

Which videos a run asks (state ``analytics_videos``, per channel: the day of the last run and,
per video still followed, its publication day and the last day loaded):

- first run of a channel: every listed upload published within ``analytics_backfill_days``,
  from its publication day;
- later runs: the videos published within the last ``stats_window_days +
  analytics_refetch_days + ANALYTICS_LAG_DAYS`` days (counted from the day after the previous
  run when runs were missed), from max(publication day, last loaded day -
  ``analytics_refetch_days``). A video older than that is never asked again (its last ask
  covered D+28 once served) and leaves the state: a run costs one request per video of the
  window, plus one per channel for the channel report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ingestion.quarantine import BAD_RECORD, Bad

from . import rows
from . import settings as s
from .helpers import report_pages

if TYPE_CHECKING:
    from .context import YouTubeOptions, YouTubeRun

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


def video_daily(run: YouTubeRun, _brand: str, channel_id: str) -> Iterator[Any]:
    """Daily series of each video (one ``filters=video==ID`` report per followed video)."""
    state = run.state(VIDEO_STATE)
    _, now = run.channel(channel_id)
    today, entry = now.date(), state.get(channel_id)
    if entry is None:  # first run: every upload within the backfill
        refs = run.uploads(channel_id, now - timedelta(days=run.options.analytics_backfill_days))
    else:
        refs = run.listing(channel_id).refs
    asks, kept = plan(entry, refs, today, run.options)
    for ask in asks:
        params = _params(channel_id, ask.start, today, s.ANALYTICS_METRICS)
        params["filters"] = f"video=={ask.video_id}"
        fixed = {"channel_id": channel_id, "video_id": ask.video_id}
        got: list[dict[str, Any]] = []
        yield from _report(run, "video_daily", params, fixed, "video_id", got)
        if got and ask.video_id in kept:
            newest = max(r["day"] for r in got).isoformat()
            kept[ask.video_id]["last"] = max(newest, kept[ask.video_id]["last"] or "")
        yield from got
    state[channel_id] = {"run": today.isoformat(), "videos": kept}


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
    out: list[dict[str, Any]] = []
    params = _params(channel_id, start, today, s.CHANNEL_COLUMNS)
    yield from _report(run, "channel_daily", params, {"channel_id": channel_id}, "channel_id", out)
    if out:
        newest = max(r["day"] for r in out).isoformat()
        last_days[channel_id] = max(newest, last_days.get(channel_id, ""))
    yield from out
