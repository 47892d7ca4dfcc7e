"""Small, self-consistent engagement marts (good rows) and a loader into a DuckDB file.

The rows follow the column contracts of docs/engagement_marts.md with the types dbt gives
them, and every derived value (interactions, rates, headline ER, ages, flags) is computed
here from its parts, so that a test changing one value breaks exactly one invariant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

FORMULA, VERSION = "by_reach", "v1"


def rate(numerator: float | None, denominator: float | None) -> float | None:
    """The dbt macro ``engagement_rate``: percent, NULL without a denominator."""
    if numerator is None or not denominator:
        return None
    return numerator * 100.0 / denominator


def _interactions(likes: Any, comments: Any, shares: Any, saves: Any) -> int | None:
    parts = [likes, comments, shares, saves]
    return None if all(p is None for p in parts) else sum(p or 0 for p in parts)


def _post(
    post_id: str,
    platform: str,
    account_id: str,
    brand_id: str,
    fmt: str,
    pillar: str,
    published_at: datetime,
    published_date: date,
    latest: date | None,
    metrics: dict[str, int | None],
    followers: int | None,
    milestones: dict[int, tuple[int | None, int | None, int | None]],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "post_id": post_id,
        "platform": platform,
        "account_id": account_id,
        "brand_id": brand_id,
        "format": fmt,
        "pillar": pillar,
        "published_at": published_at,
        "published_date": published_date,
        "latest_snapshot_date": latest,
        "post_age_days": (latest - published_date).days if latest else None,
    }
    for m in ("reach", "impressions", "likes", "comments", "shares", "saves"):
        row[m] = metrics.get(m)
    for m in ("video_views", "video_completions", "clicks"):
        row[m] = metrics.get(m)
    row["interactions"] = _interactions(row["likes"], row["comments"], row["shares"], row["saves"])
    row["followers"] = followers
    for d in (1, 7, 28):
        reach, impressions, interactions = milestones.get(d, (None, None, None))
        row[f"reach_d{d}"] = reach
        row[f"impressions_d{d}"] = impressions
        row[f"interactions_d{d}"] = interactions
        row[f"er_headline_d{d}"] = rate(interactions, reach)
    row["er_by_reach"] = rate(row["interactions"], row["reach"])
    row["er_by_followers"] = rate(row["interactions"], followers)
    row["er_by_impressions"] = rate(row["interactions"], row["impressions"])
    row["er_headline"] = row["er_by_reach"]
    row["er_formula"], row["er_formula_version"] = FORMULA, VERSION
    row["video_completion_rate"] = rate(row["video_completions"], row["video_views"])
    row["avg_view_share"] = metrics.get("avg_view_share")
    row["has_reach"] = row["reach"] is not None
    row["has_impressions"] = row["impressions"] is not None
    row["has_followers"] = followers is not None
    return row


def post_performance() -> pd.DataFrame:
    """Five posts: a classic one, a young reel (no D+7/D+28 yet), an X post without reach
    published late on the UTC day (its local date is the next day), a viral TikTok whose ER by
    followers is 2000 % (legitimate), and a LinkedIn post no snapshot has reached yet."""
    rows = [
        _post(
            "fb_1", "facebook", "1", "b1", "image", "Preuve",
            datetime(2026, 3, 1, 9), date(2026, 3, 1), date(2026, 4, 15),
            {"reach": 1000, "impressions": 1500, "likes": 40, "comments": 5, "shares": 3,
             "saves": 2, "clicks": 12},
            2000,
            {1: (600, 800, 30), 7: (900, 1300, 45), 28: (1000, 1500, 50)},
        ),
        _post(
            "ig_1", "instagram", "2", "b1", "reel", "Pedagogie",
            datetime(2026, 3, 10, 18, 30), date(2026, 3, 10), date(2026, 3, 13),
            {"reach": 400, "impressions": 600, "likes": 15, "comments": 3, "shares": 0,
             "saves": 2, "video_views": 900, "video_completions": 300, "avg_view_share": 0.42},
            800,
            {1: (300, 450, 15)},
        ),
        _post(
            "x_1", "x", "3", "b2", "text", "unclassified",
            datetime(2026, 2, 20, 23, 30), date(2026, 2, 21), date(2026, 3, 25),
            {"impressions": 5000, "likes": 10, "comments": 2, "shares": 4, "clicks": 7},
            3000,
            {1: (None, 2000, 8), 7: (None, 4000, 14), 28: (None, 5000, 16)},
        ),
        _post(
            "tt_1", "tiktok", "4", "b2", "reel", "Communaute",
            datetime(2026, 1, 5, 12), date(2026, 1, 5), date(2026, 3, 1),
            {"reach": 20000, "impressions": 30000, "likes": 900, "comments": 50, "shares": 40,
             "saves": 10, "video_views": 30000, "video_completions": 5000},
            50,
            {1: (5000, 7000, 300), 7: (15000, 22000, 800), 28: (19000, 28000, 950)},
        ),
        _post(
            "li_1", "linkedin", "5", "b1", "carousel", "Marque",
            datetime(2026, 3, 20, 8), date(2026, 3, 20), None, {}, 1200, {},
        ),
    ]  # fmt: skip
    return pd.DataFrame(rows)


POST_PERFORMANCE_TYPES = {
    **dict.fromkeys(
        ("post_id", "platform", "account_id", "brand_id", "format", "pillar"), "varchar"
    ),
    "published_at": "timestamp",
    **dict.fromkeys(("published_date", "latest_snapshot_date"), "date"),
    **dict.fromkeys(("er_formula", "er_formula_version"), "varchar"),
    **dict.fromkeys(("has_reach", "has_impressions", "has_followers"), "boolean"),
    **dict.fromkeys(("video_completion_rate", "avg_view_share"), "double"),
}


def _day(platform: str, account: str, day: date, followers: int | None, source: str | None,
         gain: int | None, posts: int, reach: int | None, impressions: int | None,
         interactions: int | None) -> dict[str, Any]:  # fmt: skip
    return {
        "account_id": account,
        "platform": platform,
        "brand_id": "b1",
        "date_day": day,
        "followers": followers,
        "followers_source": source,
        "follower_gain": gain,
        "posts_published": posts,
        "reach": reach,
        "impressions": impressions,
        "interactions": interactions,
        "er_by_reach": rate(interactions, reach),
        "er_by_followers": rate(interactions, followers),
        "er_by_impressions": rate(interactions, impressions),
        "er_headline": rate(interactions, reach),
        "er_formula": FORMULA,
        "er_formula_version": VERSION,
    }


def account_daily() -> pd.DataFrame:
    """Account "1" on Facebook (a day with a post, then a day losing followers and posting
    nothing) and on Instagram the same day (the key is per platform), with reach 0; an X
    account without a follower count."""
    d1, d2 = date(2026, 3, 1), date(2026, 3, 2)
    return pd.DataFrame(
        [
            _day("facebook", "1", d1, 2000, "page_follows_series", 5, 1, 1000, 1500, 50),
            _day("facebook", "1", d2, 1995, "page_follows_series", -5, 0, None, None, None),
            _day("instagram", "1", d1, 800, "snapshot", None, 2, 0, 600, 20),
            _day("x", "3", d1, None, None, None, 1, None, 5000, 16),
        ]
    )


ACCOUNT_DAILY_TYPES = {
    **dict.fromkeys(("account_id", "platform", "brand_id", "followers_source"), "varchar"),
    "date_day": "date",
    **dict.fromkeys(("followers", "follower_gain", "posts_published"), "bigint"),
    **dict.fromkeys(("reach", "impressions", "interactions"), "bigint"),
    **dict.fromkeys(("er_formula", "er_formula_version"), "varchar"),
}


def _week(brand: str, platform: str, pillar: str, fmt: str, monday: date, posts: int,
          ers: list[float], baseline: float | None, baseline_posts: int,
          recommendation: str | None) -> dict[str, Any]:  # fmt: skip
    iso = monday.isocalendar()
    median = float(pd.Series(ers).median()) if ers else None
    lift = median / baseline if median is not None and baseline else None
    return {
        "brand_id": brand,
        "platform": platform,
        "pillar": pillar,
        "format": fmt,
        "week_start": monday,
        "iso_year": iso.year,
        "iso_week": iso.week,
        "posts": posts,
        "posts_with_er": len(ers),
        "median_er": median,
        "mean_er": sum(ers) / len(ers) if ers else None,
        "baseline_median_er": baseline,
        "baseline_posts": baseline_posts,
        "lift": lift,
        "recommendation": recommendation,
        "er_formula": FORMULA,
        "er_formula_version": VERSION,
    }


def pillar_performance() -> pd.DataFrame:
    """Scale, stop and keep weeks; a week of posts without ER (no medians, no recommendation);
    a baseline too thin to recommend; and the week of 2025-12-29, ISO week 1 of 2026."""
    return pd.DataFrame(
        [
            _week("b1", "facebook", "Preuve", "image", date(2026, 3, 2), 3, [4.0, 5.0, 7.5],
                  4.0, 12, "scale"),
            _week("b1", "facebook", "Preuve", "image", date(2026, 3, 9), 2, [2.0, 4.0], 4.0, 14,
                  "stop"),
            _week("b1", "instagram", "Pedagogie", "reel", date(2026, 3, 2), 1, [4.1], 4.0, 10,
                  "keep"),
            _week("b2", "x", "unclassified", "text", date(2025, 12, 29), 2, [], None, 0, None),
            _week("b2", "tiktok", "Communaute", "reel", date(2026, 3, 2), 1, [6.0], 5.0, 2, None),
        ]
    )  # fmt: skip


PILLAR_PERFORMANCE_TYPES = {
    **dict.fromkeys(("brand_id", "platform", "pillar", "format", "recommendation"), "varchar"),
    "week_start": "date",
    **dict.fromkeys(("iso_year", "iso_week"), "integer"),
    **dict.fromkeys(("posts", "posts_with_er", "baseline_posts"), "bigint"),
    **dict.fromkeys(("er_formula", "er_formula_version"), "varchar"),
}

TABLES = {
    "marts.fct_post_performance": (post_performance, POST_PERFORMANCE_TYPES),
    "marts.fct_account_daily": (account_daily, ACCOUNT_DAILY_TYPES),
    "marts.mart_pillar_performance": (pillar_performance, PILLAR_PERFORMANCE_TYPES),
}


def _sql_type(column: str, types: dict[str, str]) -> str:
    if column in types:
        return types[column]
    if column.startswith(("er_", "median_", "mean_", "baseline_median", "lift")):
        return "double"
    return "bigint"  # counts


def load(path: Path, relation: str, df: pd.DataFrame) -> None:
    """Write ``df`` as ``relation`` with the mart's column types (pandas alone would turn a
    count with a NULL into a double and a date column of NULLs into an integer)."""
    types = TABLES[relation][1]
    schema = relation.split(".")[0]
    casts = ", ".join(f'cast("{c}" as {_sql_type(c, types)}) as "{c}"' for c in df.columns)
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create schema if not exists {schema}")
        con.register("frame", df.astype(object).where(df.notna(), None))
        con.execute(f"create or replace table {relation} as select {casts} from frame")
    finally:
        con.close()


def future(days: int) -> date:
    """A calendar date ``days`` after today (UTC)."""
    return (datetime.now(UTC) + timedelta(days=days)).date()
