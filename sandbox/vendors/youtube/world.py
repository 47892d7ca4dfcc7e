"""The YouTube part of the world: channels, videos (long-form and Shorts), comment threads.

One random stream per channel (seed + channel id), so the same seed gives the same world and
adding a brand leaves the other channels unchanged. Videos of a running campaign (the shared
``campaigns`` table) carry its hashtag and a UTM link, so a campaign spans every platform.
Daily analytics are not stored: they are a pure function of a video's ``final_*`` columns and
the day (see ``queries.py``), computed by the query that serves each page.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.world import care, experiments, parents, text
from sandbox.world.entities import (
    FANS,
    brand_lang,
    comment_times,
    day_times,
    fan_comment,
    mixed_lang,
    pick,
    post_hashtags,
    reply_chain,
    running_campaign,
    stored_campaigns,
    utm_link,
)
from sandbox.world.store import columns

DDL = """
CREATE TABLE yt_channels (channel_id VARCHAR PRIMARY KEY, brand_id VARCHAR, title VARCHAR,
    handle VARCHAR, description VARCHAR, country VARCHAR, published_at TIMESTAMP,
    uploads_playlist_id VARCHAR, subscribers_start BIGINT, daily_gain BIGINT);
CREATE TABLE yt_videos (video_id VARCHAR PRIMARY KEY, channel_id VARCHAR, brand_id VARCHAR,
    seq INTEGER, published_at TIMESTAMP, title VARCHAR, description VARCHAR, tags VARCHAR[],
    lang VARCHAR, pillar VARCHAR, campaign VARCHAR, link_url VARCHAR, utm_malformed VARCHAR,
    duration_s INTEGER, is_short BOOLEAN, comments_disabled BOOLEAN, is_partnership BOOLEAN,
    is_disclosed BOOLEAN, final_views BIGINT,
    final_likes BIGINT, final_shares BIGINT, final_subs_gained BIGINT, final_subs_lost BIGINT,
    avg_view_s INTEGER);
CREATE TABLE yt_comments (comment_id VARCHAR PRIMARY KEY, thread_id VARCHAR, video_id VARCHAR,
    channel_id VARCHAR, parent_id VARCHAR, author_channel_id VARCHAR, author_name VARCHAR,
    is_brand BOOLEAN, text VARCHAR, lang VARCHAR, sentiment VARCHAR, published_at TIMESTAMP,
    like_count BIGINT);
