"""The LinkedIn part of the world: organizations, their posts and comments, from the seed.

Each organization of the brand registry (key ``linkedin``) draws from its own random stream, so
the same inputs always give the same rows and adding a brand leaves the others unchanged. The
API (``api.py``) and the manifest (``stats.py``) only read these tables.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

from pulse_config.registry import Brand, Registry
from sandbox.world import care, experiments, text
from sandbox.world.entities import (
    FANS,
    brand_lang,
    campaigns_of,
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
    unique_tag,
    utm_link,
)
from sandbox.world.store import columns

COMMENT_WINDOW = timedelta(days=21)
PLATFORM = "linkedin"

DDL = """
CREATE TABLE linkedin_organizations (organization_id VARCHAR PRIMARY KEY, brand_id VARCHAR,
    name VARCHAR, vanity_name VARCHAR, website VARCHAR, locale VARCHAR,
    followers_start BIGINT, daily_gain BIGINT, paid_share DOUBLE, admins VARCHAR[]);
CREATE TABLE linkedin_posts (post_urn VARCHAR, organization_id VARCHAR, kind VARCHAR,
    activity_urn VARCHAR, created_at TIMESTAMP, published_at TIMESTAMP, edited_at TIMESTAMP,
    format VARCHAR, media_urns VARCHAR[], pillar VARCHAR, campaign VARCHAR, lang VARCHAR,
    text VARCHAR, edited_text VARCHAR, hashtags VARCHAR[], link_url VARCHAR,
    article_title VARCHAR, utm_malformed VARCHAR, is_partnership BOOLEAN, is_disclosed BOOLEAN,
    partner VARCHAR, final_impressions BIGINT, final_unique_impressions BIGINT,
    final_clicks BIGINT, final_likes BIGINT, final_shares BIGINT,
    final_comment_mentions BIGINT, final_share_mentions BIGINT);
CREATE TABLE linkedin_comments (comment_id VARCHAR, comment_urn VARCHAR, post_urn VARCHAR,
    organization_id VARCHAR, parent_id VARCHAR, actor_urn VARCHAR, agent_urn VARCHAR,
    is_brand BOOLEAN, message VARCHAR, lang VARCHAR, sentiment VARCHAR, created_at TIMESTAMP,
    like_count BIGINT);
