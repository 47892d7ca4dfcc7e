"""The Google Business Profile world: locations, reviews with replies, one brand's crisis day.

Each location draws from its own random stream (world seed + location name), so the same seed
gives the same reviews. Reviews arrive at a per-location daily rate, faster while a campaign of
the brand runs (the shared ``campaigns`` table); one brand (the "worse" one) has a lower star
distribution. The crisis brand of ``sandbox.world.care`` gets a burst of 1-2 star reviews on the
crisis day (``gbp_crises``: one row, start = end = that day); the control brand never gets a
1-2 star review. About 70% of reviews get a reply after hours or days (the brand's own speed),
which moves the review's ``updateTime``: that is what incremental loads re-read.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.world import care, text
from sandbox.world.entities import brand_lang, pick, poisson, stable_number
from sandbox.world.store import columns, now_of, rows

DDL = """
CREATE TABLE gbp_locations (location_name VARCHAR PRIMARY KEY, account_name VARCHAR,
    brand_id VARCHAR, title VARCHAR, lang VARCHAR, daily_rate DOUBLE, is_worse_brand BOOLEAN);
CREATE TABLE gbp_crises (brand_id VARCHAR, start_date DATE, end_date DATE);
CREATE TABLE gbp_reviews (review_name VARCHAR, review_id VARCHAR, location_name VARCHAR,
    brand_id VARCHAR, reviewer_name VARCHAR, reviewer_photo_url VARCHAR, is_anonymous BOOLEAN,
    star_rating INTEGER, comment VARCHAR, lang VARCHAR, create_time TIMESTAMP,
    reply_comment VARCHAR, reply_time TIMESTAMP, campaign VARCHAR, is_crisis BOOLEAN);
