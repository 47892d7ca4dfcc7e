"""The e-mail platform's part of the world (Brevo): each brand's sent campaigns, their links
with UTMs, and what recipients did with them day by day.

One Brevo account per brand with a site. A weekly newsletter (Tuesdays, 09:00 site time) plus
one push on the first day of each of the brand's campaigns (``campaigns`` table). The links
carry the UTMs the web world's e-mail visits carry (``sandbox.vendors.web.channels``:
utm_source ``newsletter``, utm_medium ``email``, utm_campaign the running campaign or
``newsletter-hebdo``), so the marts can put sends beside sessions. The web world draws its
e-mail visits on its own (``sandbox.vendors.web.world``: 6 % of the base traffic, every day,
channel group Email), not from these clicks: the marts' e-mail sessions and revenue are
exact against the web world, but sessions per Brevo click is no truth of the world (tying
them would change every GA4 and Matomo truth for a ratio no mart reports).

Activity is stored per campaign and UTC day (``email_daily``, ``email_link_daily``): opens,
clicks and unsubscriptions spread over the 14 days after the send, most of them on the first
day. Each brand draws from its own random stream (seed + brand): no other vendor's rows change.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.world.entities import brand_lang

DDL = """
CREATE TABLE email_accounts (brand_id VARCHAR PRIMARY KEY, api_key VARCHAR, list_size INTEGER);
CREATE TABLE email_campaigns (brand_id VARCHAR, campaign_id INTEGER, name VARCHAR,
    subject VARCHAR, tag VARCHAR, utm_campaign VARCHAR, created_at TIMESTAMP, sent_at TIMESTAMP,
    sent INTEGER, delivered INTEGER, hard_bounces INTEGER, soft_bounces INTEGER);
CREATE TABLE email_daily (brand_id VARCHAR, campaign_id INTEGER, date DATE,
    unique_views INTEGER, viewed INTEGER, unique_clicks INTEGER, clickers INTEGER,
    unsubscriptions INTEGER, complaints INTEGER);
CREATE TABLE email_links (brand_id VARCHAR, campaign_id INTEGER, url VARCHAR);
CREATE TABLE email_link_daily (brand_id VARCHAR, campaign_id INTEGER, url VARCHAR, date DATE,
    clicks INTEGER);
