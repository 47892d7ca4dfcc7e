"""A/B tests of the synthetic world: a few posts per account carry ``#ab_<dim>_<exp>_<variant>``.

Applied to an account's rows after its builder ran, from a random stream of their own
(``{seed}:{platform}:{account}:experiments``), so posts that are not variants keep their id, text
and metrics. Within one experiment the interactions of every variant post are redrawn as binomial
counts of one shared rate (times a true uplift for variant b in about half the experiments), so
a two-proportion z-test on them finds real winners and real nulls. See docs/engagement_marts.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DIMENSIONS = ("hook", "format", "cta", "slot")
PER_YEAR = (4, 6)  # experiments per account and year
PER_VARIANT = (1, 4)  # posts per variant
WINNER_SHARE = 0.5  # experiments where variant b truly does better
UPLIFT = (1.3, 1.8)  # b's interaction rate over a's when it does
SCAN = 4  # a format/slot experiment looks this many times its size ahead for its two groups
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Row = dict[str, Any]


def _same(tag: str) -> str:
    return tag


def linkedin_tag(tag: str) -> str:
    """A hashtag as LinkedIn's "little text" writes it."""
    return "{hashtag|\\#|" + tag.lstrip("#") + "}"


@dataclass(frozen=True)
class Shape:
    """Where one platform's rows keep what an experiment touches."""

    id: str  # the id the API exposes
    time: str  # publication time
    texts: tuple[str, ...]  # text columns the hashtag is appended to (None values stay None)
    tags: str  # list column of the post's hashtags
    exposure: str  # final_* column the interaction rate is taken over
    interactions: tuple[str, ...]  # final_* interaction columns (counted ones are left alone)
    format: Callable[[Row], str]  # canonical format, for format experiments
    is_content: Callable[[Row], bool] = lambda row: True
    render: Callable[[str], str] = _same  # the hashtag as written in the text
    listed: Callable[[str], str] = _same  # the hashtag as stored in the tags column


META = Shape(
    "post_id",
    "created_time",
    ("text",),
    "hashtags",
    "final_reach",
    ("final_likes", "final_shares", "final_saves"),
    format=lambda row: row["format"],
)
SHAPES: dict[str, Shape] = {
    "facebook": META,
    "instagram": META,
    "linkedin": Shape(
        "post_urn",
        "published_at",
        ("text", "edited_text"),
        "hashtags",
        "final_impressions",
        ("final_likes", "final_shares"),
        format=lambda row: row["format"],
        render=linkedin_tag,
    ),
    "x": Shape(
        "tweet_id",
        "created_at",
        ("text",),
        "hashtags",
        "final_impressions",
        ("final_likes", "final_retweets", "final_quotes", "final_bookmarks"),
        format=lambda row: "link" if row["link_url"] else "text",
        is_content=lambda row: row["kind"] == "post",
    ),
    "youtube": Shape(
        "video_id",
        "published_at",
        ("description",),
        "tags",
        "final_views",
        ("final_likes", "final_shares"),
        format=lambda row: "reel" if row["is_short"] else "video",
        listed=lambda tag: tag.lstrip("#"),
    ),
    "tiktok": Shape(
        "video_id",
        "create_time",
        ("video_description",),
        "hashtags",
        "final_views",
        ("final_likes", "final_comments", "final_shares"),
        format=lambda row: "reel",
    ),
}


def hashtag(dimension: str, experiment: str, variant: str) -> str:
    return f"#ab_{dimension}_{experiment}_{variant}"


