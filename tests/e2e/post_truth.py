"""The generator's truth of every post and account, read the way the product defines metrics.

Interactions, reach and impressions of a post on a sandbox day come from the world's manifest
of that day (``sandbox/world/manifest.py``: what the APIs serve at that day's clock), mapped by
hand with the product's definition (/work/shared/domain/product.md, "Metric definitions") and
the per-platform table of docs/engagement_marts.md, never through the dbt registry or macros.
Followers come from the world's own daily series (``sandbox/world/followers.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, cached_property
from typing import Any

from sandbox.world.followers import true_followers
from sandbox.world.manifest import build_manifest
from sandbox.world.store import now_of, open_readonly

# The documented error of a followers value (docs/engagement_marts.md, "Followers on a day"):
# YouTube rounds subscriberCount down to three significant figures (under 1 % of the anchor,
# allowed 2 % of an older, smaller count); every day of unaccounted change adds at most 1 %.
ROUNDING = {"youtube": 0.02}
PER_GAP_DAY = 0.01


def tolerance(platform: str, gap_days: int) -> float:
    """Largest relative error of a followers value allowed by its basis' documented error."""
    return ROUNDING.get(platform, 0.0) + PER_GAP_DAY * gap_days


def rate(numerator: int, denominator: int | None) -> float | None:
    """The product's rate in percent; NULL without a denominator (product.md), never 0."""
    return None if not denominator else numerator * 100.0 / denominator


def same(got: float | None, expected: float | None) -> bool:
    """Equal within floating-point rounding; NULL only where NULL is expected."""
    if got is None or expected is None:
        return got is expected
    return abs(got - expected) <= 1e-9 * max(1.0, abs(expected))


@dataclass(frozen=True)
class PostTruth:
    """A post's lifetime counts at one sandbox day; None where the platform has no such metric
    (X, YouTube and TikTok give no reach; YouTube and TikTok no impressions). ``views`` is
    kept for YouTube and TikTok only, where plays are the one exposure an A/B test can use."""

    interactions: int
    reach: int | None
    impressions: int | None
    views: int | None = None
    shares: int = 0
    """YouTube only: the Analytics shares counted in ``interactions`` (served so far)."""


def _meta(manifest: dict[str, Any]) -> dict[str, PostTruth]:
    out: dict[str, PostTruth] = {}
    for acc in manifest["accounts"].values():
        for post_id, m in acc["posts"].items():
            if acc["platform"] == "facebook":  # all reactions + comments + shares (no saves)
                interactions = m["reactions"] + m["comments"] + m["shares"]
                reach, impressions = m["post_total_media_view_unique"], m["post_media_view"]
            else:  # Instagram: likes + comments + shares + saves; views are its impressions
                interactions = m["like_count"] + m["comments_count"] + m["shares"] + m["saved"]
                reach, impressions = m["reach"], m["views"]
            out[post_id] = PostTruth(interactions, reach, impressions)
    return out


def _others(src: dict[str, Any]) -> dict[str, PostTruth]:
    out: dict[str, PostTruth] = {}
    for org in src["linkedin"]["organizations"].values():
        for urn, s in org["posts"].items():  # reach: unique impressions
            interactions = s["likeCount"] + s["commentCount"] + s["shareCount"]
            out[urn] = PostTruth(interactions, s["uniqueImpressionsCount"], s["impressionCount"])
    for acc in src["x"]["accounts"].values():
        for tweet_id, m in acc["metrics"].items():  # likes + replies + reposts + quotes + bookmarks
            interactions = (
                m["like_count"]
                + m["reply_count"]
                + m["retweet_count"]
                + m["quote_count"]
                + m["bookmark_count"]
            )
            out[tweet_id] = PostTruth(interactions, None, m["impression_count"])
    for acc in src["tiktok"]["accounts"].values():
        for video_id, m in acc["videos"].items():
            interactions = m["like_count"] + m["comment_count"] + m["share_count"]
            out[video_id] = PostTruth(interactions, None, None, m["view_count"])
    daily = src["youtube"]["daily"]["videos"]
    for video_id, m in src["youtube"]["videos"].items():
        # Shares exist only in Analytics: the daily shares served so far (2-3 days of lag).
        shares = daily.get(video_id, {}).get("shares", 0)
        interactions = m["like_count"] + (m["comment_count"] or 0) + shares
        out[video_id] = PostTruth(interactions, None, None, m["view_count"], shares)
    return out


def posts_on(manifest: dict[str, Any]) -> dict[str, PostTruth]:
    """Every social post's truth as of the manifest's day, by post id."""
    return {**_meta(manifest), **_others(manifest["sources"])}


# Every social account of the world, keyed as sandbox/world/followers.py keys them.
ACCOUNTS_SQL = """
    SELECT platform, account_id, brand_id FROM accounts
    UNION ALL SELECT 'linkedin', organization_id, brand_id FROM linkedin_organizations
    UNION ALL SELECT 'x', user_id, brand_id FROM x_accounts
    UNION ALL SELECT 'youtube', channel_id, brand_id FROM yt_channels
    UNION ALL SELECT 'tiktok', open_id, brand_id FROM tiktok_accounts
"""

