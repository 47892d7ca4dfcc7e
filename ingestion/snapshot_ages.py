"""Which posts get a metric snapshot this run: the schedule of post ages, stated once.

A post's lifetime metrics change fast in its first days and slowly after; the engagement
marts compare posts at the ages D+1, D+7 and D+28 (dbt_project/models/marts/engagement/
fct_post_performance.sql: the snapshot taken exactly that many days after the UTC publication
date, never borrowed from another day). Re-reading every post younger than 29 days on every
run cost most of a daily run's requests and rows, so a post is re-read only on the days of
its *snapshot schedule*: by default every day of its first week (0-7), then D+14, D+21, D+28.

On a day the schedule does not read a post, the post's value is its latest read at or before
that day (docs/performance.md, "Snapshot schedule"): the marts that add posts up
(fct_account_daily, mart_kpi_scorecard, mart_ab_tests) and the ER bases take each post's
latest read, and a day rebuilt from a daily series (LinkedIn, YouTube) only precedes a post's
first read, so the latest row of a post is always a read with all its metrics. Under a
schedule of every day (``DENSE_AGES``) the marts are what they were.

The schedule is configuration, per source: ``snapshot_ages`` in ``[sources.<name>]`` of
.dlt/config.toml (or ``SOURCES__<NAME>__SNAPSHOT_AGES='[0, 1, 7, 28]'``). The sources' re-list
windows stay as they were: posts younger than the window are still listed every run (their
new comments arrive daily); only the metric snapshot follows the schedule.

Rules (``due``): the first day an account is run snapshots every post it lists (the
backfill's one snapshot of each post, in however many windows); a later run snapshots a
listed post when its age today is on the schedule, or when a scheduled age fell on a day no
run saw (a missed run: the next run takes it late rather than never). The days of each
account's first and last run are kept in dlt source state (``snapshot_runs``), so they move
only when the load succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import dlt

from ingestion.incremental import source_state

R = TypeVar("R")

logger = logging.getLogger(__name__)

SPARSE_AGES = (0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
"""Every day of the first week, then the weekly ages up to the marts' last one (D+28)."""

DEFAULT_AGES = SPARSE_AGES
"""The default schedule of Meta, LinkedIn, YouTube and TikTok."""

DENSE_AGES = tuple(range(29))
"""Every day up to D+28: the schedule before issue 14 (about three times the reads)."""

MART_AGES = (1, 7, 28)
"""The ages the engagement marts read (fct_post_performance.sql ``ages``): a schedule must
keep them, else those columns go NULL for every post."""

STATE_KEY = "snapshot_runs"


@dataclass(frozen=True)
class Schedule:
    """The post ages (days since the UTC publication date) at which metrics are read."""

    ages: tuple[int, ...] = DEFAULT_AGES

    def __post_init__(self) -> None:
        if not self.ages or any(not isinstance(a, int) or a < 0 for a in self.ages):
            raise ValueError(f"snapshot_ages must be non-negative whole days, not {self.ages!r}")
        missing = sorted(set(MART_AGES) - set(self.ages))
        if missing:
            raise ValueError(
                f"snapshot_ages {list(self.ages)} lacks {missing}: the engagement marts read "
                f"metrics at the ages {list(MART_AGES)}"
            )
        object.__setattr__(self, "ages", tuple(sorted(set(self.ages))))

    @property
    def last(self) -> int:
        """The oldest age read: a source must re-list posts at least this old."""
        return self.ages[-1]

    def due(self, published: date, today: date, last_run: date | None) -> bool:
        """Whether a post published on ``published`` is read today: its age is on the
        schedule, or a scheduled age fell after ``last_run`` and before today (missed runs)."""
        age = (today - published).days
        if age in self.ages:
            return True
        if last_run is None:
            return False
        seen = (last_run - published).days
        return any(seen < a < age for a in self.ages)


def schedule_of(source: str) -> Schedule:
    """``sources.<source>.snapshot_ages`` of the configuration, else the default schedule."""
    ages = dlt.config.get(f"sources.{source}.snapshot_ages", list)
    return Schedule(DEFAULT_AGES if ages is None else tuple(_whole(a) for a in ages))


def _whole(value: Any) -> int:
    """An age from configuration (TOML gives ints, an environment variable may give strings)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"snapshot_ages: {value!r} is not a whole number of days")
    return int(value)


def due(
    schedule: Schedule,
    account: str,
    refs: Iterable[R],
    published: Callable[[R], date],
    today: date,
    listed_all: bool = False,
    note: bool = True,
) -> list[R]:
    """The refs of one account to snapshot today: all of them on the day of the account's
    first run (the backfill, whatever number of windows it takes) or when ``listed_all`` (the
    listing went back to the beginning); else those the schedule makes due. Notes today as
    the account's last run (source state, committed with the load) unless ``note`` is False
    (a resource that only asks which posts are due, e.g. the comments of a run that reads no
    metrics, must not mark the backfill's snapshot as taken)."""
    runs = source_state(STATE_KEY)
    seen = runs.get(account) or {}
    first, last = seen.get("first", today.isoformat()), seen.get("last")
    if note:
        runs[account] = {"first": first, "last": max(today.isoformat(), last or "")}
    if listed_all or last is None or first == today.isoformat():
        return list(refs)
    last_run = date.fromisoformat(last)
    return [ref for ref in refs if schedule.due(published(ref), today, last_run)]


def check_window(source: str, schedule: Schedule, days: int) -> None:
    """Warn when a re-list window is too short for the schedule: posts older than the window
    are not listed again, so their later scheduled ages are never read."""
    if days <= schedule.last:
        logger.warning(
            "sources.%s: the re-list window (%d days) does not exceed the snapshot schedule's "
            "last age (%d): posts are not read at the ages past the window",
            source,
            days,
            schedule.last,
        )
