"""Parent posts: short pieces cut from a brand's long YouTube videos link back to them.

A YouTube Short of the channel, and an Instagram/Facebook reel or a TikTok video of the same
brand, may name a long-form video published in the 30 days before it, by its
``https://www.youtube.com/watch?v=<id>`` or ``https://youtu.be/<id>`` URL (the convention the
marts read, docs/engagement_marts.md). Each account draws from a stream of its own
(``{seed}:{platform}:{account}:parents``), so the rest of the world does not move; the link goes
in a line of its own just before the hashtags, where no truncation reaches it.

YouTube is generated after Meta and TikTok (vendor order, then name), so the Shorts are linked in
memory and the reels and TikTok videos already stored are updated in place.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

WINDOW = timedelta(days=30)
ODDS = {"youtube": 0.4, "facebook": 0.3, "instagram": 0.3, "tiktok": 0.3}
URLS = ("https://www.youtube.com/watch?v={id}", "https://youtu.be/{id}")
LINES = {"fr": "Version longue : {url}", "en": "Full video: {url}"}
Long = tuple[datetime, str]  # (published_at, video_id) of a long-form video


def _parent(rng: random.Random, platform: str, when: datetime, longs: list[Long]) -> str | None:
    """A long video published in the window before ``when``, with the platform's odds."""
    if rng.random() >= ODDS[platform]:
        return None
    recent = [vid for at, vid in longs if when - WINDOW <= at < when]
    return rng.choice(recent) if recent else None


def _line(rng: random.Random, lang: str, video_id: str) -> str:
    return LINES.get(lang, LINES["en"]).format(url=rng.choice(URLS).format(id=video_id))


def _before(text: str, tail: str, sep: str, line: str) -> str:
    """``text`` ends with ``sep + tail`` (the hashtags), or ``tail`` is empty: insert ``line``."""
    if not tail:
        return f"{text}{sep}{line}"
    head = text[: len(text) - len(tail) - len(sep)]
    return f"{head}{sep}{line}{sep}{tail}"


def link_shorts(videos: list[dict[str, Any]], seed: int, channel_id: str) -> list[dict[str, Any]]:
    """Link some Shorts of one channel to its long videos, in place; returns the truth rows."""
    rng = random.Random(f"{seed}:youtube:{channel_id}:parents")
    longs = [(v["published_at"], v["video_id"]) for v in videos if not v["is_short"]]
    truth = []
    for video in videos:
        if not video["is_short"]:
            continue
        parent = _parent(rng, "youtube", video["published_at"], longs)
        if parent is None:
            continue
        tail = " ".join("#" + t for t in video["tags"])
        line = _line(rng, video["lang"], parent)
        video["description"] = _before(video["description"], tail, "\n\n", line)
        truth.append(_truth("youtube", video["video_id"], parent))
    return truth


def _truth(platform: str, post_id: str, parent: str) -> dict[str, Any]:
    return {
        "platform": platform,
        "post_id": post_id,
        "parent_platform": "youtube",
        "parent_post_id": parent,
    }


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def link_micro_contents(
    con: duckdb.DuckDBPyConnection, seed: int, brand_id: str, longs: list[Long]
) -> list[dict[str, Any]]:
    """Link some stored reels (Facebook, Instagram) and TikTok videos of the brand to its long
    videos, updating their text in the store; returns the truth rows."""
    if not longs:
        return []
    longs = sorted(longs)
    tables = _tables(con)
    truth: list[dict[str, Any]] = []
    sources = []
    if "posts" in tables:
        sources.append(
            (
                "posts",
                "post_id",
                "text",
                "\n\n",
                "SELECT p.platform, p.account_id, p.post_id, p.created_time, p.lang, p.text, "
                "p.hashtags FROM posts p JOIN accounts a USING (account_id) "
                "WHERE a.brand_id = ? AND p.format = 'reel' ORDER BY p.account_id, p.post_id",
            )
        )
    if "tiktok_videos" in tables:
        sources.append(
            (
                "tiktok_videos",
                "video_id",
                "video_description",
                " ",
                "SELECT 'tiktok', open_id, video_id, create_time, lang, video_description, "
                "hashtags FROM tiktok_videos WHERE brand_id = ? ORDER BY open_id, video_id",
            )
        )
    for table, key, column, sep, sql in sources:
        updates: dict[str, list[str]] = {"id": [], "text": []}
        streams: dict[str, random.Random] = {}
        for platform, account, post_id, when, lang, body, tags in con.execute(
            sql, [brand_id]
        ).fetchall():
            rng = streams.setdefault(account, random.Random(f"{seed}:{platform}:{account}:parents"))
            parent = _parent(rng, platform, when, longs)
            if parent is None:
                continue
            updates["id"].append(post_id)
            updates["text"].append(_before(body, " ".join(tags), sep, _line(rng, lang, parent)))
            truth.append(_truth(platform, post_id, parent))
        if updates["id"]:
            con.register("_parent_texts", pa.table(updates))
            con.execute(
                f"UPDATE {table} SET {column} = u.text FROM _parent_texts u "
                f"WHERE {table}.{key} = u.id"
            )
            con.unregister("_parent_texts")
    return truth
