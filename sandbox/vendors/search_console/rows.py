"""What Search Analytics ``query`` shows of ``search_rows`` at a given now: one SQL for the API
and the manifest, so the ground truth and the answers cannot drift apart.

- Dates are Pacific days; the API's today is the Pacific day of the clock's now.
- Final data: a day is final ``final_lag`` (2 or 3) days after it ("Final data is usually
  available 2-3 days after the date", https://developers.google.com/webmaster-tools/v1/
  searchanalytics/query, dataState). ``dataState: "final"`` (the default) shows final days
  only; ``"all"`` adds the fresh days with the share of their final counts collected so far
  ((days since + 1) / (lag + 1), floored), and says where they begin with
  ``metadata.first_incomplete_date`` when grouped by date.
- History: 16 months (https://support.google.com/webmasters/answer/7576553, "Data is
  available for 16 months"); older days are absent, not refused (what the live API does with a
  startDate before the limit is not documented: docs/sources/search_console.md).
- Anonymized queries: left out of any result grouped by query, counted otherwise.
- Aggregates: clicks and impressions summed, ctr = clicks / impressions, position the
  impression-weighted mean (Search Console's "average position", computed in tenths, exactly).
- Order: clicks descending ("Results are sorted by click count, descending"), ties by the
  keys (the API orders them arbitrarily; the sandbox needs a stable order to page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.world.search import pacific_today

DIMENSIONS = {
    "date": "strftime(date, '%Y-%m-%d')",
    "page": "page",
    "query": "query",
    "country": "country",
    "device": "device",
}
HISTORY_MONTHS = 16


def history_start(today: date) -> date:
    """The oldest day Search Console still holds: 16 months before ``today``."""
    months = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    year, month = divmod(months, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


@dataclass(frozen=True)
class Ask:
    """One request's rows: the site, dates, dimensions and data state."""

    site_url: str
    start: date
    end: date
    dimensions: tuple[str, ...]
    data_state: str = "final"


def query_sql(ask: Ask, now: datetime) -> tuple[str, list[Any]]:
    """SQL of the grouped rows (keys..., clicks, impressions, position) and its parameters."""
    today = pacific_today(now)
    first = max(ask.start, history_start(today))
    keys = [DIMENSIONS[d] for d in ask.dimensions]
    final_only = "" if ask.data_state == "all" else "AND date + final_lag <= $today"
    hidden = "AND NOT anonymized" if "query" in ask.dimensions else ""
    group = f"GROUP BY {', '.join(keys)}" if keys else ""
    order = ", ".join(["clicks DESC", *(str(i + 1) for i in range(len(keys)))])
    sql = f"""
        WITH shown AS (
            SELECT *, CASE WHEN date + final_lag <= $today THEN 1.0
                      ELSE ($today - date + 1)::DOUBLE / (final_lag + 1) END AS share
            FROM search_rows
            WHERE site_url = $site AND date BETWEEN $first AND least($end, $today) {final_only}
        ), counted AS (
            SELECT *, floor(clicks * share)::BIGINT AS c, floor(impressions * share)::BIGINT AS i
            FROM shown
        )
        SELECT {", ".join([*keys, ""])} sum(c) AS clicks, sum(i) AS impressions,
               sum(round(position * 10)::BIGINT * i) / 10 / sum(i) AS position
        FROM counted WHERE i > 0 {hidden}
        {group}
        ORDER BY {order}"""
    params = {"today": today, "site": ask.site_url, "first": first, "end": ask.end}
    return sql, params  # type: ignore[return-value]


def first_incomplete(cur: Any, ask: Ask, now: datetime) -> date | None:
    """The first day of the range whose data is not final yet (``data_state`` all only)."""
    if ask.data_state != "all":
        return None
    today = pacific_today(now)
    row = cur.execute(
        "SELECT min(date) FROM search_rows WHERE site_url = ? AND date BETWEEN ? AND ? "
        "AND date + final_lag > ?",
        [ask.site_url, ask.start, min(ask.end, today), today],
    ).fetchone()
    return row[0] if row else None


def grouped(cur: Any, ask: Ask, now: datetime) -> list[tuple[Any, ...]]:
    """Every grouped row of ``ask`` at ``now``, in the API's order."""
    sql, params = query_sql(ask, now)
    return cur.execute(sql, params).fetchall()