"""
INDEXES = """
CREATE INDEX linkedin_posts_org ON linkedin_posts (organization_id, published_at);
CREATE INDEX linkedin_posts_urn ON linkedin_posts (post_urn);
CREATE INDEX linkedin_comments_post ON linkedin_comments (post_urn, created_at);
CREATE INDEX linkedin_comments_parent ON linkedin_comments (parent_id);
CREATE INDEX linkedin_comments_urn ON linkedin_comments (comment_urn);
"""
TABLE_KEYS = {
    "linkedin_organizations": "organization_id",
    "linkedin_posts": "post_urn",
    "linkedin_comments": "comment_urn",
}

# format -> (weight, reach factor of impressions per follower)
FORMATS = {
    "image": (0.28, 0.30),
    "multi_image": (0.08, 0.32),
    "video": (0.10, 0.35),
    "document": (0.12, 0.45),
    "article": (0.27, 0.22),
    "text": (0.15, 0.25),
}
PILLAR_WEIGHTS = {"Preuve": 0.25, "Pedagogie": 0.30, "Communaute": 0.15, "Marque": 0.20, None: 0.10}
ARTICLE_TITLES = {
    "fr": [
        "Nos engagements pour une fabrication responsable",
        "Guide : bien choisir, bien entretenir",
        "Dans les coulisses de notre atelier",
        "Ce que nos clients nous ont appris cette année",
    ],
    "en": [
        "Our commitments to responsible making",
        "A guide to choosing and caring",
        "Behind the scenes at our workshop",
        "What our customers taught us this year",
    ],
}
EDIT_NOTES = {
    "fr": "Mise à jour : merci pour vos retours !",
    "en": "Update: thanks for the feedback!",
}
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def person_urn(key: str) -> str:
    """A stable ``urn:li:person:`` id (10 base62 characters) for a fan or an admin."""
    n = int.from_bytes(hashlib.blake2b(f"li:{key}".encode(), digest_size=8).digest(), "big")
    chars = []
    for _ in range(10):
        n, r = divmod(n, 62)
        chars.append(BASE62[r])
    return "urn:li:person:" + "".join(chars)


def org_urn(organization_id: str) -> str:
    return f"urn:li:organization:{organization_id}"


def organization_of(brand: Brand, organization_id: str, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:linkedin:{organization_id}:organization")
    lang = brand_lang(brand)
    return {
        "organization_id": organization_id,
        "brand_id": brand.brand_id,
        "name": brand.name,
        "vanity_name": brand.brand_id,
        "website": f"https://{brand.site}" if brand.site else None,
        "locale": "en_GB" if lang == "en" else "fr_FR",
        "followers_start": rng.randint(2000, 25000),
        "daily_gain": rng.randint(2, 25),
        "paid_share": round(rng.uniform(0.02, 0.08), 3),
        "admins": [person_urn(f"{organization_id}:admin:{i}") for i in range(2)],
    }


def little_text(plain: str) -> str:
    """Escape LinkedIn's reserved characters (the Posts API's "little text" format)."""
    out = []
    for ch in plain:
        out.append("\\" + ch if ch in "|{}@[]()<>#\\*_~" else ch)
    return "".join(out)


def commentary(body: str, hashtags: list[str]) -> str:
    """Post text as the Posts API serves it: escaped, hashtags as ``{hashtag|\\#|tag}``."""
    tags = " ".join("{hashtag|\\#|" + t.lstrip("#") + "}" for t in hashtags)
    return little_text(body) + ("\n\n" + tags if tags else "")


class OrganizationBuilder:
    """Posts and comments of one organization, from its own random stream."""

    def __init__(
        self,
        spec: Any,
        brand: Brand,
        org: dict[str, Any],
        campaigns: list[dict[str, Any]],
        tag: int,
    ) -> None:
        self.spec, self.brand, self.org, self.campaigns, self.tag = spec, brand, org, campaigns, tag
        self.rng = random.Random(f"{spec.seed}:linkedin:{org['organization_id']}")
        self.lang = brand_lang(brand)
        self.posts: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.comment_seq = 0
        self.care = care.care_stream(spec.seed, PLATFORM, org["organization_id"])
        self.weights = care.comment_weights(brand.brand_id)
        self.deals = care.Partnerships(spec.seed, PLATFORM, org["organization_id"], 0.0)

    def _id(self, block: int, seq: int) -> str:
        """A 19-digit LinkedIn-looking id, unique per organization tag and block."""
        return f"7{self.tag:05d}{block}{seq:012d}"

    def build(self) -> None:
        rate = self.rng.uniform(0.35, 0.8)
        seq = 0
        for offset in range(self.spec.span):
            day = self.spec.start + timedelta(days=offset)
            if day.weekday() >= 5 and self.rng.random() < 0.7:
                continue  # brands post little on LinkedIn at the weekend
            for published in day_times(self.rng, day, rate * self.spec.volume.posts, 7, 18):
                seq += 1
                self._post(published, seq, offset)

    def _post(self, published: datetime, seq: int, offset: int) -> None:
        rng, org = self.rng, self.org
        fmt = pick(rng, {k: w for k, (w, _) in FORMATS.items()})
        kind = "ugcPost" if fmt in ("video", "document") or rng.random() < 0.1 else "share"
        post_urn = f"urn:li:{kind}:{self._id(1, seq)}"
        pillar = pick(rng, PILLAR_WEIGHTS)
        lang = mixed_lang(rng, self.lang, 0.9)
        campaign = running_campaign(rng, self.campaigns, published.date(), 0.4)
        tags = post_hashtags(rng, lang, campaign, 3)
        body = text.post_text(rng, lang, pillar, self.brand.brand_id)
        drawn = partnership(rng, body, tags, 0.04)
        body, is_partnership, is_disclosed, partner = self.deals.settle(offset, lang, drawn)
        link_url = defect = title = None
        if fmt == "article" or rng.random() < 0.15:
            slug = campaign["campaign"] if campaign else None
            link_url, defect = utm_link(rng, self.brand.site, PLATFORM, slug, post_urn)
            if fmt == "article":
                title = rng.choice(ARTICLE_TITLES[lang])
            else:
                body = f"{body} {link_url}"
        media = self._media(fmt, seq)
        created, edited_at, edited_text = self._history(published, body, tags, lang)
        followers = org["followers_start"] + org["daily_gain"] * offset
        impressions = int(followers * FORMATS[fmt][1] * rng.lognormvariate(0, 0.6))
        likes = int(impressions * rng.uniform(0.008, 0.035))
        clicks_rate = (0.01, 0.04) if link_url else (0.003, 0.012)
        self.posts.append(
            {
                "post_urn": post_urn,
                "organization_id": org["organization_id"],
                "kind": kind,
                "activity_urn": f"urn:li:activity:{self._id(3, seq)}",
                "created_at": created,
                "published_at": published,
                "edited_at": edited_at,
                "format": fmt,
                "media_urns": media,
                "pillar": pillar,
                "campaign": campaign["campaign"] if campaign else None,
                "lang": lang,
                "text": commentary(body, tags),
                "edited_text": edited_text,
                "hashtags": tags,
                "link_url": link_url,
                "article_title": title,
                "utm_malformed": defect,
                "is_partnership": is_partnership,
                "is_disclosed": is_disclosed,
                "partner": partner,
                "final_impressions": impressions,
                "final_unique_impressions": int(impressions * rng.uniform(0.55, 0.8)),
                "final_clicks": int(impressions * rng.uniform(*clicks_rate)),
                "final_likes": likes,
                "final_shares": int(likes * rng.uniform(0.02, 0.12)),
                "final_comment_mentions": rng.choice([0, 0, 0, 1, 2]),
                "final_share_mentions": rng.choice([0, 0, 0, 0, 1]),
            }
        )
        more = self.spec.volume.comments  # 1.0 in the default world: the same draws
        drawn = int(likes * rng.uniform(0.03, 0.1) * more) + rng.randint(0, 2)
        count = min(round(40 * more), drawn)
        self._comments(self.posts[-1], count)

    def _media(self, fmt: str, seq: int) -> list[str]:
        """The post's media URNs: one image, video or document, or 2-6 images."""
        if fmt not in ("image", "multi_image", "video", "document"):
            return []
        prefix = {"multi_image": "image"}.get(fmt, fmt)
        count = self.rng.randint(2, 6) if fmt == "multi_image" else 1
        return [f"urn:li:{prefix}:D4E{self._id(2, seq)[-10:]}{chr(65 + i)}x" for i in range(count)]

    def _history(
        self, published: datetime, body: str, tags: list[str], lang: str
    ) -> tuple[datetime, datetime | None, str | None]:
        """When the post was created (a scheduled one ahead of publication) and, for one in ten,
        when and how it was edited."""
        rng, created = self.rng, published
        if rng.random() < 0.2:  # scheduled: created ahead of publication
            created = published - timedelta(seconds=rng.randint(3600, 3 * 86400))
        edited_at = edited_text = None
        if rng.random() < 0.1:
            edited_at = published + timedelta(seconds=rng.randint(600, 72 * 3600))
            edited_text = commentary(f"{body}\n\n{EDIT_NOTES[lang]}", tags)
        return created, edited_at, edited_text

    def _add(
        self,
        post: dict[str, Any],
        parent: dict[str, Any] | None,
        when: datetime,
        actor: str,
        agent: str | None,
        message: str,
        lang: str,
        sentiment: str,
    ) -> dict[str, Any]:
        self.comment_seq += 1
        comment_id = self._id(4, self.comment_seq)
        row = {
            "comment_id": comment_id,
            "comment_urn": f"urn:li:comment:({post['activity_urn']},{comment_id})",
            "post_urn": post["post_urn"],
            "organization_id": self.org["organization_id"],
            "parent_id": parent["comment_id"] if parent else None,
            "actor_urn": actor,
            "agent_urn": agent,
            "is_brand": agent is not None,
            "message": message,
            "lang": lang,
            "sentiment": sentiment,
            "created_at": when,
            "like_count": min(30, int(self.rng.expovariate(0.6))),
        }
        self.comments.append(row)
        return row

    def _comments(self, post: dict[str, Any], count: int) -> None:
        rng = self.rng
        created = post["published_at"]
        deadline = created + COMMENT_WINDOW - timedelta(hours=1)
        brand = org_urn(self.org["organization_id"])
        hours = (8 * care.speed(self.brand.brand_id), 12)
        for when in comment_times(rng, created, deadline, count, 20, 90):
            lang, fan, message, kind = fan_comment(rng, self.lang, 0.8, self.weights)
            top = self._add(post, None, when, person_urn(fan[0]), None, message, lang, kind)
            reply_odds = {"negative": 0.75, "question": 0.65, "positive": 0.35, "neutral": 0.1}
            replies: list[tuple[str, str | None, str]] = []
            first = fan[1].split()[0]
            if rng.random() < reply_odds[kind]:
                agent = rng.choice(self.org["admins"])
                replies.append((brand, agent, text.brand_reply(rng, lang, kind, first)))
            if rng.random() < 0.12:
                other = rng.choice(FANS[lang])
                fan_reply = text.comment_text(rng, lang, self.weights)[0]
                replies.append((person_urn(other[0]), None, fan_reply))
            replies = care.arrange(self.care, replies, lambda r: bool(r[1]))
            chain = list(reply_chain(rng, when, deadline, replies, lambda r: bool(r[1]), hours, 45))
            for reply_at, (actor, agent, reply) in chain:
                self._add(post, top, reply_at, actor, agent, reply, lang, kind)
            again = care.follow_up_at(self.care, chain, lambda r: bool(r[1]), deadline)
            if again:
                agent = self.care.choice(self.org["admins"])
                follow = text.follow_up(self.care, lang, first)
                self._add(post, top, again, brand, agent, follow, lang, kind)


def generate(writer: Any, registry: Registry, spec: Any, say: Any) -> dict[str, int]:
    """Write every LinkedIn organization of the registry, its posts and comments."""
    totals = {"organizations": 0, "posts": 0, "comments": 0}
    tags: set[int] = set()
    for brand in registry.brands:
        ids = brand.ids(PLATFORM)
        if not ids:
            continue
        campaigns = campaigns_of(brand, spec.seed, spec.start, spec.span)
        for organization_id in ids:
            org = organization_of(brand, organization_id, spec.seed)
            writer.insert("linkedin_organizations", columns([org]))
            tag = unique_tag(stable_number(f"linkedin:{organization_id}", 5), tags)
            builder = OrganizationBuilder(spec, brand, org, campaigns, tag)
            builder.build()
            trials = experiments.run(builder.posts, PLATFORM, spec, brand.brand_id, organization_id)
            writer.insert("experiment_posts", columns(trials))
            totals["organizations"] += 1
            totals["posts"] += writer.insert("linkedin_posts", columns(builder.posts))
            totals["comments"] += writer.insert("linkedin_comments", columns(builder.comments))
            say(
                f"    {brand.brand_id} linkedin {organization_id}: {len(builder.posts)} posts, "
                f"{len(builder.comments)} comments"
            )
    writer.con.execute(INDEXES)
    return totals


def world_start(cur: Any) -> date:
    return cur.execute("SELECT start_date FROM world").fetchone()[0]