def run(rows: list[Row], platform: str, spec: Any, brand_id: str, account_id: str) -> list[Row]:
    """Turn a few of one account's posts into A/B variants, in place; returns the truth rows
    (one per variant post) for the ``experiment_posts`` table."""
    shape = SHAPES[platform]
    rng = random.Random(f"{spec.seed}:{platform}:{account_id}:experiments")
    posts = sorted(
        (r for r in rows if shape.is_content(r)), key=lambda r: (r[shape.time], r[shape.id])
    )
    count = max(1, round(rng.randint(*PER_YEAR) * spec.span / 365))
    size = len(posts) // count
    truth: list[Row] = []
    for k in range(count):
        drawn = _variants(rng, posts[k * size : (k + 1) * size], shape)
        if drawn is None:
            continue
        dimension, groups = drawn
        uplift = round(rng.uniform(*UPLIFT), 2) if rng.random() < WINNER_SHARE else 1.0
        first = min(p[shape.time] for group in groups.values() for p in group)
        name = f"{MONTHS[first.month - 1]}{first.year % 100:02d}e{k + 1}"
        _redraw(rng, shape, groups, uplift)
        for variant, group in groups.items():
            for post in group:
                _tag(post, shape, hashtag(dimension, name, variant))
                truth.append(
                    {
                        "experiment": name,
                        "dimension": dimension,
                        "variant": variant,
                        "uplift": uplift if variant == "b" else 1.0,
                        "brand_id": brand_id,
                        "platform": platform,
                        "account_id": account_id,
                        "post_id": post[shape.id],
                    }
                )
    return truth


def _variants(
    rng: random.Random, window: list[Row], shape: Shape
) -> tuple[str, dict[str, list[Row]]] | None:
    """(dimension, {variant: posts}) of one experiment in ``window``; None if it is too short.

    A format experiment opposes two formats and a slot experiment morning and afternoon posts,
    when the window has both; otherwise (and for hook and cta) the variants alternate at random
    over consecutive posts.
    """
    dimension = rng.choice(DIMENSIONS)
    sizes = {"a": rng.randint(*PER_VARIANT), "b": rng.randint(*PER_VARIANT)}
    need = sizes["a"] + sizes["b"]
    if len(window) < need:
        return None
    start = rng.randrange(len(window) - need + 1)
    keys: dict[str, Callable[[Row], str]] = {
        "format": shape.format,
        "slot": lambda row: "am" if row[shape.time].hour < 13 else "pm",
    }
    if dimension in keys:
        groups = _by_key(window[start : start + SCAN * need], keys[dimension], sizes)
        if groups is not None:
            return dimension, groups
        dimension = "hook"
    labels = ["a"] * sizes["a"] + ["b"] * sizes["b"]
    rng.shuffle(labels)
    groups = {"a": [], "b": []}
    for label, post in zip(labels, window[start : start + need], strict=True):
        groups[label].append(post)
    return dimension, groups


def _by_key(
    scan: list[Row], key: Callable[[Row], str], sizes: dict[str, int]
) -> dict[str, list[Row]] | None:
    """Variant a: posts of the first post's key; b: posts of the next key met (None if none)."""
    first = key(scan[0])
    others = [p for p in scan if key(p) != first]
    if not others:
        return None
    second = key(others[0])
    return {
        "a": [p for p in scan if key(p) == first][: sizes["a"]],
        "b": [p for p in scan if key(p) == second][: sizes["b"]],
    }


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(n, p) draw (normal approximation, clipped to 0..n)."""
    p = min(max(p, 0.0), 1.0)
    mean = n * p
    return max(0, min(n, round(rng.gauss(mean, math.sqrt(mean * (1.0 - p))))))


def _redraw(rng: random.Random, shape: Shape, groups: dict[str, list[Row]], uplift: float) -> None:
    """Interactions of every variant post: binomial over its exposure at the experiment's
    pooled rate, times ``uplift`` for variant b."""
    posts = [p for group in groups.values() for p in group]
    exposure = sum(int(p[shape.exposure]) for p in posts)
    if exposure <= 0:
        return
    rates = {c: sum(int(p[c]) for p in posts) / exposure for c in shape.interactions}
    for variant, group in groups.items():
        lift = uplift if variant == "b" else 1.0
        for post in group:
            for column, rate in rates.items():
                post[column] = _binomial(rng, int(post[shape.exposure]), rate * lift)


def _tag(post: Row, shape: Shape, tag: str) -> None:
    """Append the hashtag where the platform writes hashtags: after the others, or in a
    paragraph of its own when the post had none."""
    joiner = " " if post[shape.tags] else "\n\n"
    for column in shape.texts:
        if post[column] is not None:
            post[column] = f"{post[column]}{joiner}{shape.render(tag)}"
    post[shape.tags] = [*post[shape.tags], shape.listed(tag)]
