"""The CRM part of the world: each HubSpot portal's contacts and deals (sandbox/vendors/hubspot).

Two kinds of contacts per portal (the brand registry's ``hubspot`` id):

- **web members**: every visitor who logged in on the brand's site (``web_visits.user_id``)
  signs up as a contact at their first logged-in visit. The site passes that user id to GA4 and
  Matomo and writes it to the contact's custom property ``web_user_id``: the pseudonymous key
  the deal attribution will join visits on. Their original source is the channel of the first
  visit of the same visitor cookie, as HubSpot's tracking code records it.
- **other contacts** (imports, events, forms of untracked visitors): a Poisson number per day,
  with an original source drawn from ``SOURCE_WEIGHTS`` and, for tagged channels, UTMs of the
  brand's running campaign. They carry no ``web_user_id``.

About one contact in ten opens a deal (more among web members); a deal advances once, then
closes won or lost. Contacts become opportunity then customer with their first deal. Every
portal draws from its own random stream (seed + portal id), read after the web visits, so every
other table of the world is unchanged by this module. Rows keep their whole future (advance,
close, edit); what the API shows at a time is ``sandbox.vendors.hubspot.views``.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from pulse_config.registry import Brand
from sandbox.world import text as world_text
from sandbox.world.entities import brand_lang, pick, poisson, stored_campaigns
from sandbox.world.store import columns

DDL = """
CREATE TABLE hubspot_portals (portal_id VARCHAR, brand_id VARCHAR, currency VARCHAR,
    timezone VARCHAR);
CREATE TABLE hubspot_contacts (contact_id BIGINT, portal_id VARCHAR, brand_id VARCHAR,
    created_at TIMESTAMP, firstname VARCHAR, lastname VARCHAR, email VARCHAR, phone VARCHAR,
    initial_stage VARCHAR, analytics_source VARCHAR, source_data_1 VARCHAR,
    source_data_2 VARCHAR, first_url VARCHAR, utm_source VARCHAR, utm_medium VARCHAR,
    utm_campaign VARCHAR, utm_content VARCHAR, utm_term VARCHAR, web_user_id VARCHAR,
    first_visit_id BIGINT, edited_at TIMESTAMP, edited_phone VARCHAR);
CREATE TABLE hubspot_deals (deal_id BIGINT, portal_id VARCHAR, brand_id VARCHAR,
    contact_id BIGINT, dealname VARCHAR, created_at TIMESTAMP, amount DECIMAL(12, 2),
    currency VARCHAR, pipeline VARCHAR, advanced_at TIMESTAMP, advanced_stage VARCHAR,
    closed_at TIMESTAMP, won BOOLEAN);
"""
TABLE_KEYS = {
    "hubspot_portals": "portal_id",
    "hubspot_contacts": "portal_id, contact_id",
    "hubspot_deals": "portal_id, deal_id",
}
# Original sources of contacts the site did not track (hs_analytics_source's values:
# https://knowledge.hubspot.com/contacts/understand-source-properties).
SOURCE_WEIGHTS = {
    "OFFLINE": 0.35,
    "ORGANIC_SEARCH": 0.15,
    "SOCIAL_MEDIA": 0.12,
    "DIRECT_TRAFFIC": 0.10,
    "EMAIL_MARKETING": 0.08,
    "PAID_SEARCH": 0.06,
    "PAID_SOCIAL": 0.06,
    "REFERRALS": 0.05,
    "OTHER_CAMPAIGNS": 0.03,
}
TAGGED = {  # channel -> (utm_source, utm_medium) of its links
    "EMAIL_MARKETING": ("newsletter", "email"),
    "PAID_SEARCH": ("google", "cpc"),
    "PAID_SOCIAL": ("facebook", "paid_social"),
    "OTHER_CAMPAIGNS": ("partner", "display"),
}
CHANNEL_GROUPS = {  # web_visits.channel_group -> hs_analytics_source
    "Organic Search": "ORGANIC_SEARCH",
    "Direct": "DIRECT_TRAFFIC",
    "Organic Social": "SOCIAL_MEDIA",
    "Paid Search": "PAID_SEARCH",
    "Email": "EMAIL_MARKETING",
    "Paid Social": "PAID_SOCIAL",
    "Referral": "REFERRALS",
}
OFFLINE_KINDS = ["IMPORT", "CRM_UI", "INTEGRATION", "API"]
NETWORKS = ["Facebook", "Instagram", "LinkedIn", "Twitter"]
STAGES = ["qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent"]
DEAL_ODDS = {"member": 0.14, "other": 0.09}
WON_SHARE = 0.4
OPEN_SHARE = 0.2  # deals still open at the end of the world
EDIT_SHARE = 0.1  # contacts whose phone is added later (lastmodifieddate moves)
DAILY_CONTACTS = (20.0, 30.0)  # untracked contacts per day: > 10,000 a year on a large portal


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Portals of the registry's brands, their contacts and deals over the world's days."""
    totals = {"portals": 0, "contacts": 0, "web_members": 0, "deals": 0, "won": 0}
    for brand_no, brand in enumerate(registry.brands):
        for portal_id in brand.ids("hubspot"):
            contacts, deals = build_portal(writer.con, brand, brand_no, portal_id, spec)
            currency = "GBP" if brand.timezone == "Europe/London" else "EUR"
            writer.insert(
                "hubspot_portals",
                {
                    "portal_id": [portal_id],
                    "brand_id": [brand.brand_id],
                    "currency": [currency],
                    "timezone": [brand.timezone],
                },
            )
            writer.insert("hubspot_contacts", columns(contacts))
            writer.insert("hubspot_deals", columns(deals))
            members = sum(1 for c in contacts if c["web_user_id"])
            won = sum(1 for d in deals if d["won"])
            totals["portals"] += 1
            totals["contacts"] += len(contacts)
            totals["web_members"] += members
            totals["deals"] += len(deals)
            totals["won"] += won
            say(
                f"    {brand.brand_id} portal {portal_id}: {len(contacts)} contacts "
                f"({members} web members), {len(deals)} deals, {won} won"
            )
    return totals