# Every content post of the world with its brand, platform, account (keyed as the warehouse keys
# accounts) and publication time; visibility as the APIs serve it at $now
# (sandbox/world/engagement_truth.py): X serves undeleted tweets, and the brand's replies to
# other people are conversation, not content.
CONTENT_SQL = """
    SELECT a.brand_id, p.platform, p.account_id, p.post_id, p.created_time
    FROM posts p JOIN accounts a USING (account_id) WHERE p.created_time <= $now
    UNION ALL
    SELECT o.brand_id, 'linkedin', p.organization_id, p.post_urn, p.published_at
    FROM linkedin_posts p JOIN linkedin_organizations o USING (organization_id)
    WHERE p.published_at <= $now
    UNION ALL
    SELECT a.brand_id, 'x', a.user_id, t.tweet_id, t.created_at
    FROM x_tweets t JOIN x_accounts a ON a.user_id = t.author_id
    WHERE t.kind = 'post' AND t.created_at <= $now
      AND (t.deleted_at IS NULL OR t.deleted_at > $now)
    UNION ALL
    SELECT brand_id, 'youtube', channel_id, video_id, published_at
    FROM yt_videos WHERE published_at <= $now
    UNION ALL
    SELECT brand_id, 'tiktok', open_id, video_id, create_time
    FROM tiktok_videos WHERE create_time <= $now
"""


# The snapshot schedule (docs/performance.md, "Snapshot schedule"; ingestion/snapshot_ages.py's
# default), stated here from the contract, not imported: Meta, LinkedIn, YouTube and TikTok read
# a post's lifetime metrics on the first run, then on the runs where its age (days since the UTC
# publication date) is one of these. X re-reads the posts younger than 8 days (X's monthly read
# quota; docs/engagement_marts.md).
SCHEDULE = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28})
X_REREAD_DAYS = 8
# YouTube Analytics serves a day 3 days later (docs/sources/youtube.md); a video's series is
# followed for 35 days after publication, longer than the replay's world, so every run loads it.
ANALYTICS_LAG_DAYS = 3


def read_day(platform: str, published: date, runs: list[date]) -> date:
    """The last of ``runs`` (one a day, the first the backfill) that read a post's lifetime
    metrics, by the schedule: the first run reads every post; a later run the posts whose age
    that day is on the schedule (X: younger than X_REREAD_DAYS)."""
    read = [runs[0]] if published <= runs[0] else []
    for day in runs[1:]:
        age = (day - published).days
        due = age < X_REREAD_DAYS if platform == "x" else age in SCHEDULE
        if age >= 0 and due:
            read.append(day)
    return max(read)


@dataclass(frozen=True)
class Content:
    """Who published a post, where, and on which UTC day."""

    brand_id: str
    platform: str
    account_id: str
    published_date: date


class WorldTruth:
    """Posts per sandbox day (each day's manifest built once), content and followers of one
    world file, from its first to its last day."""

    def __init__(self, world: str | os.PathLike[str], first: date, last: date) -> None:
        self.world = world
        self.first, self.last = first, last
        self.posts = cache(self._posts)

    def _posts(self, day: date) -> dict[str, PostTruth]:
        return posts_on(build_manifest(self.world, day))

    def known(self, post_id: str, day: date) -> PostTruth:
        """A post's counts read on ``day`` as the warehouse knows them on the last day: the
        world's counts of that day, but YouTube's Analytics shares of the days up to ``day``
        that the later runs loaded (served ANALYTICS_LAG_DAYS late), not only those served
        by ``day``."""
        true = self.posts(day)[post_id]
        if self.content[post_id].platform != "youtube":
            return true
        later = min(day + timedelta(days=ANALYTICS_LAG_DAYS), self.last)
        shares = self.posts(later)[post_id].shares
        return replace(true, interactions=true.interactions - true.shares + shares, shares=shares)

    def latest(self, runs: list[date]) -> dict[str, tuple[date, PostTruth]]:
        """Each content post's read day under the schedule and its counts then (``known``)."""
        out = {}
        for post_id, c in self.content.items():
            day = read_day(c.platform, c.published_date, runs)
            out[post_id] = (day, self.known(post_id, day))
        return out

    def _read(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        cur = open_readonly(self.world)
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()

    @cached_property
    def content(self) -> dict[str, Content]:
        """Every content post visible on the last day, by post id."""
        found = self._read(CONTENT_SQL, {"now": now_of(self.last)})
        return {
            post_id: Content(brand, platform, str(account), published.date())
            for brand, platform, account, post_id, published in found
        }

    @cached_property
    def brands(self) -> dict[tuple[str, str], str]:
        """(platform, account_id) -> brand_id of every social account of the world."""
        return {(p, str(a)): b for p, a, b in self._read(ACCOUNTS_SQL)}

    @cached_property
    def followers(self) -> dict[tuple[str, str, date], int]:
        """(platform, account_id, day) -> true followers at the end of the day."""
        cur = open_readonly(self.world)
        try:
            return {(p, a, d): n for p, a, d, n in true_followers(cur, self.first, self.last)}
        finally:
            cur.close()
