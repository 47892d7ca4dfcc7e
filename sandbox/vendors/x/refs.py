"""Long posts, quote posts and reposts of the X world, drawn after everything else.

Each account draws them from its own stream (seed + user id + "refs") once its tweets and A/B
variants exist, so every other draw, and every other truth, stays as it was.

- A long post (over 280 characters) is served with ``text`` cut and the whole text in
  ``note_tweet.text`` when ``tweet.fields=note_tweet`` is asked
  (https://docs.x.com/x-api/fundamentals/data-dictionary, Tweet object ``note_tweet``).
- A quote post names the fan mention it quotes in ``referenced_tweets`` (type ``quoted``); a
  repost is the brand's own timeline entry ``RT @fan: ...`` with type ``retweeted``
  (same page). Only mentions never deleted are quoted or reposted.
"""

from __future__ import annotations

import bisect
import random
from datetime import timedelta
from typing import Any

LONG_SHARE = 0.06  # posts with a long text
QUOTE_SHARE = 0.05  # posts quoting a fan's recent mention
REPOST_SHARE = 0.04  # fan mentions the brand reposts
LONG_SENTENCES = 8  # always this many draws (over 280 characters), whatever the text
# Neutral sentences (no pillar keyword, disclosure marker or partner name of the seeds), so the
# longer text classifies exactly as the short one did.
MORE = {
    "fr": [
        "Quelques mots de plus, parce qu'une seule ligne ne suffit jamais.",
        "Merci à toutes les personnes qui nous ont écrit cette semaine.",
        "Nous lisons chaque message, un par un, avec attention.",
        "On vous en dira davantage très bientôt, restez avec nous.",
        "Toute l'équipe y a travaillé pendant des semaines.",
    ],
    "en": [
        "A few more words on this one, because a single line never says it all.",
        "Thank you to everyone who wrote to us this week.",
        "We read every message, one by one, with care.",
        "We will tell you more very soon, stay with us.",
        "The whole team worked on this for weeks.",
    ],
}


def long_text(rng: random.Random, lang: str, text: str) -> str:
    """``text`` followed by a paragraph of neutral sentences, past 280 characters (a fixed
    number of draws: an A/B variant's longer text leaves the later draws as they were)."""
    sentences = MORE.get(lang, MORE["en"])
    return f"{text}\n\n{' '.join(rng.choice(sentences) for _ in range(LONG_SENTENCES))}"


def _mentions(tweets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fan mentions never deleted, oldest first."""
    found = [t for t in tweets if t["kind"] == "mention" and t["deleted_at"] is None]
    return sorted(found, key=lambda t: t["id_num"])


def decorate(builder: Any, seed: int, user_id: str) -> list[dict[str, Any]]:
    """Lengthen and quote in place among ``builder.tweets``; return the new repost rows."""
    rng = random.Random(f"{seed}:x:{user_id}:refs")
    own, builder.rng = builder.rng, rng  # ``builder.add`` draws from this stream too
    mentions = _mentions(builder.tweets)
    times = [m["created_at"] for m in mentions]
    posts = sorted((t for t in builder.tweets if t["kind"] == "post"), key=lambda t: t["id_num"])
    for post in posts:
        if rng.random() < LONG_SHARE:
            post["text"] = long_text(rng, post["lang"], post["text"])
        earlier = bisect.bisect_left(times, post["created_at"])
        if earlier and rng.random() < QUOTE_SHARE:
            post["quoted_id"] = mentions[rng.randrange(max(0, earlier - 10), earlier)]["tweet_id"]
    reposts = []
    for mention in mentions:
        if rng.random() < REPOST_SHARE:
            at = mention["created_at"] + timedelta(minutes=rng.randint(5, 600))
            body = f"RT @{mention['author_username']}: {mention['text']}"
            row = builder.add(
                at,
                "repost",
                builder.me,
                body,
                lang=mention["lang"],
                retweeted_id=mention["tweet_id"],
            )
            row.update(final_likes=0, final_impressions=0)  # a repost's own counts: none here
            reposts.append(row)
    builder.rng = own
    return reposts
