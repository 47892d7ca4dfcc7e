"""Deterministic X world: per brand account, its posts, fan replies in its conversations, the
brand's replies, and mentions (some answered, a few deleted later); then long posts, quote
posts and reposts (``refs.py``).

Each account draws from its own stream (seed + user id). Tweet ids are real snowflakes (time in
the high bits), so ``since_id``/``until_id`` and newest-first order work as on X.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sandbox.world import care, experiments, text
from sandbox.world.entities import (
    FANS,
    brand_lang,
    day_times,
    mixed_lang,
    poisson,
    post_hashtags,
    running_campaign,
    stable_number,
    stored_campaigns,
    unique_tag,
    utm_link,
)
from sandbox.world.store import columns

from .refs import decorate

TWITTER_EPOCH_MS = 1288834974657
REPLY_WINDOW = timedelta(hours=47)  # every conversation reply arrives within 2 days of its post
POSTS_PER_DAY = 1.3
MENTIONS_PER_DAY = 1.6
REPLY_ODDS = {"negative": 0.75, "question": 0.65, "positive": 0.3, "neutral": 0.1}
DELETED_SHARE = 0.08  # answered mentions later deleted (expansions then report them missing)


def fan_user(fan: tuple[str, str, str]) -> tuple[str, str, str]:
    """(X user id, @username, display name) of a fan of the shared pool."""
    ascii_name = unicodedata.normalize("NFKD", fan[2]).encode("ascii", "ignore").decode()
    return str(1_300_000_000_000_000_000 + int(fan[0])), ascii_name.replace(".", "_"), fan[1]


class TweetBuilder:
    """All tweets around one brand account."""

    def __init__(self, spec: Any, brand: Any, account: dict[str, Any], campaigns: list, tag: int):
        self.spec, self.brand, self.account, self.campaigns = spec, brand, account, campaigns
        self.rng = random.Random(f"{spec.seed}:x:{account['user_id']}")
        self.lang = brand_lang(brand)
        self.tag, self.seq = tag, 0
        self.tweets: list[dict[str, Any]] = []
        self.pillars: list[dict[str, Any]] = []  # post_pillars rows: x_tweets has no pillar
        self.weights = care.comment_weights(brand.brand_id)
        self.speed = care.speed(brand.brand_id)
        self.crisis: list[dict[str, str]] = []  # crisis_items rows
        self.deals = care.Partnerships(spec.seed, "x", account["user_id"], 0.05)

    def snowflake(self, when: datetime) -> int:
        self.seq += 1
        ms = int((when - datetime(1970, 1, 1)).total_seconds() * 1000) + self.rng.randint(0, 999)
        return ((ms - TWITTER_EPOCH_MS) << 22) | (self.tag << 12) | (self.seq % 4096)

    def add(self, when: datetime, kind: str, author: tuple[str, str, str], body: str, **kw: Any):
        rng = self.rng
        num = kw.get("num") or self.snowflake(when)
        own = kind in ("post", "brand_reply", "mention_reply")
        big = kind == "post"
        impressions = int(self.account["followers"] * rng.uniform(0.05, 0.4)) if big else 0
        likes = int(impressions * rng.uniform(0.01, 0.04)) if big else rng.randint(0, 4)
        row = {
            "tweet_id": str(num),
            "id_num": num,
            "account_id": self.account["user_id"],
            "author_id": author[0],
            "author_username": author[1],
            "author_name": author[2],
            "kind": kind,
            "created_at": when,
            "deleted_at": None,
            "text": body[:280],
            "lang": kw.get("lang", self.lang),
            "conversation_id": kw.get("conversation_id") or str(num),
            "in_reply_to_user_id": kw.get("in_reply_to_user_id"),
            "replied_to_id": kw.get("replied_to_id"),
            "mentions_brand": kw.get("mentions_brand", False),
            "hashtags": kw.get("hashtags", []),
            "link_url": kw.get("link_url"),
            "tco_url": kw.get("tco_url"),
            "campaign": kw.get("campaign"),
            "sentiment": kw.get("sentiment"),
            "is_partnership": kw.get("is_partnership", False),
            "is_disclosed": kw.get("is_disclosed", False),
            "final_retweets": int(likes * rng.uniform(0.05, 0.25)) if big else 0,
            "final_likes": likes,
            "final_quotes": int(likes * rng.uniform(0.0, 0.05)) if big else 0,
            "final_bookmarks": int(likes * rng.uniform(0.02, 0.15)) if big else 0,
            "final_impressions": impressions if big else rng.randint(5, 300) * (2 if own else 1),
            "quoted_id": kw.get("quoted_id"),
            "retweeted_id": kw.get("retweeted_id"),
        }
        self.tweets.append(row)
        return row

    def build(self) -> None:
        for offset in range(self.spec.span):
            day = self.spec.start + timedelta(days=offset)
            volume = self.spec.volume  # multipliers: 1.0 in the default world
            for when in day_times(self.rng, day, POSTS_PER_DAY * volume.posts, 7, 21):
                self._post(when)
            for when in day_times(self.rng, day, MENTIONS_PER_DAY * volume.comments, 7, 21):
                self._mention(when)
        self._planted()

    def _planted(self) -> None:
        """The crisis burst of negative mentions, or the control brand's one negative mention
        a day; drawn from the care stream (swapped in), after the account's own draws."""
        brand_id, day = self.brand.brand_id, care.crisis_day(self.spec)
        own, self.rng = self.rng, care.care_stream(self.spec.seed, "x", self.account["user_id"])
        if day and care.is_crisis(brand_id, self.spec, day):
            for when in care.crisis_times(self.rng, day, 14 + self.rng.randint(0, 6)):
                message = text.crisis_text(self.rng, self.lang, brand_id)
                mention = self._mention(when, ("negative", message), 0.6)
                self.crisis.append(care.crisis_row(brand_id, "x", "mention", mention))
        elif care.is_control(brand_id):
            for offset in range(self.spec.span):
                day_ = self.spec.start + timedelta(days=offset)
                when = care.crisis_times(self.rng, day_, 1)[0]
                message = self.rng.choice(text.COMMENTS[self.lang]["negative"])
                self._mention(when, ("negative", message), 0.7)
        self.rng = own

    @property
    def me(self) -> tuple[str, str, str]:
        return self.account["user_id"], self.account["username"], self.account["name"]

    def _post(self, when: datetime) -> None:
        rng = self.rng
        lang = mixed_lang(rng, self.lang, 0.85)
        campaign = running_campaign(rng, self.campaigns, when.date(), 0.5)
        tags = post_hashtags(rng, lang, campaign, 2)
        pillar = rng.choice([*text.PILLARS, None])
        body = text.post_text(rng, lang, pillar, self.brand.brand_id)
        deal, partner = self.deals.draw((when.date() - self.spec.start).days)
        if deal and partner:
            body = care.Partnerships.apply(deal, partner, lang, body)
        body = body[:180]
        link = tco = None
        num = self.snowflake(when)
        if rng.random() < 0.3:
            slug = campaign["campaign"] if campaign else None
            link, _defect = utm_link(rng, self.brand.site, "x", slug, str(num))
            tco = "https://t.co/" + "".join(rng.choices("abcdefghijkmnopqrstuvwxyzABCDEFGH", k=10))
            body = f"{body} {tco}"
        if tags:
            body = f"{body} {' '.join(tags)}"
        post = self.add(
            when,
            "post",
            self.me,
            body,
            num=num,
            lang=lang,
            hashtags=tags,
            link_url=link,
            tco_url=tco,
            campaign=campaign["campaign"] if campaign else None,
            is_partnership=deal is not None,
            is_disclosed=deal == "disclosed",
        )
        self.pillars.append({"platform": "x", "post_id": post["tweet_id"], "pillar": pillar})
        self._replies(post, when)

    def _replies(self, post: dict[str, Any], when: datetime) -> None:
        """Fans' replies to ``post`` inside the reply window, a few replies to them, and the
        brand's answers."""
        rng = self.rng
        deadline = when + REPLY_WINDOW
        for _ in range(poisson(rng, 2.2 * self.spec.volume.comments)):
            at = min(deadline, when + timedelta(seconds=int(rng.expovariate(1 / 5) * 3600) + 60))
            fan = fan_user(rng.choice(FANS[self.lang]))
            message, kind = text.comment_text(rng, self.lang, self.weights)
            reply = self.add(
                at,
                "reply",
                fan,
                f"@{self.me[1]} {message}",
                conversation_id=post["tweet_id"],
                in_reply_to_user_id=self.me[0],
                replied_to_id=post["tweet_id"],
                mentions_brand=True,
                sentiment=kind,
            )
            if rng.random() < 0.15:
                other = fan_user(rng.choice(FANS[self.lang]))
                later = at + timedelta(seconds=int(rng.expovariate(1 / 4) * 3600) + 30)
                if later <= deadline:
                    self.add(
                        later,
                        "reply",
                        other,
                        f"@{fan[1]} {text.comment_text(rng, self.lang, self.weights)[0]}",
                        conversation_id=post["tweet_id"],
                        in_reply_to_user_id=fan[0],
                        replied_to_id=reply["tweet_id"],
                        sentiment="neutral",
                    )
            if rng.random() < REPLY_ODDS[kind]:
                delay = rng.expovariate(1 / (3 * self.speed))
                later = at + timedelta(seconds=int(delay * 3600) + 30)
                if later <= deadline:
                    answer = text.brand_reply(rng, self.lang, kind, fan[2].split()[0])
                    self.add(
                        later,
                        "brand_reply",
                        self.me,
                        f"@{fan[1]} {answer}",
                        conversation_id=post["tweet_id"],
                        in_reply_to_user_id=fan[0],
                        replied_to_id=reply["tweet_id"],
                    )

    def _mention(
        self, when: datetime, planted: tuple[str, str] | None = None, odds: float | None = None
    ) -> str:
        """A fan's mention, answered with the sentiment's odds (``planted``: kind and text of a
        crisis or control mention, answered with ``odds``); returns its tweet id."""
        rng = self.rng
        fan = fan_user(rng.choice(FANS[self.lang]))
        if planted:
            kind, message = planted
        else:
            message, kind = text.comment_text(rng, self.lang, self.weights)
        mention = self.add(
            when, "mention", fan, f"@{self.me[1]} {message}", mentions_brand=True, sentiment=kind
        )
        if rng.random() < (odds if odds is not None else REPLY_ODDS[kind]):
            delay = rng.expovariate(1 / (4 * self.speed))
            at = when + timedelta(seconds=int(delay * 3600) + 45)
            answer = text.brand_reply(rng, self.lang, kind, fan[2].split()[0])
            self.add(
                at,
                "mention_reply",
                self.me,
                f"@{fan[1]} {answer}",
                conversation_id=mention["tweet_id"],
                in_reply_to_user_id=fan[0],
                replied_to_id=mention["tweet_id"],
            )
            if not planted and rng.random() < DELETED_SHARE:
                mention["deleted_at"] = at + timedelta(hours=rng.randint(1, 48))
        return mention["tweet_id"]


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write ``x_accounts`` and ``x_tweets`` for every brand with an ``x`` id."""
    counts = {"accounts": 0, "posts": 0, "replies": 0, "brand_replies": 0, "mentions": 0}
    tags: set[int] = set()
    for brand_id, user_id in registry.accounts("x"):
        brand = next(b for b in registry.brands if b.brand_id == brand_id)
        rng = random.Random(f"{spec.seed}:x:{user_id}:account")
        account = {
            "user_id": user_id,
            "brand_id": brand_id,
            "username": brand_id.replace("-", ""),
            "name": brand.name,
            "created_at": datetime(2012, 1, 1) + timedelta(seconds=rng.randint(0, 3 * 10**8)),
            "followers_start": rng.randint(2000, 30000),
            "daily_gain": rng.randint(1, 20),
            "following_count": rng.randint(100, 900),
            "listed_count": rng.randint(5, 80),
        }
        writer.insert("x_accounts", columns([account]))
        campaigns = stored_campaigns(writer.con, brand_id)
        tag = unique_tag(stable_number(f"x:{user_id}", 4) % 1024, tags, modulo=1024)
        builder = TweetBuilder(
            spec, brand, {**account, "followers": account["followers_start"]}, campaigns, tag
        )
        builder.build()
        trials = experiments.run(builder.tweets, "x", spec, brand_id, user_id)
        decorate(builder, spec.seed, user_id)  # long posts, quotes, reposts: their own stream
        writer.insert("experiment_posts", columns(trials))
        writer.insert("post_pillars", columns(builder.pillars))
        writer.insert("x_tweets", columns(builder.tweets))
        writer.insert("crisis_items", columns(builder.crisis))
        kinds = [t["kind"] for t in builder.tweets]
        counts["accounts"] += 1
        counts["posts"] += kinds.count("post")
        counts["replies"] += kinds.count("reply")
        counts["brand_replies"] += kinds.count("brand_reply") + kinds.count("mention_reply")
        counts["mentions"] += kinds.count("mention")
        if say:
            say(f"    {brand_id} x {user_id}: {len(kinds)} tweets")
    writer.con.execute("CREATE INDEX x_tweets_author ON x_tweets (author_id, id_num)")
    writer.con.execute("CREATE INDEX x_tweets_conv ON x_tweets (conversation_id)")
    return counts
