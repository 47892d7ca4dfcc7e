"""Community care planted in the world: response behaviour per brand, one crisis, one control.

What the reputation marts must find (docs/sandbox.md, "Community care"):

* **Response speed per brand**: every brand reply delay (comments, mentions, reviews) is drawn
  with the platform's mean multiplied by ``RESPONSE_SPEED[brand]`` (maison-lumiere answers
  fast, velo-vert slowly).
* **Thread shapes**: on Facebook, Instagram, LinkedIn and YouTube a fan sometimes answers a fan
  *before* the brand does (``FAN_FIRST_ODDS``) and the brand sometimes writes a second reply in
  the same thread (``FOLLOW_UP_ODDS``): only the first brand reply is the response.
* **Crisis**: on ``crisis_day`` the crisis brand gets a burst of negative reviews (Google
  Business Profile, Trustpilot), negative X mentions and negative Facebook/Instagram comments,
  all between 09:00 and 19:00 UTC (the same calendar day in Paris and London).
* **Control**: the control brand's fans never draw a negative comment, mention or review at
  random; it gets exactly one negative X mention a day, so its negative volume is flat.
* **Partnerships** (``Partnerships``): disclosed and undisclosed deals on every platform, one of
  each guaranteed early on every account.

These draws come from streams of their own (``care_stream``), so the rest of each account's
world keeps its random sequence.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sandbox.world import text

CRISIS_BRAND = "maison-lumiere"
CONTROL_BRAND = "northwind-coffee"
CRISIS_OFFSET = 24  # day 25 of the world: 2025-11-25 in every world starting 2025-11-01
RESPONSE_SPEED = {"maison-lumiere": 0.5, "velo-vert": 1.8, "northwind-coffee": 1.0}
FAN_FIRST_ODDS = 0.5  # of threads with both a brand and a fan reply: the fan answers first
FOLLOW_UP_ODDS = 0.12  # of answered threads: a second brand reply follows the first
FOLLOW_UP_HOURS = 3.0
CRISIS_HOURS = (9, 18)  # crisis items arrive between 09:00 and 18:59 UTC
QUIET_COMMENTS = {"positive": 0.6, "question": 0.22, "negative": 0.0, "neutral": 0.18}
QUIET_STARS = {5: 0.62, 4: 0.28, 3: 0.10, 2: 0.0, 1: 0.0}
T = TypeVar("T")


def crisis_day(spec: Any) -> date | None:
    """The crisis day: day 25 of the world (offset 24), or 4/5 into a world shorter than 30
    days; None for a world of one day."""
    if spec.days < 2:
        return None
    return spec.start + timedelta(days=min(CRISIS_OFFSET, spec.days * 4 // 5))


def is_crisis(brand_id: str, spec: Any, day: date) -> bool:
    return brand_id == CRISIS_BRAND and day == crisis_day(spec)


def is_control(brand_id: str) -> bool:
    return brand_id == CONTROL_BRAND


def speed(brand_id: str) -> float:
    """Multiplier of the brand's mean reply delay (1.0 for a brand without a profile)."""
    return RESPONSE_SPEED.get(brand_id, 1.0)


def comment_weights(brand_id: str) -> dict[str, float] | None:
    """Sentiment weights of fan comments and mentions: quiet for the control brand."""
    return QUIET_COMMENTS if is_control(brand_id) else None


def care_stream(seed: int, platform: str, account: str) -> random.Random:
    """The account's own stream for the planted care behaviour."""
    return random.Random(f"{seed}:{platform}:{account}:care")


def arrange(care: random.Random, replies: list[T], is_brand: Callable[[T], bool]) -> list[T]:
    """The thread's replies, the fan's first when the care stream says so (one draw)."""
    both = any(is_brand(r) for r in replies) and not all(is_brand(r) for r in replies)
    fan_first = care.random() < FAN_FIRST_ODDS
    if both and fan_first:
        return sorted(replies, key=is_brand)  # fans (False) before the brand (True)
    return replies


def follow_up_at(
    care: random.Random,
    chain: Sequence[tuple[datetime, T]],
    is_brand: Callable[[T], bool],
    deadline: datetime,
) -> datetime | None:
    """When the brand writes a second reply in the thread, or None (two draws, always)."""
    odds, delay = care.random(), care.expovariate(1 / FOLLOW_UP_HOURS)
    answered = [at for at, reply in chain if is_brand(reply)]
    if not answered or odds >= FOLLOW_UP_ODDS:
        return None
    at = max(at for at, _ in chain) + timedelta(seconds=int(delay * 3600) + 60)
    return at if at <= deadline else None


