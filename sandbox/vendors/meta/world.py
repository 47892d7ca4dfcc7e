"""The Meta part of the world: Facebook Pages, Instagram accounts, their posts and comments.

Every account draws from its own random stream (seeded by the world seed, the platform and the
account id), so the same inputs always give the same posts and comments, whatever the other
vendors do. Campaigns are the world's shared ones (``stored_campaigns``). The attachment and
status types (FB_SHAPES) and media types (IG_SHAPES) are those of the Graph API references
(developers.facebook.com/docs/graph-api/reference/post,
developers.facebook.com/docs/instagram-platform/reference/instagram-media).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pulse_config.registry import Brand, Registry
from sandbox.world import care, experiments, text
from sandbox.world.entities import (
    FANS,
    accounts_of,
    brand_lang,
    comment_times,
    day_times,
    fan_comment,
    mixed_lang,
    partnership,
    pick,
    post_hashtags,
    reply_chain,
    running_campaign,
    stable_number,
    stored_campaigns,
    unique_tag,
    utm_link,
)
from sandbox.world.store import StoreWriter, columns

if TYPE_CHECKING:
    from sandbox.world.generator import WorldSpec

DDL = """
CREATE TABLE accounts (account_id VARCHAR PRIMARY KEY, brand_id VARCHAR, platform VARCHAR,
    name VARCHAR, username VARCHAR, category VARCHAR, followers_start BIGINT, daily_gain BIGINT,
    follows_count BIGINT, business_converted_at TIMESTAMP);
CREATE TABLE posts (post_id VARCHAR, account_id VARCHAR, platform VARCHAR,
    created_time TIMESTAMP, format VARCHAR, pillar VARCHAR, campaign VARCHAR, lang VARCHAR,
    text VARCHAR, hashtags VARCHAR[], link_url VARCHAR, utm_malformed VARCHAR,
    is_partnership BOOLEAN, is_disclosed BOOLEAN, partner VARCHAR, media_type VARCHAR,
    media_product_type VARCHAR, status_type VARCHAR, shortcode VARCHAR,
    is_comment_enabled BOOLEAN, final_reach BIGINT, final_views BIGINT, final_likes BIGINT,
    final_shares BIGINT, final_saves BIGINT, final_clicks BIGINT, final_video_views BIGINT,
    final_follows BIGINT, final_profile_visits BIGINT, final_avg_watch_ms BIGINT,
    video_length_ms BIGINT, final_video_complete_views BIGINT);
CREATE TABLE comments (comment_id VARCHAR, post_id VARCHAR, account_id VARCHAR,
    platform VARCHAR, parent_id VARCHAR, author_id VARCHAR, author_name VARCHAR,
    is_brand BOOLEAN, message VARCHAR, lang VARCHAR, sentiment VARCHAR,
    created_time TIMESTAMP, like_count BIGINT);