CREATE INDEX yt_videos_channel ON yt_videos (channel_id, published_at);
CREATE INDEX yt_comments_video ON yt_comments (video_id, published_at);
CREATE INDEX yt_comments_thread ON yt_comments (thread_id, published_at);
"""
TABLE_KEYS = {
    "yt_channels": "channel_id",
    "yt_videos": "video_id",
    "yt_comments": "comment_id",
}

UPLOAD_RATE = (0.25, 0.5)  # videos per day, drawn per channel
SHORT_SHARE = 0.45
COMMENTS_DISABLED_SHARE = 0.04
DISCUSSION_SHARE = 0.05  # threads with more replies than commentThreads.list embeds (5)
COMMENT_WINDOW = timedelta(days=21)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
PILLARS = {"Preuve": 0.22, "Pedagogie": 0.3, "Communaute": 0.2, "Marque": 0.2, None: 0.08}


def token(key: str, length: int) -> str:
    """A stable id-like string (YouTube's base64url alphabet) from a key."""
    digest = hashlib.blake2b(key.encode(), digest_size=32).digest()
    return "".join(ALPHABET[b % 64] for b in digest[:length])


def playlist_item_id(playlist_id: str, video_id: str) -> str:
    """Playlist item ids are base64 of the playlist and video ids, as YouTube's look."""
    return base64.b64encode(f"{playlist_id}.{video_id}".encode()).decode().rstrip("=")


def fan_channel(fan: tuple[str, str, str]) -> tuple[str, str]:
    """(author channel id, display handle) of a fan of the shared pool."""
    return "UC" + token(f"yt-fan:{fan[0]}", 22), "@" + fan[2].replace(".", "")


class ChannelBuilder:
    """Videos and comments of one channel, from the channel's own random stream."""

    def __init__(self, spec: Any, brand: Any, channel_id: str, campaigns: list[dict]) -> None:
        self.spec, self.brand, self.channel_id, self.campaigns = spec, brand, channel_id, campaigns
        self.rng = random.Random(f"{spec.seed}:youtube:{channel_id}")
        self.lang = brand_lang(brand)
        self.handle = "@" + brand.brand_id.replace("-", "")
        self.channel = {
            "channel_id": channel_id,
            "brand_id": brand.brand_id,
            "title": brand.name,
            "handle": self.handle,
            "description": f"{brand.name} : la chaîne officielle. https://{brand.site}/",
            "country": "GB" if self.lang == "en" else "FR",
            "published_at": datetime(2019, 3, 1, 10, 0, 0)
            + timedelta(minutes=self.rng.randint(0, 500_000)),
            "uploads_playlist_id": "UU" + channel_id[2:],
            "subscribers_start": self.rng.randint(2_000, 40_000),
            "daily_gain": self.rng.randint(2, 25),
        }
        self.videos: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.care = care.care_stream(spec.seed, "youtube", channel_id)
        self.weights = care.comment_weights(brand.brand_id)
        self.deals = care.Partnerships(spec.seed, "youtube", channel_id, 0.05)

    def build(self) -> None:
        rate = self.rng.uniform(*UPLOAD_RATE)
        seq = 0
        for offset in range(self.spec.span):
            day = self.spec.start + timedelta(days=offset)
            for published in day_times(self.rng, day, rate * self.spec.volume.posts, 8, 20):
                seq += 1
                self._video(seq, published, offset)

    def _video(self, seq: int, published: datetime, offset: int) -> None:
        rng = self.rng
        video_id = token(f"{self.spec.seed}:yt-video:{self.channel_id}:{seq}", 11)
        is_short = rng.random() < SHORT_SHARE
        duration = rng.randint(12, 59) if is_short else rng.randint(240, 1500)
        pillar = pick(rng, PILLARS)
        lang = mixed_lang(rng, self.lang, 0.9)
        campaign = running_campaign(rng, self.campaigns, published.date(), 0.5)
        body = text.post_text(rng, lang, pillar, self.brand.brand_id)
        deal, partner = self.deals.draw(offset)
        title = body.split(".")[0].split("!")[0][:90].strip() + (" #shorts" if is_short else "")
        tags = post_hashtags(rng, lang, campaign, 3, least=1)
        link_url = defect = None
        if not is_short or rng.random() < 0.2:
            slug = campaign["campaign"] if campaign else None
            link_url, defect = utm_link(rng, self.brand.site, "youtube", slug, video_id)
            body = f"{body}\n\n{link_url}"
        if deal and partner:  # after the title: the deal is told in the description
            body = care.Partnerships.apply(deal, partner, lang, body)
        description = f"{body}\n\n{' '.join(tags)}"
        subscribers = self.channel["subscribers_start"] + self.channel["daily_gain"] * offset
        factor = 1.6 if is_short else 0.35
        views = int(subscribers * factor * rng.lognormvariate(0, 0.7)) + rng.randint(20, 200)
        likes = int(views * rng.uniform(0.02, 0.06))
        disabled = rng.random() < COMMENTS_DISABLED_SHARE
        self.videos.append(
            {
                "video_id": video_id,
                "channel_id": self.channel_id,
                "brand_id": self.brand.brand_id,
                "seq": seq,
                "published_at": published,
                "title": title,
                "description": description,
                "is_partnership": deal is not None,
                "is_disclosed": deal == "disclosed",
                "tags": [t.lstrip("#") for t in tags],
                "lang": lang,
                "pillar": pillar,
                "campaign": campaign["campaign"] if campaign else None,
                "link_url": link_url,
                "utm_malformed": defect,
                "duration_s": duration,
                "is_short": is_short,
                "comments_disabled": disabled,
                "final_views": views,
                "final_likes": likes,
                "final_shares": int(likes * rng.uniform(0.05, 0.2)),
                "final_subs_gained": int(views * rng.uniform(0.001, 0.006)),
                "final_subs_lost": int(views * rng.uniform(0.0001, 0.001)),
                "avg_view_s": int(duration * rng.uniform(0.25, 0.7 if not is_short else 0.95)),
            }
        )
        if not disabled:
            more = self.spec.volume.comments  # 1.0 in the default world: the same draws
            drawn = int(likes * rng.uniform(0.03, 0.12) * more) + rng.randint(0, 3)
            count = min(round(70 * more), drawn)
            self._threads(video_id, published, count)

    def _add(
        self,
        video_id: str,
        thread: str | None,
        when: datetime,
        author: tuple[str, str],
        is_brand: bool,
        message: str,
        lang: str,
        kind: str,
    ) -> str:
        n = len(self.comments)
        if thread is None:
            comment_id = "Ugx" + token(f"{self.channel_id}:thread:{n}", 19) + "4AaABAg"
        else:
            comment_id = f"{thread}.{token(f'{self.channel_id}:reply:{n}', 22)}"
        self.comments.append(
            {
                "comment_id": comment_id,
                "thread_id": thread or comment_id,
                "video_id": video_id,
                "channel_id": self.channel_id,
                "parent_id": thread,
                "author_channel_id": author[0],
                "author_name": author[1],
                "is_brand": is_brand,
                "text": message,
                "lang": lang,
                "sentiment": kind,
                "published_at": when,
                "like_count": min(80, int(self.rng.expovariate(0.4))),
            }
        )
        return comment_id

    def _threads(self, video_id: str, published: datetime, count: int) -> None:
        rng = self.rng
        deadline = published + COMMENT_WINDOW - timedelta(hours=1)
        brand = (self.channel_id, self.handle)
        times = comment_times(rng, published, deadline, count, 30, 90)
        odds = {"negative": 0.7, "question": 0.6, "positive": 0.3, "neutral": 0.1}
        hours = (6 * care.speed(self.brand.brand_id), 12)
        for when in times:
            lang, fan, message, kind = fan_comment(rng, self.lang, 0.85, self.weights)
            thread = self._add(video_id, None, when, fan_channel(fan), False, message, lang, kind)
            replies: list[tuple[tuple[str, str], bool, str]] = []
            first = fan[1].split()[0]
            if rng.random() < odds[kind]:
                replies.append((brand, True, text.brand_reply(rng, lang, kind, first)))
            extra = (
                rng.randint(6, 10) if rng.random() < DISCUSSION_SHARE else int(rng.random() < 0.15)
            )
            for _ in range(extra):
                other = fan_channel(rng.choice(FANS[lang]))
                replies.append((other, False, text.comment_text(rng, lang, self.weights)[0]))
            replies = care.arrange(self.care, replies, lambda r: r[1])
            chain = list(reply_chain(rng, when, deadline, replies, lambda r: r[1], hours, 30))
            for at, (author, is_brand, reply) in chain:
                self._add(video_id, thread, at, author, is_brand, reply, lang, kind)
            again = care.follow_up_at(self.care, chain, lambda r: r[1], deadline)
            if again:
                follow = text.follow_up(self.care, lang, first)
                self._add(video_id, thread, again, brand, True, follow, lang, kind)


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write channels, videos and comments for every brand with a ``youtube`` account."""
    totals = {"channels": 0, "videos": 0, "shorts": 0, "comments": 0}
    for brand in registry.brands:
        longs: list[tuple[datetime, str]] = []
        for channel_id in brand.ids("youtube"):
            campaigns = stored_campaigns(writer.con, brand.brand_id)
            builder = ChannelBuilder(spec, brand, channel_id, campaigns)
            builder.build()
            trials = experiments.run(builder.videos, "youtube", spec, brand.brand_id, channel_id)
            writer.insert("experiment_posts", columns(trials))
            writer.insert(
                "parent_links", columns(parents.link_shorts(builder.videos, spec.seed, channel_id))
            )
            longs += [
                (v["published_at"], v["video_id"]) for v in builder.videos if not v["is_short"]
            ]
            writer.insert("yt_channels", columns([builder.channel]))
            totals["channels"] += 1
            totals["videos"] += writer.insert("yt_videos", columns(builder.videos))
            totals["shorts"] += sum(1 for v in builder.videos if v["is_short"])
            totals["comments"] += writer.insert("yt_comments", columns(builder.comments))
            say(
                f"    {brand.brand_id} youtube {channel_id}: {len(builder.videos)} videos, "
                f"{len(builder.comments)} comments"
            )
        # reels and TikTok videos, generated before YouTube, re-cut the brand's long videos
        children = parents.link_micro_contents(writer.con, spec.seed, brand.brand_id, longs)
        writer.insert("parent_links", columns(children))
    return totals