def build_portal(
    con: Any, brand: Brand, brand_no: int, portal_id: str, spec: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One portal's contacts (members first, then untracked) and deals, ids by creation time."""
    rng = random.Random(f"{spec.seed}:hubspot:{portal_id}")
    lang = brand_lang(brand)
    heads = [_member(r, brand) for r in _members(con, brand.brand_id)]
    campaigns = stored_campaigns(con, brand.brand_id)
    rate = rng.uniform(*DAILY_CONTACTS) * spec.volume.reviews
    for offset in range(spec.span):
        day = spec.start + timedelta(days=offset)
        running = next((c for c in campaigns if c["start_date"] <= day <= c["end_date"]), None)
        for _ in range(poisson(rng, rate)):
            created = datetime(day.year, day.month, day.day) + timedelta(
                seconds=rng.randint(0, 86399)
            )
            heads.append(_untracked(rng, brand, created, running))
    heads.sort(key=lambda h: (h["created_at"], h["web_user_id"] or ""))
    contacts, deals = [], []
    base = 100_000 * (brand_no + 1)
    currency = "GBP" if brand.timezone == "Europe/London" else "EUR"
    for seq, head in enumerate(heads, start=1):
        contact = _person(rng, head, lang, brand, base + seq, portal_id)
        contacts.append(contact)
        kind = "member" if head["web_user_id"] else "other"
        if rng.random() < DEAL_ODDS[kind]:
            deals.append(_deal(rng, contact, brand, 900_000 + base + len(deals) + 1, currency))
    return contacts, deals


def _members(con: Any, brand_id: str) -> list[tuple[Any, ...]]:
    """Each logged-in web user: user id, first logged-in visit time, and the first visit of
    the same cookie (its channel, source, campaign, landing page and query)."""
    if not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'web_visits'"
    ).fetchone()[0]:
        return []  # a world generated without the web vendor (SANDBOX_VENDORS)
    return con.execute(
        """
        WITH u AS (SELECT user_id, any_value(visitor_id) AS visitor_id,
                          min(started_at) AS signup
                     FROM web_visits WHERE brand_id = $b AND user_id IS NOT NULL GROUP BY 1),
             f AS (SELECT visitor_id, arg_min(visit_id, started_at) AS visit_id
                     FROM web_visits WHERE brand_id = $b
                      AND visitor_id IN (SELECT visitor_id FROM u) GROUP BY 1)
        SELECT u.user_id, u.signup, w.visit_id, w.channel_group, w.source, w.medium,
               w.campaign, w.referrer_name, w.landing_page, w.landing_query
          FROM u JOIN f USING (visitor_id) JOIN web_visits w ON w.visit_id = f.visit_id
         ORDER BY u.signup, u.user_id
        """,
        {"b": brand_id},
    ).fetchall()


