"""Generator helpers: ids, random draws, fans, campaigns, accounts and UTM links.

Kept apart from the post/comment builder so each stays readable; everything here is a pure
function of its random stream or its key, which is what makes the world reproducible.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pulse_config.registry import Brand
from sandbox.world import text

CAMPAIGN_NAMES = [
    "soldes-hiver",
    "printemps",
    "fete-des-meres",
    "ete",
    "rentree",
    "black-friday",
    "noel",
    "anniversaire",
]
LINK_PATHS = ["/", "/boutique", "/blog", "/atelier", "/nouveautes", "/offres"]
MALFORMED_SHARE = 0.05
T = TypeVar("T")


def stable_number(key: str, digits: int) -> int:
    """A stable number from a string, for ids that must not depend on registry order."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10**digits


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fan_pool(lang: str, count: int = 400) -> list[tuple[str, str, str]]:
    """(fb_user_id, display name, ig username) of a deterministic pool of fans."""
    rng = random.Random(f"fans:{lang}")
    offset = 0 if lang == "fr" else count
    pool = []
    for i in range(count):
        first, last = rng.choice(text.FIRST_NAMES[lang]), rng.choice(text.LAST_NAMES[lang])
        user = f"{first}.{last}{rng.randint(1, 99)}".lower()
        pool.append((f"10{offset + i:013d}", f"{first} {last}", user))
    return pool


FANS = {lang: fan_pool(lang) for lang in ("fr", "en")}


def campaigns_of(brand: Brand, seed: int, start: date, span: int) -> list[dict[str, Any]]:
    """About six campaigns per brand; each runs on every account of the brand."""
    rng = random.Random(f"{seed}:{brand.brand_id}:campaigns")
    count = max(1, round(6 * span / 365))
    slot = span / count
    out = []
    for i in range(count):
        length = rng.randint(10, 28)
        first = start + timedelta(days=int(i * slot) + rng.randint(0, max(0, int(slot) - 10)))
        name = f"{CAMPAIGN_NAMES[i % len(CAMPAIGN_NAMES)]}-{first.year}"
        out.append(
            {
                "campaign": name,
                "brand_id": brand.brand_id,
                "start_date": first,
                "end_date": first + timedelta(days=length - 1),
                "hashtag": "#" + name.replace("-", ""),
            }
        )
    return out


def utm_link(
    rng: random.Random,
    site: str,
    platform: str,
    campaign: str | None,
    post_id: str,
    planted: str | None = None,
):
    """A link with UTM parameters; about 5% are malformed on purpose, and ``planted`` (a defect
    kind) forces one, so every world holds each kind (returns url, defect)."""
    params = [
        ("utm_source", platform),
        ("utm_medium", "social"),
        ("utm_campaign", campaign or "always-on"),
        ("utm_content", post_id),
    ]
    defect = None
    if rng.random() < MALFORMED_SHARE or planted:
        defect = planted or rng.choice(["upper_case", "missing_utm_content", "medium_typo"])
        if defect == "upper_case":
            params = [(k.upper(), v.upper()) for k, v in params]
        elif defect == "missing_utm_content":
            params = params[:3]
        else:
            params[1] = ("utm_medium", rng.choice(["socail", "soical", "scoial"]))
    query = "&".join(f"{k}={v}" for k, v in params)
    return f"https://{site}{rng.choice(LINK_PATHS)}?{query}", defect


def accounts_of(brand: Brand, seed: int) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for platform in ("facebook", "instagram"):
        if platform not in brand.accounts:
            continue
        account_id = brand.accounts[platform]
        rng = random.Random(f"{seed}:{platform}:{account_id}:account")
        ig = platform == "instagram"
        out.append(
            (
                platform,
                {
                    "account_id": account_id,
                    "brand_id": brand.brand_id,
                    "platform": platform,
                    "name": brand.name,
                    "username": brand.brand_id.replace("-", "") if ig else brand.brand_id,
                    "category": "Brand" if ig else "Shopping & retail",
                    "followers_start": rng.randint(8000, 90000) if ig else rng.randint(5000, 60000),
                    "daily_gain": rng.randint(5, 60) if ig else rng.randint(3, 40),
                    "follows_count": rng.randint(150, 900) if ig else 0,
                },
            )
        )
    return out


# Draws shared by the social builders (Meta, LinkedIn, X, YouTube). Each takes the builder's
# random stream and draws in a fixed order, so moving a builder onto them keeps its world
# byte-identical; the vendor passes its own odds and ranges.


def brand_lang(brand: Brand) -> str:
    """The brand's main language: English for the London brands, French for the others."""
    return "en" if brand.timezone == "Europe/London" else "fr"


def mixed_lang(rng: random.Random, lang: str, keep: float) -> str:
    """``lang`` with probability ``keep``, else the other language of the sandbox."""
    return lang if rng.random() < keep else ("en" if lang == "fr" else "fr")


