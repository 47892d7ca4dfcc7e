"""The Trustpilot part of the world: business units and their reviews, generated per brand.

Every business unit draws from its own random stream (world seed + business unit id), so the
same seed gives the same reviews. Reviews are stored once with their whole future (edit, company
reply, final likes); what the API shows at ``now`` is computed by ``visible_sql``, which the
manifest uses too, so ground truth and answers cannot drift apart.
"""

from __future__ import annotations

import calendar
import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

from pulse_config.registry import Brand
from sandbox.world import care
from sandbox.world import text as world_text
from sandbox.world.entities import brand_lang, campaigns_of, mixed_lang, pick, poisson
from sandbox.world.store import columns

from . import text

DDL = """
CREATE TABLE trustpilot_business_units (business_unit_id VARCHAR PRIMARY KEY, brand_id VARCHAR,
    display_name VARCHAR, identifying_name VARCHAR, website_url VARCHAR, country VARCHAR,
    created_at TIMESTAMP);
CREATE TABLE trustpilot_reviews (review_id VARCHAR, business_unit_id VARCHAR, brand_id VARCHAR,
    created_at TIMESTAMP, experienced_at TIMESTAMP, language VARCHAR, stars INTEGER,
    title VARCHAR, text VARCHAR, edited_at TIMESTAMP, edited_stars INTEGER, edited_title VARCHAR,
    edited_text VARCHAR, consumer_id VARCHAR, consumer_name VARCHAR, consumer_location VARCHAR,
    consumer_reviews INTEGER, is_verified BOOLEAN, final_likes INTEGER, reply_at TIMESTAMP,
    reply_text VARCHAR, reply_author VARCHAR, campaign VARCHAR);
"""
TABLE_KEYS = {
    "trustpilot_business_units": "business_unit_id",
    "trustpilot_reviews": "review_id",
}
REPLY_WITHIN = timedelta(days=21)  # documented limit: the source's lookback window covers it
EDIT_WITHIN = timedelta(days=28)
LIKES_GROWTH_HOURS = 48.0
TRUSTSCORE_PRIOR = (7, 3.5)  # Bayesian prior: 7 virtual reviews at 3.5 stars
TRUSTSCORE_DAYS = 365  # only the last 12 months count, as on Trustpilot
STAR_KEYS = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
REPLY_ODDS = {1: 0.85, 2: 0.85, 3: 0.7, 4: 0.55, 5: 0.55}


def _epoch(ts: datetime) -> int:
    return calendar.timegm(ts.timetuple())


def object_id(key: str, ts: datetime) -> str:
    """A 24-hex id shaped like Trustpilot's (Mongo ObjectId: creation time + 8 hashed bytes)."""
    tail = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    return f"{_epoch(ts):08x}{tail}"


def consumer_pool(seed: int, lang: str, count: int = 500) -> list[tuple[str, str, str, int]]:
    """(consumer id, display name, display location, number of reviews) of a stable pool."""
    rng = random.Random(f"{seed}:trustpilot-consumers:{lang}")
    first = datetime(2016, 1, 1)
    pool = []
    for i in range(count):
        name = f"{rng.choice(world_text.FIRST_NAMES[lang])} "
        name += f"{rng.choice(world_text.LAST_NAMES[lang])[0]}."
        joined = first + timedelta(seconds=rng.randint(0, 8 * 365 * 86400))
        cid = object_id(f"{seed}:consumer:{lang}:{i}", joined)
        pool.append((cid, name, rng.choice(text.CITIES[lang]), rng.randint(1, 40)))
    return pool


def star_weights(rng: random.Random) -> dict[int, float]:
    """A brand's own star distribution: mostly happy, with a brand-specific unhappy tail."""
    unhappy = rng.uniform(0.08, 0.22)
    return {
        1: unhappy * 0.6,
        2: unhappy * 0.4,
        3: rng.uniform(0.06, 0.12),
        4: rng.uniform(0.18, 0.3),
        5: rng.uniform(0.4, 0.6),
    }


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Business units of the registry's brands and their reviews over the world's days."""
    totals = {"business_units": 0, "reviews": 0, "replied": 0, "edited": 0}
    pools = {lang: consumer_pool(spec.seed, lang) for lang in ("fr", "en")}
    for brand in registry.brands:
        campaigns = _campaigns(writer, brand, spec)
        for bu_id in brand.ids("trustpilot"):
            unit, reviews, planted = build_unit(brand, bu_id, spec, campaigns, pools)
            writer.insert("crisis_items", columns(planted))
            writer.insert("trustpilot_business_units", {k: [v] for k, v in unit.items()})
            if reviews:
                writer.insert(
                    "trustpilot_reviews", {k: [r[k] for r in reviews] for k in reviews[0]}
                )
            replied = sum(1 for r in reviews if r["reply_at"] is not None)
            edited = sum(1 for r in reviews if r["edited_at"] is not None)
            totals["business_units"] += 1
            totals["reviews"] += len(reviews)
            totals["replied"] += replied
            totals["edited"] += edited
            say(
                f"    {brand.brand_id} business unit {bu_id}: {len(reviews)} reviews, "
                f"{replied} replied, {edited} edited"
            )
    return totals


def _campaigns(writer: Any, brand: Brand, spec: Any) -> list[tuple[date, date, str]]:
    """The brand's campaigns from the world store (so a campaign runs across platforms)."""
    found = writer.con.execute(
        "SELECT start_date, end_date, campaign FROM campaigns WHERE brand_id = ? "
        "ORDER BY start_date",
        [brand.brand_id],
    ).fetchall()
    if found:
        return [tuple(r) for r in found]
    return [
        (c["start_date"], c["end_date"], c["campaign"])
        for c in campaigns_of(brand, spec.seed, spec.start, spec.span)
    ]


