"""The TikTok part of the world: one account per registry ``tiktok`` entry and its videos.

Generated from its own random stream per account (seed + open_id), so the same seed gives the
same videos whatever other vendors do. Counts follow the shared lifetime curve
(``sandbox.world.metrics.lifetime``) so the API and the manifest compute them identically.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.world import care, experiments, text
from sandbox.world.entities import brand_lang, poisson, stable_number
from sandbox.world.metrics import age_hours, lifetime
from sandbox.world.store import columns, followers_on, now_of, rows, world_info

DDL = """
CREATE TABLE tiktok_accounts (open_id VARCHAR PRIMARY KEY, brand_id VARCHAR, union_id VARCHAR,
    display_name VARCHAR, username VARCHAR, followers_start BIGINT, daily_gain BIGINT,
    following_count BIGINT);
CREATE TABLE tiktok_videos (video_id VARCHAR, open_id VARCHAR, brand_id VARCHAR,
    create_time TIMESTAMP, title VARCHAR, video_description VARCHAR, duration INTEGER,
    height INTEGER, width INTEGER, campaign VARCHAR, pillar VARCHAR, lang VARCHAR,
    hashtags VARCHAR[], is_partnership BOOLEAN, is_disclosed BOOLEAN, final_views BIGINT,
    final_likes BIGINT, final_comments BIGINT, final_shares BIGINT);
CREATE INDEX tiktok_videos_account ON tiktok_videos (open_id, create_time);
CREATE INDEX tiktok_videos_id ON tiktok_videos (video_id);
"""
TABLE_KEYS = {"tiktok_accounts": "open_id", "tiktok_videos": "video_id"}
COUNTS = ("view_count", "like_count", "comment_count", "share_count")
PILLARS = {"Preuve": 0.2, "Pedagogie": 0.3, "Communaute": 0.25, "Marque": 0.15, None: 0.1}
TIKTOK_TAGS = ["#fyp", "#pourtoi", "#tiktokmademebuyit", "#astuce", "#behindthescenes"]


def _account(brand: Any, open_id: str, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:tiktok:{open_id}:account")
    digest = hashlib.blake2b(f"union:{open_id}".encode(), digest_size=16).hexdigest()
    return {
        "open_id": open_id,
        "brand_id": brand.brand_id,
        "union_id": f"uid.{digest}",
        "display_name": brand.name,
        "username": brand.brand_id.replace("-", ""),
        "followers_start": rng.randint(2000, 40000),
        "daily_gain": rng.randint(5, 80),
        "following_count": rng.randint(20, 300),
    }


def _videos(
    acc: dict[str, Any], lang: str, campaigns: list[tuple], spec: Any
) -> list[dict[str, Any]]:
    """Videos of one account: ~0.3-0.9 a day, unique create_time per account (keyset paging)."""
    rng = random.Random(f"{spec.seed}:tiktok:{acc['open_id']}")
    tag = stable_number(acc["open_id"], 5)
    deals = care.Partnerships(spec.seed, "tiktok", acc["open_id"], 0.05)
    rate = rng.uniform(0.3, 0.9)
    out: list[dict[str, Any]] = []
    used: set[datetime] = set()
    for offset in range(spec.span):
        day = spec.start + timedelta(days=offset)
        for _ in range(poisson(rng, rate * spec.volume.posts)):
            when = datetime(day.year, day.month, day.day, rng.randint(8, 22), rng.randint(0, 59))
            when += timedelta(seconds=rng.randint(0, 59))
            while when in used:
                when += timedelta(seconds=1)
            used.add(when)
            out.append({"create_time": when, "offset": offset})
    out.sort(key=lambda v: v["create_time"])
    videos = []
    for seq, item in enumerate(out, start=1):
        when, offset = item["create_time"], item["offset"]
        pillar = rng.choices(list(PILLARS), weights=list(PILLARS.values()))[0]
        running = [c for c in campaigns if c[1] <= when.date() <= c[2]]
        campaign = running[0] if running and rng.random() < 0.5 else None
        tags = rng.sample(text.HASHTAGS[lang], rng.randint(0, 2)) + rng.sample(TIKTOK_TAGS, 2)
        if campaign:
            tags.append(campaign[3])
        body = text.post_text(rng, lang, pillar, acc["brand_id"])
        title = body[:80]  # the deal is told in the description only
        deal, partner = deals.draw(offset)
        if deal and partner:
            body = care.Partnerships.apply(deal, partner, lang, body)
        followers = acc["followers_start"] + acc["daily_gain"] * offset
        views = int(followers * rng.uniform(0.3, 3.0) * rng.lognormvariate(0, 0.8))
        likes = int(views * rng.uniform(0.03, 0.1))
        videos.append(
            {
                "video_id": f"73{tag:05d}{seq:012d}",
                "open_id": acc["open_id"],
                "brand_id": acc["brand_id"],
                "create_time": when,
                "title": title,
                "video_description": body + " " + " ".join(tags),
                "duration": rng.randint(7, 90),
                "height": 1024,
                "width": 576,
                "campaign": campaign[0] if campaign else None,
                "pillar": pillar,
                "lang": lang,
                "hashtags": tags,
                "is_partnership": deal is not None,
                "is_disclosed": deal == "disclosed",
                "final_views": views,
                "final_likes": likes,
                "final_comments": int(likes * rng.uniform(0.01, 0.05)),
                "final_shares": int(likes * rng.uniform(0.02, 0.1)),
            }
        )
    return videos


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Accounts of the registry's ``tiktok`` entries and their videos over the world's days."""
    totals = {"accounts": 0, "videos": 0}
    for brand in registry.brands:
        campaigns = writer.con.execute(
            "SELECT campaign, start_date, end_date, hashtag FROM campaigns WHERE brand_id = ? "
            "ORDER BY start_date, campaign",
            [brand.brand_id],
        ).fetchall()
        lang = brand_lang(brand)
        for open_id in brand.ids("tiktok"):
            acc = _account(brand, open_id, spec.seed)
            writer.insert("tiktok_accounts", columns([acc]))
            videos = _videos(acc, lang, campaigns, spec)
            trials = experiments.run(videos, "tiktok", spec, brand.brand_id, open_id)
            writer.insert("experiment_posts", columns(trials))
            n = writer.insert("tiktok_videos", columns(videos))
            totals["accounts"] += 1
            totals["videos"] += n
            say(f"    {brand.brand_id} tiktok {open_id}: {n} videos")
    return totals