def running_campaign(
    rng: random.Random, campaigns: list[dict[str, Any]], day: date, odds: float
) -> dict[str, Any] | None:
    """The first campaign running on ``day``, tied to the post with probability ``odds``.

    Draws only when a campaign runs, as the builders always did.
    """
    running = [c for c in campaigns if c["start_date"] <= day <= c["end_date"]]
    return running[0] if running and rng.random() < odds else None


def post_hashtags(
    rng: random.Random, lang: str, campaign: dict[str, Any] | None, most: int, least: int = 0
) -> list[str]:
    """``least`` to ``most`` topical hashtags, plus the campaign's own when there is one."""
    tags = rng.sample(text.HASHTAGS[lang], rng.randint(least, most))
    if campaign:
        tags.append(campaign["hashtag"])
    return tags


def partnership(
    rng: random.Random, body: str, tags: list[str], odds: float, aside: str = ""
) -> tuple[str, bool, bool, str | None]:
    """A paid partnership, disclosed or not: (body, is_partnership, is_disclosed, partner).

    A disclosure is a hashtag (appended to ``tags``) or a leading sentence; an undisclosed
    partnership only names the partner at the end of the body (followed by ``aside``).
    """
    is_partnership = rng.random() < odds
    is_disclosed, partner = False, None
    if is_partnership:
        partner = rng.choice(text.PARTNERS)
        is_disclosed = rng.random() < 0.6
        if is_disclosed:
            mark = rng.choice(["#ad", "#partenariat", "Partenariat rémunéré"])
            if mark.startswith("#"):
                tags.append(mark)
            else:
                body = f"Partenariat rémunéré avec {partner}. {body}"
        else:
            body = f"{body} Avec {partner}{aside}"
    return body, is_partnership, is_disclosed, partner


def fan_comment(
    rng: random.Random, lang: str, keep: float, weights: dict[str, float] | None = None
) -> tuple[str, tuple[str, str, str], str, str]:
    """A top-level fan comment: (language, fan of the shared pool, message, sentiment);
    ``weights`` is the brand's sentiment mix (the control brand's is quiet)."""
    lang = mixed_lang(rng, lang, keep)
    fan = rng.choice(FANS[lang])
    message, kind = text.comment_text(rng, lang, weights)
    return lang, fan, message, kind


def day_times(
    rng: random.Random, day: date, rate: float, first_hour: int, last_hour: int
) -> list[datetime]:
    """A Poisson(``rate``) number of times on ``day`` between the two hours, sorted."""
    return sorted(
        datetime(
            day.year,
            day.month,
            day.day,
            rng.randint(first_hour, last_hour),
            rng.randint(0, 59),
            rng.randint(0, 59),
        )
        for _ in range(poisson(rng, rate))
    )


def comment_times(
    rng: random.Random,
    start: datetime,
    deadline: datetime,
    count: int,
    mean_hours: float,
    floor_s: int,
) -> list[datetime]:
    """``count`` comment times after ``start`` (exponential delays), capped at ``deadline``."""
    delays = (int(rng.expovariate(1 / mean_hours) * 3600) + floor_s for _ in range(count))
    return sorted(min(deadline, start + timedelta(seconds=secs)) for secs in delays)


def reply_chain(
    rng: random.Random,
    start: datetime,
    deadline: datetime,
    replies: list[T],
    is_brand: Callable[[T], bool],
    hours: tuple[float, float],
    floor_s: int,
) -> Iterator[tuple[datetime, T]]:
    """Yields (time, reply) for a chain of replies, each after the one before, until one
    would fall after ``deadline``; ``hours`` are the mean delays of (brand, fan) replies.

    A generator, so the caller's own draws for each reply interleave as they always did.
    """
    at = start
    for reply in replies:
        mean = hours[0] if is_brand(reply) else hours[1]
        at = at + timedelta(seconds=int(rng.expovariate(1 / mean) * 3600) + floor_s)
        if at > deadline:
            break
        yield at, reply


def unique_tag(tag: int, taken: set[int], modulo: int = 10**5) -> int:
    """``tag``, or the next free one (mod ``modulo``): registry order breaks a tie, so ids
    built from the tag stay unique and deterministic."""
    while tag in taken:
        tag = (tag + 1) % modulo
    taken.add(tag)
    return tag


def stored_campaigns(con: Any, brand_id: str) -> list[dict[str, Any]]:
    """The brand's campaigns as the Meta generator wrote them, for vendors generated later."""
    return [
        dict(zip(("campaign", "start_date", "end_date", "hashtag"), row, strict=True))
        for row in con.execute(
            "SELECT campaign, start_date, end_date, hashtag FROM campaigns "
            "WHERE brand_id = ? ORDER BY start_date, campaign",
            [brand_id],
        ).fetchall()
    ]
