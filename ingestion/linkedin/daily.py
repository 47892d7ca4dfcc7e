"""``linkedin_post_statistics_daily``: each post's own time-bound (DAY) share statistics.

The lifetime statistics give a post its values only on the days the pipeline ran, so a post
published before the first run has no D+1, D+7 or D+28 snapshot. The share statistics finder
with ``shares=List(...)``/``ugcPosts=List(...)`` *and* ``timeIntervals`` answers one element per
post and day: summed to a day, they rebuild those ages (dbt: int_linkedin__post_metric_values).

Which posts and days a run asks (state ``post_statistics_daily``, per organization: the day of
the last run and, per post still followed, its publication day and the last day loaded):

- a post is asked from its publication day (or, once loaded, from its last loaded day minus
  ``DAILY_REFETCH_DAYS``, as LinkedIn revises recent days) to min(publication + 28, today);
- first run of an organization: every listed post published within LinkedIn's 12-month window
  (``DAILY_MAX_AGE_DAYS``), so the backfill rebuilds the first 28 days of a year of posts;
- later runs: only the posts younger than ``INSIGHTS_WINDOW_DAYS + DAILY_REFETCH_DAYS`` (counted
  from the day after the previous run when runs were missed); older ones leave the state.

Posts go 20 per request (``STATS_BATCH``, as the lifetime statistics), sorted by first day
asked; a request's range spans its posts' ranges, its start clamped to [today - 364, today - 2]
(LinkedIn refuses other starts), and the days outside a post's own range are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ingestion.incremental import chunks
from ingestion.quarantine import Bad

from . import rows
from . import settings as s
from .helpers import per_post_rows, share_statistics_params, time_intervals

if TYPE_CHECKING:
    from .context import LinkedInRun

logger = logging.getLogger(__name__)

RESOURCE = "linkedin_post_statistics_daily"
STATE = "post_statistics_daily"
FOLLOW_DAYS = s.INSIGHTS_WINDOW_DAYS + s.DAILY_REFETCH_DAYS  # a post is asked while younger


@dataclass(frozen=True)
class Ask:
    """One post of this run: its URN and the days [first, last] wanted."""

    post_urn: str
    first: date
    last: date


def _oldest_followed(day: date) -> date:
    """The oldest publication day a run on ``day`` still asks (ages 0 to FOLLOW_DAYS - 1)."""
    return day - timedelta(days=FOLLOW_DAYS - 1)


def plan(
    entry: dict[str, Any] | None, refs: Sequence[rows.PostRef], today: date
) -> tuple[list[Ask], dict[str, dict[str, Any]]]:
    """(the posts to ask, the posts to keep following) of one organization this run.

    ``entry`` is the organization's state (None on its first run); newly listed posts join it.
    After missed runs the window is the one of the day after the previous run, so a post those
    days would have asked is still asked.
    """
    known: dict[str, dict[str, Any]] = dict(entry["posts"]) if entry else {}
    for ref in refs:
        published = ref.published_at.date().isoformat()
        known.setdefault(ref.post_urn, {"published": published, "last": None})
    if entry is None:
        since = today - timedelta(days=s.DAILY_MAX_AGE_DAYS)
    else:
        since = _oldest_followed(min(today, date.fromisoformat(entry["run"]) + timedelta(days=1)))
    asks, kept = [], {}
    for urn, post in sorted(known.items(), key=lambda kv: (kv[1]["published"], kv[0])):
        published = date.fromisoformat(post["published"])
        if published < since or published > today:
            continue
        first = published
        if post["last"]:
            refetch = date.fromisoformat(post["last"]) - timedelta(days=s.DAILY_REFETCH_DAYS)
            first = max(published, refetch)
        last = min(published + timedelta(days=s.POST_SERIES_DAYS), today)
        asks.append(Ask(urn, first, last))
        if published >= _oldest_followed(today + timedelta(days=1)):  # the next run asks it
            kept[urn] = dict(post)
    return asks, kept


def request_range(batch: Sequence[Ask], today: date) -> tuple[date, date]:
    """[start, end) of one request: its posts' days, the start within LinkedIn's bounds."""
    start = min(a.first for a in batch)
    start = max(start, today - timedelta(days=s.DAILY_MAX_AGE_DAYS))
    start = min(start, today - timedelta(days=s.DAILY_MIN_AGE_DAYS))
    return start, max(a.last for a in batch) + timedelta(days=1)


def _params(org_id: str, batch: Sequence[Ask], start: date, end: date) -> list[tuple[str, str]]:
    params = share_statistics_params(org_id, [a.post_urn for a in batch])
    params.append(("timeIntervals", time_intervals(start, end)))
    return params


def _values(element: Any) -> dict[str, Any]:
    """The day's counts kept by the table (absent counts stay NULL)."""
    values = rows.statistics(element)
    return {column: values[column] for column in s.POST_DAILY_STATISTICS.values()}


def fetch_batch(
    run: LinkedInRun, org_id: str, batch: Sequence[Ask], today: date, out: list[dict[str, Any]]
) -> Iterator[Any]:
    """One request for up to STATS_BATCH posts; rows appended to ``out``, bad ones yielded."""
    start, end = request_range(batch, today)
    answer = run.client.get(
        "/rest/organizationalEntityShareStatistics",
        _params(org_id, batch, start, end),
        account=org_id,
    )
    wanted = {a.post_urn: a for a in batch}

    def row(urn: str, element: Any) -> dict[str, Any] | None:
        day = rows.day_of(element)
        if not wanted[urn].first <= day <= wanted[urn].last:
            return None  # another post's range, or before publication: not this post's days
        return {
            "post_urn": urn,
            "organization_id": org_id,
            "date": day,
            **_values(element),
            "fetched_at": answer.fetched_at,
        }

    def record_id(urn: str | None, element: Any) -> str:
        return f"{urn}/{rows.range_start(element)}"

    missing = "no daily statistics returned for this post"
    for item in per_post_rows(answer, org_id, wanted, row, record_id, missing):
        if isinstance(item, Bad):
            yield item
        else:
            out.append(item)


def linkedin_post_statistics_daily(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Each post's own daily share statistics up to D+28 (rebuilds ages before a snapshot)."""
    state = run.state(STATE)
    today = run.now(org_id).date()
    asks, kept = plan(state.get(org_id), run.posts(org_id).refs, today)
    asks.sort(key=lambda a: (a.first, a.post_urn))
    out: list[dict[str, Any]] = []
    requests = 0
    for batch in chunks(asks, s.STATS_BATCH):
        requests += 1
        yield from fetch_batch(run, org_id, batch, today, out)
    for row in out:
        post = kept.get(row["post_urn"])
        if post is not None:
            post["last"] = max(row["date"].isoformat(), post["last"] or "")
    state[org_id] = {"run": today.isoformat(), "posts": kept}
    logger.info(
        "linkedin: organization %s: %s: %d posts in %d requests, %d days",
        org_id,
        RESOURCE,
        len(asks),
        requests,
        len(out),
    )
    yield from out