"""
TABLE_KEYS = {
    "gbp_locations": "location_name",
    "gbp_crises": "brand_id",
    "gbp_reviews": "review_name",
}
STARS = ("STAR_RATING_UNSPECIFIED", "ONE", "TWO", "THREE", "FOUR", "FIVE")
GOOD = {5: 0.56, 4: 0.24, 3: 0.09, 2: 0.05, 1: 0.06}
WORSE = {5: 0.30, 4: 0.24, 3: 0.17, 2: 0.13, 1: 0.16}
CRISIS_REVIEWS_PER_LOCATION = (6, 10)  # uniform count of crisis reviews per location
CITIES = {
    "fr": ["Paris 11e", "Lyon Croix-Rousse", "Nantes", "Bordeaux", "Lille"],
    "en": ["Shoreditch", "Camden", "Brixton", "Manchester", "Bristol"],
}
REVIEWS = {
    "fr": {
        5: [
            "Accueil chaleureux et conseils au top, je recommande !",
            "Superbe boutique, équipe aux petits soins.",
            "Parfait du début à la fin, merci !",
        ],
        4: [
            "Très bon accueil, un peu d'attente à la caisse.",
            "Beaux produits, prix un peu élevés mais la qualité est là.",
        ],
        3: ["Correct sans plus.", "Produits sympas mais personnel débordé ce jour-là."],
        2: [
            "Attente trop longue et vendeur peu disponible.",
            "Commande retirée incomplète, déçu.",
        ],
        1: [
            "Très déçu : produit cassé et aucun geste commercial.",
            "Service après-vente inexistant, je ne reviendrai pas.",
        ],
    },
    "en": {
        5: [
            "Lovely shop and super friendly staff, highly recommend!",
            "Great service from start to finish, thank you!",
            "Fantastic, will definitely come back.",
        ],
        4: ["Nice place, a bit of a queue but worth it.", "Good quality, slightly pricey."],
        3: ["It was fine.", "Decent products, staff seemed rushed."],
        2: ["Waited far too long to be served.", "Order was incomplete when I picked it up."],
        1: [
            "Really disappointed: broken item and no refund offered.",
            "Terrible customer service, won't be back.",
        ],
    },
}
CRISIS_REVIEWS = {
    "fr": [
        "Commande jamais reçue, personne ne répond au téléphone.",
        "Rappel produit mal géré, on nous renvoie d'un service à l'autre.",
        "Scandaleux, remboursement refusé après la panne.",
    ],
    "en": [
        "Order never arrived and nobody answers the phone.",
        "Product recall handled terribly, passed from one department to another.",
        "Outrageous, refund refused after the fault.",
    ],
}


def iso_z(value: datetime) -> str:
    """RFC 3339 with milliseconds and ``Z``, as Google emits it."""
    return value.isoformat(timespec="milliseconds") + "Z"


def review_id_of(location: str, seq: int) -> str:
    digest = hashlib.blake2b(f"{location}:{seq}".encode(), digest_size=18).digest()
    return "AbFvOq" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _worse_brand(registry: Any, seed: int) -> str | None:
    """The brand with the lower star distribution: deterministic from the seed and registry."""
    brands = [b.brand_id for b in registry.brands if b.ids("google_business")]
    return min(brands, key=lambda b: stable_number(f"{seed}:{b}:gbp", 8)) if brands else None


def _campaigns(writer: Any, brand_id: str) -> list[tuple[str, date, date]]:
    return writer.con.execute(
        "SELECT campaign, start_date, end_date FROM campaigns WHERE brand_id = ? "
        "ORDER BY start_date",
        [brand_id],
    ).fetchall()


def _reply(
    rng: random.Random,
    created: datetime,
    stars: int,
    lang: str,
    first: str,
    odds: float,
    speed: float = 1.0,
) -> tuple[str | None, datetime | None]:
    if rng.random() >= odds:
        return None, None
    if rng.random() < 0.25:  # answered days later: exercises incremental updates
        delay = timedelta(days=rng.uniform(1.5, 9.0))
    else:
        delay = timedelta(hours=rng.expovariate(1 / (8 * speed)) + 0.25)
    when = created + delay
    when = when.replace(microsecond=rng.randint(0, 999) * 1000)
    kind = "negative" if stars <= 2 else ("neutral" if stars == 3 else "positive")
    return text.brand_reply(rng, lang, kind, first), when


class LocationBuilder:
    """Reviews of one location, from its own random stream."""

    def __init__(self, spec: Any, brand: Any, location: str, worse: bool, crisis: Any) -> None:
        self.spec, self.brand, self.location, self.worse = spec, brand, location, worse
        self.crisis = crisis  # (start, end) or None
        self.quiet = care.is_control(brand.brand_id)
        self.rng = random.Random(f"{spec.seed}:google_business:{location}")
        self.lang = brand_lang(brand)
        self.reviews: list[dict[str, Any]] = []
        self.rate = self.rng.uniform(0.4, 1.1)

    def build(self, campaigns: list[tuple[str, date, date]]) -> None:
        rng = self.rng
        for offset in range(self.spec.span):
            day = self.spec.start + timedelta(days=offset)
            running = [c for c in campaigns if c[1] <= day <= c[2]]
            campaign = running[0][0] if running else None
            boost = (1.4 if campaign else 1.0) * self.spec.volume.reviews
            for _ in range(poisson(rng, self.rate * boost)):
                self._review(day, campaign, crisis=False)
            if self.crisis and self.crisis[0] <= day <= self.crisis[1]:
                for _ in range(rng.randint(*CRISIS_REVIEWS_PER_LOCATION)):
                    self._review(day, campaign, crisis=True)

    def _review(self, day: date, campaign: str | None, crisis: bool) -> None:
        rng, lang = self.rng, self.lang
        if rng.random() < 0.1:
            lang = "fr" if lang == "en" else "en"
        hours = care.CRISIS_HOURS if crisis else (8, 22)
        created = datetime(day.year, day.month, day.day, rng.randint(*hours), rng.randint(0, 59))
        created = created.replace(second=rng.randint(0, 59), microsecond=rng.randint(0, 999) * 1000)
        weights = care.QUIET_STARS if self.quiet else (WORSE if self.worse else GOOD)
        stars = rng.choice([1, 2]) if crisis else pick(rng, weights)
        rating_only = rng.random() < (0.05 if crisis else 0.2)
        if rating_only:
            comment = None
        elif crisis:
            comment = rng.choice(CRISIS_REVIEWS[lang])
        else:
            comment = rng.choice(REVIEWS[lang][stars])
        anonymous = rng.random() < 0.04
        first = rng.choice(text.FIRST_NAMES[lang])
        name = None if anonymous else f"{first} {rng.choice(text.LAST_NAMES[lang])[0]}."
        photo = None
        if not anonymous and rng.random() < 0.8:
            photo = f"https://lh3.googleusercontent.com/a-/ALV-{rng.getrandbits(64):016x}=s120-c"
        odds = 0.9 if crisis else (0.6 if self.worse else 0.72)
        speed = care.speed(self.brand.brand_id)
        reply, reply_at = _reply(rng, created, stars, lang, first, odds, speed)
        review_id = review_id_of(self.location, len(self.reviews) + 1)
        self.reviews.append(
            {
                "review_name": f"{self.location}/reviews/{review_id}",
                "review_id": review_id,
                "location_name": self.location,
                "brand_id": self.brand.brand_id,
                "reviewer_name": name,
                "reviewer_photo_url": photo,
                "is_anonymous": anonymous,
                "star_rating": stars,
                "comment": comment,
                "lang": lang,
                "create_time": created,
                "reply_comment": reply,
                "reply_time": reply_at,
                "campaign": campaign,
                "is_crisis": crisis,
            }
        )


def generate_world(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write locations, crises and reviews for every registry location; return counts."""
    say = say or (lambda _msg: None)
    worse = _worse_brand(registry, spec.seed)
    totals = {"locations": 0, "reviews": 0, "replies": 0, "crisis_reviews": 0}
    for brand in registry.brands:
        locations = brand.ids("google_business")
        if not locations:
            continue
        crisis = None
        day = care.crisis_day(spec)
        if day and care.is_crisis(brand.brand_id, spec, day):
            crisis = (day, day)
            writer.insert(
                "gbp_crises",
                {"brand_id": [brand.brand_id], "start_date": [crisis[0]], "end_date": [crisis[1]]},
            )
        campaigns = _campaigns(writer, brand.brand_id)
        for i, location in enumerate(locations):
            builder = LocationBuilder(spec, brand, location, brand.brand_id == worse, crisis)
            builder.build(campaigns)
            city = CITIES[builder.lang][i % len(CITIES[builder.lang])]
            writer.insert(
                "gbp_locations",
                {
                    "location_name": [location],
                    "account_name": [location.split("/locations/")[0]],
                    "brand_id": [brand.brand_id],
                    "title": [f"{brand.name} {city}"],
                    "lang": [builder.lang],
                    "daily_rate": [round(builder.rate, 4)],
                    "is_worse_brand": [brand.brand_id == worse],
                },
            )
            totals["locations"] += 1
            totals["reviews"] += writer.insert("gbp_reviews", columns(builder.reviews))
            planted = [r["review_id"] for r in builder.reviews if r["is_crisis"]]
            rows_ = [
                care.crisis_row(brand.brand_id, "google_business", "review", n) for n in planted
            ]
            writer.insert("crisis_items", columns(rows_))
            totals["replies"] += sum(1 for r in builder.reviews if r["reply_time"])
            totals["crisis_reviews"] += sum(1 for r in builder.reviews if r["is_crisis"])
            say(f"    {location}: {len(builder.reviews)} reviews")
    return totals