def counts_of(video: dict[str, Any], now: datetime) -> dict[str, int]:
    """Lifetime view/like/comment/share counts of a video at ``now`` (the API's numbers)."""
    age = age_hours(video["create_time"], now)
    return {
        "view_count": lifetime(video["final_views"], age),
        "like_count": lifetime(video["final_likes"], age),
        "comment_count": lifetime(video["final_comments"], age),
        "share_count": lifetime(video["final_shares"], age),
    }


def user_stats(cur: duckdb.DuckDBPyConnection, acc: dict[str, Any], today: date) -> dict[str, int]:
    """follower/following/likes/video counts of an account as of ``today``."""
    now = now_of(today)
    start = world_info(cur)["start_date"]
    visible = cur.execute(
        "SELECT create_time, final_views, final_likes, final_comments, final_shares "
        "FROM tiktok_videos WHERE open_id = ? AND create_time <= ?",
        [acc["open_id"], now],
    ).fetchall()
    likes = sum(lifetime(v[2], age_hours(v[0], now)) for v in visible)
    return {
        "follower_count": followers_on({**acc, "account_id": acc["open_id"]}, start, today),
        "following_count": int(acc["following_count"]),
        "likes_count": likes,
        "video_count": len(visible),
    }


def manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Per open_id: stats, video ids newest first and each video's counts as of ``today``."""
    now = now_of(today)
    accounts: dict[str, Any] = {}
    totals = {"accounts": 0, "videos": 0}
    for acc in rows(cur, "SELECT * FROM tiktok_accounts ORDER BY open_id"):
        videos = rows(
            cur,
            "SELECT * FROM tiktok_videos WHERE open_id = ? AND create_time <= ? "
            "ORDER BY create_time DESC",
            [acc["open_id"], now],
        )
        accounts[acc["open_id"]] = {
            "brand_id": acc["brand_id"],
            **user_stats(cur, acc, today),
            "video_ids": [v["video_id"] for v in videos],
            "videos": {v["video_id"]: counts_of(v, now) for v in videos},
        }
        totals["accounts"] += 1
        totals["videos"] += len(videos)
    return {"today": today.isoformat(), "accounts": accounts, "totals": totals}