def build_unit(
    brand: Brand,
    bu_id: str,
    spec: Any,
    campaigns: list[tuple[date, date, str]],
    pools: dict[str, list[tuple[str, str, str, int]]],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, str]]]:
    """One business unit, its reviews (own random stream) and the crisis reviews planted among
    them (``crisis_items`` rows, from the unit's care stream)."""
    rng = random.Random(f"{spec.seed}:trustpilot:{bu_id}")
    lang = brand_lang(brand)
    unit = {
        "business_unit_id": bu_id,
        "brand_id": brand.brand_id,
        "display_name": brand.name,
        "identifying_name": brand.site.removeprefix("www."),
        "website_url": f"https://{brand.site}",
        "country": "GB" if lang == "en" else "FR",
        "created_at": datetime(2019, 3, 1) + timedelta(days=rng.randint(0, 900)),
    }
    weights = star_weights(rng)
    if care.is_control(brand.brand_id):  # the quiet control brand: no 1-2 star review
        weights = {**weights, 1: 0.0, 2: 0.0}
    rate = rng.uniform(2.5, 5.0)
    products = world_text.PRODUCTS.get(brand.brand_id, world_text.DEFAULT_PRODUCTS)
    reviews: list[dict[str, Any]] = []
    crisis = care.care_stream(spec.seed, "trustpilot", bu_id)
    planted: list[dict[str, str]] = []  # crisis_items rows
    for offset in range(spec.span):
        day = spec.start + timedelta(days=offset)
        running = next((c for c in campaigns if c[0] <= day <= c[1]), None)
        count = poisson(rng, rate * (1.5 if running else 1.0) * spec.volume.reviews)
        stamps = sorted(
            datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randint(0, 86399))
            for _ in range(count)
        )
        for created in stamps:
            review_lang = mixed_lang(rng, lang, 0.85)
            stars = pick(rng, weights)
            title, body = text.review(rng, review_lang, stars, rng.choice(products))
            head = (created, review_lang, stars, title, body)
            reviews.append(_review(rng, spec, brand, bu_id, len(reviews) + 1, head, pools, running))
        if care.is_crisis(brand.brand_id, spec, day):
            for created in care.crisis_times(crisis, day, crisis.randint(10, 16)):
                stars = crisis.choice([1, 2])
                title, _ = text.review(crisis, lang, stars, "")
                body = world_text.crisis_text(crisis, lang, brand.brand_id)
                head = (created, lang, stars, title, body)
                seq = len(reviews) + 1
                reviews.append(_review(crisis, spec, brand, bu_id, seq, head, pools, running))
                planted.append(
                    care.crisis_row(
                        brand.brand_id, "trustpilot", "review", reviews[-1]["review_id"]
                    )
                )
    return unit, reviews, planted


def _review(
    rng: random.Random,
    spec: Any,
    brand: Brand,
    bu_id: str,
    seq: int,
    head: tuple[datetime, str, int, str, str],
    pools: dict[str, list[tuple[str, str, str, int]]],
    running: tuple[date, date, str] | None,
) -> dict[str, Any]:
    """One review (``head``: created, language, stars, title, text), its reply and edit."""
    created, review_lang, stars, title, body = head
    day = created.date()
    cid, name, location, n_reviews = rng.choice(pools[review_lang])
    review = {
        "review_id": object_id(f"{spec.seed}:{bu_id}:{seq}", created),
        "business_unit_id": bu_id,
        "brand_id": brand.brand_id,
        "created_at": created,
        "experienced_at": datetime(day.year, day.month, day.day)
        - timedelta(days=rng.randint(0, 10)),
        "language": review_lang,
        "stars": stars,
        "title": title,
        "text": body,
        "edited_at": None,
        "edited_stars": None,
        "edited_title": None,
        "edited_text": None,
        "consumer_id": cid,
        "consumer_name": name,
        "consumer_location": location,
        "consumer_reviews": n_reviews,
        "is_verified": rng.random() < 0.7,
        "final_likes": min(40, int(rng.expovariate(0.6))),
        "reply_at": None,
        "reply_text": None,
        "reply_author": None,
        "campaign": running[2] if running and rng.random() < 0.4 else None,
    }
    _reply_and_edit(rng, review, brand, name)
    return review


