"""LinkedIn numbers at the sandbox clock, shared by the API and the manifest.

One module computes every statistic so that what the API serves and what the manifest says a
complete load must hold can never disagree:

- lifetime share statistics of a post: the world's curve (``sandbox.world.metrics.lifetime``)
  at the post's age since ``publishedAt``; ``commentCount`` is the visible comments, replies
  included; ``engagement`` = (clicks + likes + comments + shares) / impressions (0.0 without
  impressions), a ratio as LinkedIn serves it;
- time-bound statistics of a day (or month) [a, b): the lifetime value at min(b, now) minus the
  value at a, so the days of a post add up to its lifetime value;
- followers: ``sandbox.world.store.followers_on`` (firstDegreeSize); the daily gain is the
  difference of two days, ``paidFollowerGain`` the organization's paid share of a positive gain;
- lifetime follower facets: the total split by fixed shares, organic and paid apart.
"""

from __future__ import annotations

import bisect
import math
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.world.metrics import age_hours, lifetime, split
from sandbox.world.store import followers_on, rows

COUNTS = (
    ("impressionCount", "final_impressions"),
    ("uniqueImpressionsCount", "final_unique_impressions"),
    ("clickCount", "final_clicks"),
    ("likeCount", "final_likes"),
    ("shareCount", "final_shares"),
    ("commentMentionsCount", "final_comment_mentions"),
    ("shareMentionsCount", "final_share_mentions"),
)
STAT_KEYS = (
    "clickCount",
    "commentCount",
    "commentMentionsCount",
    "engagement",
    "impressionCount",
    "likeCount",
    "shareCount",
    "shareMentionsCount",
    "uniqueImpressionsCount",
)