"""
TABLE_KEYS = {
    "email_accounts": "brand_id",
    "email_campaigns": "brand_id, campaign_id",
    "email_daily": "brand_id, campaign_id, date",
    "email_links": "brand_id, campaign_id, url",
    "email_link_daily": "brand_id, campaign_id, url, date",
}
DAYS_ACTIVE = 14  # opens and clicks after this are negligible: none in the world
DECAY = np.array([0.55, 0.2, 0.09, 0.05, 0.03, 0.02, 0.015, 0.012, 0.01, 0.008, 0.006, 0.004,
                  0.003, 0.002])  # fmt: skip
LINK_PATHS = ["/", "/boutique", "/nouveautes", "/offres", "/blog"]
SUBJECTS = {"fr": ("La lettre de {name}", "{name} : {campaign}"),
            "en": ("News from {name}", "{name}: {campaign}")}  # fmt: skip
NEWSLETTER = "newsletter-hebdo"


def api_key_of(brand_id: str) -> str:
    """The sandbox's Brevo API key of a brand's account (Brevo keys start ``xkeysib-``)."""
    return f"xkeysib-sandbox-{brand_id}"


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _sends(con: Any, brand: Any, spec: Any) -> list[tuple[datetime, str, str | None]]:
    """(sent_at UTC, utm_campaign, brand campaign) of every send, in time order."""
    tz = ZoneInfo(brand.timezone)
    first, last = spec.start, spec.start + timedelta(days=spec.span - 1)
    running = con.execute(
        "SELECT campaign, start_date, end_date FROM campaigns WHERE brand_id = ?",
        [brand.brand_id],
    ).fetchall()
    out = []
    day = first + timedelta(days=(1 - first.weekday()) % 7)  # the first Tuesday
    while day <= last:
        live = [c for c, s, e in running if s <= day <= e]
        out.append((day, live[0] if live else NEWSLETTER, live[0] if live else None))
        day += timedelta(days=7)
    for campaign, start, _end in running:
        if first <= start <= last:
            out.append((start, campaign, campaign))
    stamped = []
    for day, utm, campaign in sorted(out, key=lambda s: (s[0], s[1])):
        local = datetime.combine(day, time(9, 0), tz)
        stamped.append((local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), utm, campaign))
    return stamped


def _campaign(rng: np.random.Generator, brand: Any, number: int, send: tuple, size: int) -> dict:
    sent_at, utm, campaign = send
    lang = brand_lang(brand)
    subject = SUBJECTS[lang][1 if campaign else 0].format(name=brand.name, campaign=campaign)
    hard, soft = rng.binomial(size, 0.004), rng.binomial(size, 0.008)
    return {
        "brand_id": brand.brand_id,
        "campaign_id": number,
        "name": f"{utm} {sent_at:%Y-%m-%d}",
        "subject": subject,
        "tag": "push" if campaign else "newsletter",
        "utm_campaign": utm,
        "created_at": sent_at - timedelta(days=int(rng.integers(1, 6)), hours=3),
        "sent_at": sent_at,
        "sent": size,
        "delivered": int(size - hard - soft),
        "hard_bounces": int(hard),
        "soft_bounces": int(soft),
    }


def _activity(rng: np.random.Generator, row: dict, links: list[str]) -> tuple[list, list]:
    """Per-day opens / clicks / unsubscriptions of one campaign, and per-day clicks per link."""
    delivered = row["delivered"]
    unique_views = rng.multinomial(rng.binomial(delivered, rng.uniform(0.22, 0.42)), DECAY)
    unique_clicks = rng.binomial(unique_views, rng.uniform(0.08, 0.18))
    clickers = unique_clicks + rng.poisson(unique_clicks * 0.3)
    unsubscribed = rng.binomial(unique_views, 0.006)
    days, link_days = [], []
    share = rng.dirichlet(np.ones(len(links)) * 2)
    for d in range(DAYS_ACTIVE):
        day = row["sent_at"].date() + timedelta(days=d)
        views = int(unique_views[d])
        days.append({
            "brand_id": row["brand_id"], "campaign_id": row["campaign_id"], "date": day,
            "unique_views": views, "viewed": views + int(rng.poisson(views * 0.4)),
            "unique_clicks": int(unique_clicks[d]), "clickers": int(clickers[d]),
            "unsubscriptions": int(unsubscribed[d]), "complaints": int(rng.binomial(views, 5e-4)),
        })  # fmt: skip
        for url, clicks in zip(links, rng.multinomial(int(clickers[d]), share), strict=True):
            if clicks:
                link_days.append({"brand_id": row["brand_id"], "campaign_id": row["campaign_id"],
                                  "url": url, "date": day, "clicks": int(clicks)})  # fmt: skip
    return days, link_days


def links_of(site: str, utm: str, paths: list[str]) -> list[str]:
    return [
        f"https://{site}{path}?utm_source=newsletter&utm_medium=email&utm_campaign={utm}"
        f"&utm_content=link-{k + 1}"
        for k, path in enumerate(paths)
    ]


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write the Brevo accounts, campaigns and their daily activity of every brand site."""
    brands = [b for b in registry.brands if b.site]
    totals = {"accounts": len(brands), "campaigns": 0}
    for brand in brands:
        rng = np.random.default_rng(_seed(f"{spec.seed}:brevo:{brand.brand_id}"))
        size = int(rng.integers(6000, 20000))
        writer.insert("email_accounts", {"brand_id": [brand.brand_id],
                                         "api_key": [api_key_of(brand.brand_id)],
                                         "list_size": [size]})  # fmt: skip
        rows, links, days, link_days = [], [], [], []
        for number, send in enumerate(_sends(writer.con, brand, spec), start=1):
            size += int(rng.integers(0, 60))  # the list grows between sends
            row = _campaign(rng, brand, number, send, size)
            count = int(rng.integers(2, 5))
            paths = [LINK_PATHS[i] for i in sorted(rng.choice(len(LINK_PATHS), count, False))]
            urls = links_of(brand.site, row["utm_campaign"], paths)
            d, ld = _activity(rng, row, urls)
            rows.append(row)
            links += [{"brand_id": brand.brand_id, "campaign_id": number, "url": u} for u in urls]
            days += d
            link_days += ld
        for table, records in (("email_campaigns", rows), ("email_links", links),
                               ("email_daily", days), ("email_link_daily", link_days)):  # fmt: skip
            if records:
                writer.insert(table, {k: [r[k] for r in records] for k in records[0]})
        say(f"    {brand.brand_id}: {len(rows)} e-mail campaigns")
        totals["campaigns"] += len(rows)
    return totals