CREATE INDEX posts_account ON posts (account_id, created_time);
CREATE INDEX posts_id ON posts (post_id);
CREATE INDEX comments_post ON comments (post_id, created_time);
CREATE INDEX comments_id ON comments (comment_id);
CREATE INDEX comments_parent ON comments (parent_id);
"""
TABLE_KEYS = {"accounts": "account_id", "posts": "post_id", "comments": "comment_id"}
COMMENT_WINDOW = timedelta(days=21)
# When each IG account last became a business account: 30 days before the world starts, so the
# default world's media all have insights. A test plants "media posted before the business
# conversion" (Meta's error subcode 2108006) by moving this time past some media.
IG_CONVERTED_BEFORE_START = timedelta(days=30)
# The n-th link post of every Facebook account carries this UTM defect, so each world, however
# short, shows every kind to mart_utm_quality and to the visits of every site.
PLANTED_LINK_DEFECTS = {2: "upper_case", 4: "missing_utm_content", 6: "medium_typo"}

FORMATS = {
    "facebook": {
        "image": 0.30,
        "video": 0.10,
        "reel": 0.12,
        "carousel": 0.14,
        "text": 0.12,
        "link": 0.22,
    },
    "instagram": {"image": 0.35, "video": 0.15, "reel": 0.30, "carousel": 0.20},
}
REACH_FACTOR = {
    "image": 0.08,
    "video": 0.10,
    "reel": 0.20,
    "carousel": 0.09,
    "text": 0.04,
    "link": 0.05,
}
IG_REACH_BOOST = 1.8
FB_SHAPES = {  # format -> (attachment media_type, status_type)
    "image": ("photo", "added_photos"),
    "video": ("video", "added_video"),
    "reel": ("video", "added_video"),
    "carousel": ("album", "added_photos"),
    "text": (None, "mobile_status_update"),
    "link": ("link", "shared_story"),
}
IG_SHAPES = {  # format -> (media_type, media_product_type)
    "image": ("IMAGE", "FEED"),
    "video": ("VIDEO", "FEED"),
    "reel": ("VIDEO", "REELS"),
    "carousel": ("CAROUSEL_ALBUM", "FEED"),
}
PILLAR_WEIGHTS = {"Preuve": 0.22, "Pedagogie": 0.25, "Communaute": 0.23, "Marque": 0.20, None: 0.10}
SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
WATCHED_SHARE = (0.15, 0.85)  # a video's average share watched, drawn per post


def video_watch(post_id: str, video_views: int, avg_watch_ms: int) -> tuple[int, int]:
    """(video_length_ms, final_video_complete_views) of a video post, (0, 0) otherwise.

    Drawn from the post id, not the account's stream, so the other draws stay as they were:
    the length makes the average watch time a share in WATCHED_SHARE of it; complete views are
    30-80 % of that share of the views (fewer people finish than the average share watched).
    """
    if avg_watch_ms <= 0:
        return 0, 0
    low, high = WATCHED_SHARE
    share = low + (high - low) * stable_number(f"{post_id}:watched-share", 6) / 1e6
    finish = 0.3 + 0.5 * stable_number(f"{post_id}:finished", 6) / 1e6
    return round(avg_watch_ms / share), int(video_views * share * finish)


class AccountBuilder:
    """Posts and comments of one account, from its own random stream."""

    def __init__(
        self,
        spec: WorldSpec,
        brand: Brand,
        platform: str,
        account: dict[str, Any],
        campaigns: list[dict[str, Any]],
        tag: int,
    ) -> None:
        self.spec, self.brand, self.platform, self.account = spec, brand, platform, account
        self.campaigns = campaigns
        self.rng = random.Random(f"{spec.seed}:{platform}:{account['account_id']}")
        self.lang = brand_lang(brand)
        self.posts: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.tag = tag  # 5 digits, unique per account: makes post and comment ids unique
        self.links = 0  # link posts so far (PLANTED_LINK_DEFECTS)
        self.comment_seq = 0
        self.care = care.care_stream(spec.seed, platform, account["account_id"])
        self.weights = care.comment_weights(brand.brand_id)
        self.crisis: list[dict[str, str]] = []  # crisis_items rows
        self.deals = care.Partnerships(spec.seed, platform, account["account_id"], 0.0)

    def build(self) -> None:
        rate = self.rng.uniform(0.5, 1.5)
        seq = 0
        for offset in range(self.spec.span):
            day = self.spec.start + timedelta(days=offset)
            for created in day_times(self.rng, day, rate * self.spec.volume.posts, 7, 21):
                seq += 1
                self._post(created, seq, offset)
        day = care.crisis_day(self.spec)
        if day and care.is_crisis(self.brand.brand_id, self.spec, day):
            self._crisis_comments(day)

    def _post_id(self, seq: int) -> str:
        if self.platform == "facebook":
            return f"{self.account['account_id']}_122{self.tag:05d}{seq:07d}"
        return f"179{self.tag:05d}{seq:09d}"

    def _post(self, created: datetime, seq: int, offset: int) -> None:
        rng, platform = self.rng, self.platform
        post_id = self._post_id(seq)
        fmt = pick(rng, FORMATS[platform])
        pillar = pick(rng, PILLAR_WEIGHTS)
        lang = mixed_lang(rng, self.lang, 0.85)
        campaign = running_campaign(rng, self.campaigns, created.date(), 0.5)
        tags = post_hashtags(rng, lang, campaign, 3)
        body = text.post_text(rng, lang, pillar, self.brand.brand_id)
        drawn = partnership(rng, body, tags, 0.06, " 🙌")
        body, is_partnership, is_disclosed, partner = self.deals.settle(offset, lang, drawn)
        body, link_url, defect = self._link(fmt, campaign, post_id, body)
        caption = body + ("\n\n" + " ".join(tags) if tags else "")
        followers = self.account["followers_start"] + self.account["daily_gain"] * offset
        factor = REACH_FACTOR[fmt] * (IG_REACH_BOOST if platform == "instagram" else 1.0)
        reach = int(followers * factor * rng.lognormvariate(0, 0.6))
        views = int(reach * rng.uniform(1.1, 1.8))
        likes = int(reach * rng.uniform(0.02, 0.07))
        video = fmt in ("video", "reel")
        media_type, product_type, status_type, shortcode, comments_on = self._shape(fmt, post_id)
        clicks_rate = (0.02, 0.06) if link_url else (0.005, 0.02)
        self.posts.append(
            {
                "post_id": post_id,
                "account_id": self.account["account_id"],
                "platform": platform,
                "created_time": created,
                "format": fmt,
                "pillar": pillar,
                "campaign": campaign["campaign"] if campaign else None,
                "lang": lang,
                "text": caption,
                "hashtags": tags,
                "link_url": link_url,
                "utm_malformed": defect,
                "is_partnership": is_partnership,
                "is_disclosed": is_disclosed,
                "partner": partner,
                "media_type": media_type,
                "media_product_type": product_type,
                "status_type": status_type,
                "shortcode": shortcode,
                "is_comment_enabled": comments_on,
                "final_reach": reach,
                "final_views": views,
                "final_likes": likes,
                "final_shares": int(likes * rng.uniform(0.03, 0.15)),
                "final_saves": int(likes * rng.uniform(0.05, 0.3)),
                "final_clicks": int(reach * rng.uniform(*clicks_rate)),
                "final_video_views": int(views * rng.uniform(0.4, 0.7)) if video else 0,
                "final_follows": int(reach * rng.uniform(0.0, 0.004)),
                "final_profile_visits": int(reach * rng.uniform(0.005, 0.02)),
                "final_avg_watch_ms": rng.randint(2500, 18000) if video else 0,
            }
        )
        post = self.posts[-1]
        post["video_length_ms"], post["final_video_complete_views"] = video_watch(
            post_id, post["final_video_views"], post["final_avg_watch_ms"]
        )
        if comments_on:
            more = self.spec.volume.comments  # 1.0 in the default world: the same draws
            drawn = int(likes * rng.uniform(0.02, 0.08) * more) + rng.randint(0, 2)
            count = min(round(60 * more), drawn)
            self._comments(post_id, created, count)

    def _link(
        self, fmt: str, campaign: dict[str, Any] | None, post_id: str, body: str
    ) -> tuple[str, str | None, str | None]:
        """The body with its tracked link, if the post has one: (body, link_url, defect). The
        Facebook links numbered in ``PLANTED_LINK_DEFECTS`` get that defect."""
        platform = self.platform
        if not (fmt == "link" or self.rng.random() < (0.25 if platform == "facebook" else 0.15)):
            return body, None, None
        slug = campaign["campaign"] if campaign else None
        self.links += 1
        planted = PLANTED_LINK_DEFECTS.get(self.links) if platform == "facebook" else None
        link_url, defect = utm_link(self.rng, self.brand.site, platform, slug, post_id, planted)
        return f"{body} {link_url}", link_url, defect

    def _shape(self, fmt: str, post_id: str) -> tuple[Any, Any, Any, Any, bool]:
        """(media_type, media_product_type, status_type, shortcode, is_comment_enabled) of a
        post of this format; an IG media has comments off 2% of the time (one draw)."""
        if self.platform == "facebook":
            media_type, status_type = FB_SHAPES[fmt]
            return media_type, None, status_type, None, True
        media_type, product_type = IG_SHAPES[fmt]
        digest = hashlib.sha1(post_id.encode()).digest()[:11]
        shortcode = "".join(SHORTCODE_ALPHABET[b % 64] for b in digest)
        return media_type, product_type, None, shortcode, self.rng.random() > 0.02

    def _comment_id(self, post_id: str) -> str:
        self.comment_seq += 1
        if self.platform == "facebook":
            return f"{post_id.split('_')[1]}_{1000 + self.comment_seq}"
        return f"178{self.tag:05d}{self.comment_seq:09d}"

    def _add(
        self,
        post_id: str,
        parent: str | None,
        when: datetime,
        author: tuple[str, str],
        is_brand: bool,
        message: str,
        lang: str,
        sentiment: str,
    ) -> str:
        comment_id = self._comment_id(post_id)
        self.comments.append(
            {
                "comment_id": comment_id,
                "post_id": post_id,
                "account_id": self.account["account_id"],
                "platform": self.platform,
                "parent_id": parent,
                "author_id": author[0],
                "author_name": author[1],
                "is_brand": is_brand,
                "message": message,
                "lang": lang,
                "sentiment": sentiment,
                "created_time": when,
                "like_count": min(50, int(self.rng.expovariate(0.5))),
            }
        )
        return comment_id

    def _author(self, fan: tuple[str, str, str]) -> tuple[str, str]:
        if self.platform == "facebook":
            return fan[0], fan[1]
        return f"1785{fan[0][2:]}", fan[2]

    def _comments(self, post_id: str, created: datetime, count: int) -> None:
        rng = self.rng
        deadline = created + COMMENT_WINDOW - timedelta(hours=1)
        brand_author = (
            self.account["account_id"],
            self.account["name" if self.platform == "facebook" else "username"],
        )
        hours = (6 * care.speed(self.brand.brand_id), 10)
        for when in comment_times(rng, created, deadline, count, 14, 60):
            lang, fan, message, kind = fan_comment(rng, self.lang, 0.8, self.weights)
            parent = self._add(post_id, None, when, self._author(fan), False, message, lang, kind)
            reply_odds = {"negative": 0.7, "question": 0.6, "positive": 0.3, "neutral": 0.1}
            replies: list[tuple[tuple[str, str], bool, str]] = []
            first = fan[1].split()[0]
            if rng.random() < reply_odds[kind]:
                replies.append((brand_author, True, text.brand_reply(rng, lang, kind, first)))
            if rng.random() < 0.15:
                other = rng.choice(FANS[lang])
                fan_reply = text.comment_text(rng, lang, self.weights)[0]
                replies.append((self._author(other), False, fan_reply))
            replies = care.arrange(self.care, replies, lambda r: r[1])
            chain = list(reply_chain(rng, when, deadline, replies, lambda r: r[1], hours, 30))
            for reply_at, (author, is_brand, reply) in chain:
                self._add(post_id, parent, reply_at, author, is_brand, reply, lang, kind)
            again = care.follow_up_at(self.care, chain, lambda r: r[1], deadline)
            if again:
                follow = text.follow_up(self.care, lang, first)
                self._add(post_id, parent, again, brand_author, True, follow, lang, kind)

    def _crisis_comments(self, day: date) -> None:
        """The crisis burst: negative comments on the latest post, half answered late."""
        rng, brand_id = self.care, self.brand.brand_id
        brand_author = (
            self.account["account_id"],
            self.account["name" if self.platform == "facebook" else "username"],
        )
        for when in care.crisis_times(rng, day, 12 + rng.randint(0, 6)):
            posts = [p for p in self.posts if p["created_time"] <= when and p["is_comment_enabled"]]
            if not posts:
                continue
            post_id, fan = posts[-1]["post_id"], rng.choice(FANS[self.lang])
            message = text.crisis_text(rng, self.lang, brand_id)
            comment = self._add(
                post_id, None, when, self._author(fan), False, message, self.lang, "negative"
            )
            self.crisis.append(care.crisis_row(brand_id, self.platform, "comment", comment))
            if rng.random() < 0.5:
                delay = timedelta(hours=rng.expovariate(1 / (6 * care.speed(brand_id))))
                reply = text.brand_reply(rng, self.lang, "negative", fan[1].split()[0])
                at = when + delay + timedelta(minutes=5)
                self._add(post_id, comment, at, brand_author, True, reply, self.lang, "negative")


def generate(
    writer: StoreWriter, registry: Registry, spec: WorldSpec, say: Callable[[str], None]
) -> dict[str, int]:
    """Write every Facebook Page and Instagram account of the registry, with posts, comments,
    the A/B trials planted in them and the crisis comments; returns the counts."""
    totals = {"accounts": 0, "posts": 0, "comments": 0}
    tags: set[int] = set()
    for brand in registry.brands:
        campaigns = stored_campaigns(writer.con, brand.brand_id)
        for platform, account in accounts_of(brand, spec.seed):
            account["business_converted_at"] = (
                datetime.combine(spec.start, datetime.min.time()) - IG_CONVERTED_BEFORE_START
                if platform == "instagram"
                else None
            )
            writer.insert("accounts", columns([account]))
            tag = unique_tag(stable_number(account["account_id"], 5), tags)
            builder = AccountBuilder(spec, brand, platform, account, campaigns, tag)
            builder.build()
            trials = experiments.run(
                builder.posts, platform, spec, brand.brand_id, account["account_id"]
            )
            writer.insert("experiment_posts", columns(trials))
            writer.insert("crisis_items", columns(builder.crisis))
            totals["accounts"] += 1
            totals["posts"] += writer.insert("posts", columns(builder.posts))
            totals["comments"] += writer.insert("comments", columns(builder.comments))
            say(
                f"  {brand.brand_id} {platform} {account['account_id']}: "
                f"{len(builder.posts)} posts, {len(builder.comments)} comments"
            )
    return totals
