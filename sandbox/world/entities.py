"""Generator helpers: ids, random draws, fans, campaigns, accounts and UTM links.

Kept apart from the post/comment builder so each stays readable; everything here is a pure
function of its random stream or its key, which is what makes the world reproducible.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date, timedelta
from typing import Any

from ingestion.registry import Brand
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


def utm_link(rng: random.Random, site: str, platform: str, campaign: str | None, post_id: str):
    """A link with UTM parameters; about 5% are malformed on purpose (returns url, defect)."""
    params = [
        ("utm_source", platform),
        ("utm_medium", "social"),
        ("utm_campaign", campaign or "always-on"),
        ("utm_content", post_id),
    ]
    defect = None
    if rng.random() < MALFORMED_SHARE:
        defect = rng.choice(["upper_case", "missing_utm_content", "medium_typo"])
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