def crisis_times(care: random.Random, day: date, count: int) -> list[datetime]:
    """``count`` sorted times on the crisis day within ``CRISIS_HOURS``."""
    first, last = CRISIS_HOURS
    base = datetime(day.year, day.month, day.day)
    return sorted(
        base + timedelta(hours=care.randint(first, last), seconds=care.randint(0, 3599))
        for _ in range(count)
    )


def plan_rows(brand_ids: list[str], spec: Any) -> dict[str, list[Any]]:
    """The ``care_plan`` table: the crisis brand and day, the control brand, the speeds."""
    day = crisis_day(spec)
    out: dict[str, list[Any]] = {"brand_id": [], "role": [], "day": [], "response_speed": []}
    for brand_id in brand_ids:
        role = "other"
        if brand_id == CRISIS_BRAND and day is not None:
            role = "crisis"
        elif is_control(brand_id):
            role = "control"
        out["brand_id"].append(brand_id)
        out["role"].append(role)
        out["day"].append(day if role == "crisis" else None)
        out["response_speed"].append(speed(brand_id))
    return out


def crisis_row(brand_id: str, platform: str, channel: str, item_id: str) -> dict[str, str]:
    """One ``crisis_items`` row: an item planted by the crisis (ground truth only)."""
    return {"brand_id": brand_id, "platform": platform, "channel": channel, "item_id": item_id}


DISCLOSURES = {
    "fr": "Partenariat rémunéré avec {partner}.",
    "en": "Paid partnership with {partner}.",
}
UNDISCLOSED = {"fr": "Avec {partner} :", "en": "With {partner}:"}
FORCED_FROM = {"disclosed": 3, "undisclosed": 10}  # world day offsets of the forced deals


class Partnerships:
    """Which content posts of one account are paid partnerships, disclosed or not.

    About ``odds`` of the posts at random, plus one of each kind forced on the account's first
    post from day 3 (disclosed) and from day 10 (undisclosed) when none came at random, so every
    world of 11 days or more has both cases on every platform. The disclosure is ARPP/Meta
    wording at the head of the text ("Partenariat rémunéré avec X." / "Paid partnership with
    X."); an undisclosed deal only names the partner ("Avec X :" / "With X:").
    """

    def __init__(self, seed: int, platform: str, account: str, odds: float) -> None:
        self.rng = random.Random(f"{seed}:{platform}:{account}:partners")
        self.odds, self.seen = odds, {"disclosed": False, "undisclosed": False}

    def draw(self, offset: int, taken: bool | None = None) -> tuple[str | None, str | None]:
        """(kind, partner) of the next post at world day ``offset``; ``taken`` is the kind
        the platform's own draw already chose (True disclosed, False undisclosed) or None."""
        roll, disclosed = self.rng.random(), self.rng.random() < 0.6
        partner = self.rng.choice(text.PARTNERS)
        if taken is not None:
            self.seen["disclosed" if taken else "undisclosed"] = True
            return None, None
        kind = None
        if roll < self.odds:
            kind = "disclosed" if disclosed else "undisclosed"
        for forced, first in FORCED_FROM.items():
            if kind is None and not self.seen[forced] and offset >= first:
                kind = forced
        if kind is None:
            return None, None
        self.seen[kind] = True
        return kind, partner

    def settle(
        self, offset: int, lang: str, drawn: tuple[str, bool, bool, str | None]
    ) -> tuple[str, bool, bool, str | None]:
        """The platform's own draw ``drawn`` = (body, is_partnership, is_disclosed, partner),
        or the forced deal in its place (Meta, LinkedIn)."""
        body, is_partnership, is_disclosed, _partner = drawn
        kind, partner = self.draw(offset, is_disclosed if is_partnership else None)
        if kind is None or partner is None:
            return drawn
        return self.apply(kind, partner, lang, body), True, kind == "disclosed", partner

    @staticmethod
    def apply(kind: str, partner: str, lang: str, body: str) -> str:
        """``body`` with the deal's head: the disclosure, or the partner's bare name."""
        head = (DISCLOSURES if kind == "disclosed" else UNDISCLOSED).get(lang, DISCLOSURES["en"])
        return f"{head.format(partner=partner)} {body}"