# Lifetime follower facets: (list name, element key, {value: share}).
FACETS: tuple[tuple[str, str, dict[str, float]], ...] = (
    (
        "followerCountsBySeniority",
        "seniority",
        {
            "urn:li:seniority:3": 0.28,
            "urn:li:seniority:4": 0.24,
            "urn:li:seniority:5": 0.14,
            "urn:li:seniority:2": 0.12,
            "urn:li:seniority:6": 0.09,
            "urn:li:seniority:7": 0.06,
            "urn:li:seniority:8": 0.04,
            "urn:li:seniority:10": 0.03,
        },
    ),
    (
        "followerCountsByFunction",
        "function",
        {
            "urn:li:function:15": 0.22,
            "urn:li:function:3": 0.18,
            "urn:li:function:26": 0.14,
            "urn:li:function:4": 0.12,
            "urn:li:function:8": 0.10,
            "urn:li:function:25": 0.09,
            "urn:li:function:12": 0.08,
            "urn:li:function:18": 0.07,
        },
    ),
    (
        "followerCountsByIndustry",
        "industry",
        {
            "urn:li:industry:27": 0.30,
            "urn:li:industry:1719": 0.20,
            "urn:li:industry:80": 0.18,
            "urn:li:industry:96": 0.14,
            "urn:li:industry:34": 0.10,
            "urn:li:industry:4": 0.08,
        },
    ),
    (
        "followerCountsByGeoCountry",
        "geo",
        {
            "urn:li:geo:105015875": 0.62,
            "urn:li:geo:100565514": 0.09,
            "urn:li:geo:106693272": 0.07,
            "urn:li:geo:101165590": 0.08,
            "urn:li:geo:101174742": 0.06,
            "urn:li:geo:103644278": 0.08,
        },
    ),
    (
        "followerCountsByStaffCountRange",
        "staffCountRange",
        {
            "SIZE_11_TO_50": 0.22,
            "SIZE_51_TO_200": 0.20,
            "SIZE_201_TO_500": 0.14,
            "SIZE_1001_TO_5000": 0.14,
            "SIZE_2_TO_10": 0.12,
            "SIZE_10001_OR_MORE": 0.10,
            "SIZE_501_TO_1000": 0.08,
        },
    ),
)
EMPLOYEE_SHARE = 0.01  # followerCountsByAssociationType: only EMPLOYEE is listed


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def epoch_ms(when: datetime) -> int:
    """Naive UTC datetime -> epoch milliseconds (LinkedIn's timestamps)."""
    return int((when - datetime(1970, 1, 1)).total_seconds() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


def counts_at(post: dict[str, Any], when: datetime) -> dict[str, int]:
    """The post's counts (comments aside) at ``when``: 0 before publication."""
    age = age_hours(post["published_at"], when)
    return {key: lifetime(post[col], age) for key, col in COUNTS}


def engagement(values: dict[str, Any]) -> float:
    impressions = values.get("impressionCount") or 0
    if impressions <= 0:
        return 0.0
    hits = (
        values["clickCount"] + values["likeCount"] + values["commentCount"] + values["shareCount"]
    )
    return hits / impressions


def finish(values: dict[str, Any]) -> dict[str, Any]:
    """Add ``engagement`` and order the keys as the API does (alphabetically)."""
    values = dict(values)
    values["engagement"] = engagement(values)
    return {key: values[key] for key in STAT_KEYS}


def lifetime_stats(post: dict[str, Any], now: datetime, comment_count: int) -> dict[str, Any]:
    """``totalShareStatistics`` of one post at ``now``."""
    values: dict[str, Any] = counts_at(post, now)
    values["commentCount"] = comment_count
    return finish(values)


def saturation_days(post: dict[str, Any]) -> int:
    """Days after publication beyond which no count can still grow by one."""
    top = max(int(post[col] or 0) for _, col in COUNTS)
    return int(math.ceil(30.0 * math.log(top + 1) / 24.0)) + 2


def bucket_edges(first: date, last: date, granularity: str) -> list[tuple[date, date]]:
    """[start, end) date pairs of DAY or MONTH buckets covering ``first``..``last``."""
    edges = []
    day = first
    while day <= last:
        if granularity == "MONTH":
            nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        else:
            nxt = day + timedelta(days=1)
        edges.append((day, nxt))
        day = nxt
    return edges


def bucket_stats(
    posts: list[dict[str, Any]],
    comment_times: dict[str, list[datetime]],
    buckets: list[tuple[date, date]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Summed time-bound statistics of ``posts`` per bucket (one dict per bucket).

    ``comment_times`` holds the visible comments' times per post.
    """
    sums = [dict.fromkeys((k for k, _ in COUNTS), 0) | {"commentCount": 0} for _ in buckets]
    starts = [midnight(a) for a, _ in buckets]
    for post in posts:
        pub = post["published_at"]
        horizon = pub + timedelta(days=saturation_days(post))
        first = max(0, bisect.bisect_right(starts, pub) - 1)
        for i in range(first, len(buckets)):
            start, end = starts[i], min(midnight(buckets[i][1]), now)
            if start >= horizon or start >= now:
                break
            if end <= pub:
                continue
            hi, lo = counts_at(post, end), counts_at(post, start)
            for key in hi:
                sums[i][key] += hi[key] - lo[key]
        for when in comment_times.get(post["post_urn"], []):
            i = bisect.bisect_right(starts, when) - 1
            if i >= 0 and when < midnight(buckets[i][1]):
                sums[i]["commentCount"] += 1
    return [finish(s) for s in sums]


def visible_posts(
    cur: Any, organization_id: str, now: datetime, urns: list[str] | None = None
) -> list[dict[str, Any]]:
    sql = "SELECT * FROM linkedin_posts WHERE organization_id = ? AND published_at <= ?"
    params: list[Any] = [organization_id, now]
    if urns is not None:
        if not urns:
            return []
        sql += f" AND post_urn IN ({', '.join('?' for _ in urns)})"
        params += urns
    return rows(cur, sql + " ORDER BY published_at DESC, post_urn DESC", params)


def comment_counts(cur: Any, organization_id: str, now: datetime) -> dict[str, int]:
    return dict(
        cur.execute(
            "SELECT post_urn, count(*) FROM linkedin_comments WHERE organization_id = ? "
            "AND created_at <= ? GROUP BY post_urn",
            [organization_id, now],
        ).fetchall()
    )


def comment_times(
    cur: Any, organization_id: str, start: datetime, now: datetime
) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = {}
    for urn, when in cur.execute(
        "SELECT post_urn, created_at FROM linkedin_comments WHERE organization_id = ? "
        "AND created_at >= ? AND created_at <= ? ORDER BY created_at",
        [organization_id, start, now],
    ).fetchall():
        out.setdefault(urn, []).append(when)
    return out


def organization(cur: Any, organization_id: str) -> dict[str, Any] | None:
    found = rows(
        cur, "SELECT * FROM linkedin_organizations WHERE organization_id = ?", [organization_id]
    )
    return found[0] if found else None


def followers(org: dict[str, Any], start: date, day: date) -> int:
    """firstDegreeSize at the end of ``day``."""
    return followers_on({"account_id": f"linkedin:{org['organization_id']}", **org}, start, day)


def follower_gain(org: dict[str, Any], start: date, day: date) -> tuple[int, int]:
    """(organicFollowerGain, paidFollowerGain) of one day."""
    gain = followers(org, start, day) - followers(org, start, day - timedelta(days=1))
    paid = int(math.floor(gain * float(org["paid_share"]))) if gain > 0 else 0
    return gain - paid, paid


def facets(org: dict[str, Any], start: date, today: date) -> dict[str, list[dict[str, Any]]]:
    """The lifetime follower statistics element's facet lists at ``today``."""
    total = followers(org, start, today)
    paid_total = int(math.floor(total * float(org["paid_share"])))
    organic_total = total - paid_total
    out: dict[str, list[dict[str, Any]]] = {}
    for list_name, key, shares in FACETS:
        organic, paid = split(organic_total, shares), split(paid_total, shares)
        out[list_name] = [
            {
                key: value,
                "followerCounts": {
                    "organicFollowerCount": organic[value],
                    "paidFollowerCount": paid[value],
                },
            }
            for value in shares
        ]
    out["followerCountsByAssociationType"] = [
        {
            "associationType": "EMPLOYEE",
            "followerCounts": {
                "organicFollowerCount": int(organic_total * EMPLOYEE_SHARE),
                "paidFollowerCount": 0,
            },
        }
    ]
    return out


def window_start(today: date, months: int = 12) -> date:
    """The first day time-bound statistics may start on: ``today`` minus ``months`` months."""
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