UPDATE_TIME = "CASE WHEN reply_time <= $now THEN reply_time ELSE create_time END"


def location_summary(cur: duckdb.DuckDBPyConnection, location: str, now: datetime) -> dict:
    """``averageRating`` (1 decimal) and ``totalReviewCount`` of a location as of ``now``."""
    count, avg = cur.execute(
        "SELECT count(*), avg(star_rating) FROM gbp_reviews "
        "WHERE location_name = ? AND create_time <= ?",
        [location, now],
    ).fetchone()
    return {"averageRating": round(float(avg), 1) if count else 0, "totalReviewCount": int(count)}


def manifest_of(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """As of ``today``: per location the review names (updateTime desc) and the summary the API
    returns; per review its star rating, updateTime, whether a reply is visible, the text the
    reviewer wrote and whether Google serves it translated (another language than the
    location's); the crises."""
    now = now_of(today)
    locations: dict[str, Any] = {}
    reviews: dict[str, Any] = {}
    totals = {"locations": 0, "reviews": 0, "answered": 0, "rating_only": 0, "translated": 0}
    for loc in rows(cur, "SELECT * FROM gbp_locations ORDER BY location_name"):
        name = loc["location_name"]
        found = cur.execute(
            f"SELECT review_name, star_rating, {UPDATE_TIME} AS update_time, "
            "coalesce(reply_time <= $now, false), comment IS NULL, comment, lang <> $lang "
            "FROM gbp_reviews WHERE location_name = $loc AND create_time <= $now "
            "ORDER BY update_time DESC, review_id DESC",
            {"now": now, "loc": name, "lang": loc["lang"]},
        ).fetchall()
        summary = location_summary(cur, name, now)
        locations[name] = {
            "brand_id": loc["brand_id"],
            "review_names": [r[0] for r in found],
            "average_rating": summary["averageRating"],
            "total_review_count": summary["totalReviewCount"],
            "answered": sum(1 for r in found if r[3]),
        }
        for review_name, stars, update_time, answered, rating_only, comment, foreign in found:
            reviews[review_name] = {
                "star_rating": stars,
                "update_time": iso_z(update_time),
                "has_reply": answered,
                "rating_only": rating_only,
                "comment": comment,  # what the reviewer wrote, never Google's translation
                "translated": foreign and comment is not None,  # served in Google's envelope
            }
        totals["locations"] += 1
        totals["reviews"] += len(found)
        totals["answered"] += locations[name]["answered"]
        totals["rating_only"] += sum(1 for r in found if r[4])
        totals["translated"] += sum(1 for r in found if r[6] and r[5] is not None)
    crises = []
    for crisis in rows(cur, "SELECT * FROM gbp_crises ORDER BY brand_id"):
        visible = cur.execute(
            "SELECT count(*) FROM gbp_reviews WHERE brand_id = ? AND is_crisis "
            "AND create_time <= ?",
            [crisis["brand_id"], now],
        ).fetchone()[0]
        crises.append(
            {
                "brand_id": crisis["brand_id"],
                "start_date": crisis["start_date"].isoformat(),
                "end_date": crisis["end_date"].isoformat(),
                "reviews": visible,
            }
        )
    return {"locations": locations, "reviews": reviews, "totals": totals, "crises": crises}