def _member(row: tuple[Any, ...], brand: Brand) -> dict[str, Any]:
    """The head of a web member's contact: created a minute after the sign-up visit starts."""
    user_id, signup, visit_id, group, source, medium, campaign, referrer, page, query = row
    channel = CHANNEL_GROUPS.get(group, "OTHER_CAMPAIGNS")
    utm = {k: v[0] for k, v in parse_qs(query or "").items() if k.startswith("utm_")}
    data_1 = {
        "ORGANIC_SEARCH": source,
        "SOCIAL_MEDIA": (source or "").split(".")[-2:][0].title() if source else None,
        "REFERRALS": referrer or source,
        "PAID_SEARCH": source,
        "PAID_SOCIAL": (source or "").title() or None,
        "EMAIL_MARKETING": campaign,
        "OTHER_CAMPAIGNS": campaign,
    }.get(channel)
    url = f"https://{brand.site}{page or '/'}" + (f"?{query}" if query else "")
    return {
        "created_at": signup + timedelta(minutes=1),
        "initial_stage": "lead",
        "analytics_source": channel,
        "source_data_1": data_1,
        "source_data_2": campaign if channel in ("PAID_SEARCH", "PAID_SOCIAL") else None,
        "first_url": url,
        **{f"utm_{k}": utm.get(f"utm_{k}") for k in ("source", "medium", "campaign")},
        **{f"utm_{k}": utm.get(f"utm_{k}") for k in ("content", "term")},
        "web_user_id": user_id,
        "first_visit_id": visit_id,
    }


def _untracked(
    rng: random.Random, brand: Brand, created: datetime, running: dict[str, Any] | None
) -> dict[str, Any]:
    """The head of a contact the site's tracking did not see: no web key."""
    channel = pick(rng, SOURCE_WEIGHTS)
    campaign = running["campaign"] if running else None
    utm: dict[str, str | None] = dict.fromkeys(("source", "medium", "campaign", "content", "term"))
    if channel in TAGGED and campaign:
        utm.update(source=TAGGED[channel][0], medium=TAGGED[channel][1], campaign=campaign)
    data_1 = {
        "OFFLINE": rng.choice(OFFLINE_KINDS),
        "ORGANIC_SEARCH": "google",
        "SOCIAL_MEDIA": rng.choice(NETWORKS),
        "REFERRALS": "partner-blog.example",
        "PAID_SEARCH": "google",
        "PAID_SOCIAL": "Facebook",
    }.get(channel, utm["campaign"])
    url = None
    if channel != "OFFLINE":
        query = "&".join(f"utm_{k}={v}" for k, v in utm.items() if v)
        url = f"https://{brand.site}/" + (f"?{query}" if query else "")
    return {
        "created_at": created,
        "initial_stage": "subscriber" if channel == "EMAIL_MARKETING" else "lead",
        "analytics_source": channel,
        "source_data_1": data_1,
        "source_data_2": utm["campaign"] if channel in ("PAID_SEARCH", "PAID_SOCIAL") else None,
        "first_url": url,
        **{f"utm_{k}": v for k, v in utm.items()},
        "web_user_id": None,
        "first_visit_id": None,
    }


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _person(
    rng: random.Random, head: dict[str, Any], lang: str, brand: Brand, cid: int, portal: str
) -> dict[str, Any]:
    """Name, e-mail, phone (some added later) of a contact; the people HubSpot holds."""
    first = rng.choice(world_text.FIRST_NAMES[lang])
    last = rng.choice(world_text.LAST_NAMES[lang])
    domain = "example.co.uk" if lang == "en" else "example.fr"
    phone = f"+{44 if lang == 'en' else 33} 7{rng.randint(10_000_000, 99_999_999)}"
    edited = rng.random() < EDIT_SHARE
    return {
        "contact_id": cid,
        "portal_id": portal,
        "brand_id": brand.brand_id,
        "firstname": first,
        "lastname": last,
        "email": f"{_ascii(first)}.{_ascii(last)}{cid % 1000}@{domain}",
        "phone": None if edited else phone,
        **head,
        "created_at": head["created_at"].replace(microsecond=0),
        "edited_at": (
            (head["created_at"] + timedelta(days=rng.uniform(1, 30))).replace(microsecond=0)
            if edited
            else None
        ),
        "edited_phone": phone if edited else None,
    }


def _deal(
    rng: random.Random, contact: dict[str, Any], brand: Brand, deal_id: int, currency: str
) -> dict[str, Any]:
    """A deal of the contact: opened within days, advanced once, closed won or lost."""
    created = contact["created_at"] + timedelta(hours=1 + rng.expovariate(1 / (24 * 7)))
    closed = created + timedelta(days=rng.uniform(5, 60))
    still_open = rng.random() < OPEN_SHARE
    return {
        "deal_id": deal_id,
        "portal_id": contact["portal_id"],
        "brand_id": brand.brand_id,
        "contact_id": contact["contact_id"],
        "dealname": f"{brand.name} - {contact['lastname']}",
        "created_at": created.replace(microsecond=0),
        "amount": round(rng.lognormvariate(6.8, 0.6), 2),
        "currency": currency,
        "pipeline": "default",
        "advanced_at": (created + (closed - created) * rng.uniform(0.2, 0.8)).replace(
            microsecond=0
        ),
        "advanced_stage": rng.choice(STAGES),
        "closed_at": None if still_open else closed.replace(microsecond=0),
        "won": (not still_open) and rng.random() < WON_SHARE,
    }