def _reply_and_edit(rng: random.Random, review: dict[str, Any], brand: Brand, name: str) -> None:
    """~60% answered (late replies included, within 21 days); ~8% edited within 28 days."""
    created, stars, lang = review["created_at"], review["stars"], review["language"]
    if rng.random() < REPLY_ODDS[stars]:
        if rng.random() < 0.15:  # a late reply, days after the review
            delay = timedelta(days=rng.uniform(3, 20))
        else:
            delay = timedelta(hours=rng.expovariate(1 / (16 * care.speed(brand.brand_id))) + 0.2)
        review["reply_at"] = created + min(delay, REPLY_WITHIN - timedelta(hours=1))
        review["reply_text"] = text.reply(rng, lang, stars, name.split()[0])
        review["reply_author"] = rng.choice(["Service client", brand.name, "Support"])
    if rng.random() < 0.08:
        edited = created + timedelta(days=rng.uniform(1, EDIT_WITHIN.days - 1))
        replied_before = review["reply_at"] is not None and review["reply_at"] < edited
        if replied_before and stars <= 3:  # the reply fixed it: the consumer raises the stars
            new_stars = min(5, stars + rng.randint(1, 2))
        else:
            new_stars = max(3 if care.is_control(brand.brand_id) else 1, stars - 1)
        review["edited_at"] = edited.replace(microsecond=0)
        review["edited_stars"] = new_stars
        review["edited_title"] = review["title"]
        review["edited_text"] = f"{review['text']} {text.update_note(rng, lang, new_stars > stars)}"
    if review["reply_at"] is not None:
        review["reply_at"] = review["reply_at"].replace(microsecond=0)


VISIBLE_COLUMNS = f"""
    review_id, business_unit_id, created_at, experienced_at, language,
    CASE WHEN edited_at <= $now THEN edited_stars ELSE stars END AS stars,
    CASE WHEN edited_at <= $now THEN edited_title ELSE title END AS title,
    CASE WHEN edited_at <= $now THEN edited_text ELSE text END AS text,
    CASE WHEN edited_at <= $now THEN edited_at END AS updated_at,
    consumer_id, consumer_name, consumer_location, consumer_reviews, is_verified,
    CAST(round(final_likes * (1 - exp(-date_diff('second', created_at, $now) / 3600.0
        / {LIKES_GROWTH_HOURS}))) AS INTEGER) AS number_of_likes,
    CASE WHEN reply_at <= $now THEN reply_text END AS reply_text,
    CASE WHEN reply_at <= $now THEN reply_author END AS reply_author,
    CASE WHEN reply_at <= $now THEN reply_at END AS reply_at
"""


def visible_sql(where: str = "", order: str = "created_at DESC, review_id DESC") -> str:
    """Reviews of business unit ``$bu`` as the API shows them at ``$now`` (edits, replies)."""
    return (
        f"SELECT * FROM (SELECT {VISIBLE_COLUMNS} FROM trustpilot_reviews "
        "WHERE business_unit_id = $bu AND created_at <= $now) AS v "
        f"{('WHERE ' + where) if where else ''} ORDER BY {order}"
    )


def unit_summary(cur: Any, bu_id: str, now: datetime) -> dict[str, Any]:
    """``numberOfReviews`` and ``score`` of a business unit at ``now`` (12-month TrustScore)."""
    sql = (
        f"SELECT stars, count(*), count(*) FILTER (WHERE created_at > $since) "
        f"FROM ({visible_sql(order='stars')}) GROUP BY stars ORDER BY stars"
    )
    since = now - timedelta(days=TRUSTSCORE_DAYS)
    counts = {
        s: (n, used)
        for s, n, used in cur.execute(sql, {"bu": bu_id, "now": now, "since": since}).fetchall()
    }
    reviews = {"total": sum(n for n, _ in counts.values())}
    reviews["usedForTrustScoreCalculation"] = sum(u for _, u in counts.values())
    for stars, key in enumerate(STAR_KEYS, start=1):
        reviews[key] = counts.get(stars, (0, 0))[0]
    weight, prior = TRUSTSCORE_PRIOR
    used = reviews["usedForTrustScoreCalculation"]
    total = sum(s * u for s, (_, u) in counts.items()) + weight * prior
    trust = int((total / (used + weight)) * 10 + 0.5) / 10
    return {
        "numberOfReviews": reviews,
        "score": {"trustScore": trust, "stars": int(trust * 2 + 0.5) / 2},
    }
