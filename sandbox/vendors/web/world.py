"""Generate the website visits of every brand with a site analytics source (GA4 and/or Matomo).

One visit is one GA4 session and one Matomo visit: both vendors serve the same rows, each in
its own dialect. Traffic = clicks on the social posts' links (their UTMs, a share of the
post's clicks, on the hours and days after the post) + organic search, direct, referral,
social referrers, email and paid traffic (tagged with the brand's running campaign; the
landing URL carries the link's query string). Visitors return within 30 days (multi-touch
paths); some are logged in (user id); conversions are goals (newsletter, contact) and
ecommerce orders with revenue.

Time: the hour-of-day curve is the site's local time (``brands.yaml`` timezone); a visit
belongs to the site-local day it starts on and ends before local midnight (Matomo starts a
new visit at midnight in the site's time zone), so ``visit_date`` is a local date while
``started_at`` / ``ended_at`` are UTC; early-morning Paris visits cross UTC midnight.

Consent (Matomo sites with a ``consent_dimension``): the banner's answer per visitor, 75 %
granted, 21 % denied, 4 % never answered; only granted visitors are cookie-tracked (a stable
``visitor_id``, possibly a user id); the others get a visitorId of their own per visit
(Matomo's cookieless tracking) and no user id. Sites without a consent dimension track
everyone with a cookie and ``consent`` is NULL (unknown to the warehouse).

Vectorised with numpy per brand; string columns come from small profile tables by index.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import numpy as np

from pulse_config.registry import MatomoSite, matomo_site
from sandbox.vendors.web import channels as ch
from sandbox.vendors.web import staging

CONSENT_SHARE = 0.75  # visitors who accept the banner, on sites with a consent dimension
DENIED_SHARE = 0.21  # visitors who refuse it; the rest never answer (consent unknown)
MEMBER_SHARE = 0.25  # cookie-tracked visitors with an account; logged in on 60% of visits
GCLID_SHARE = 0.5  # paid-search visits whose landing URL also carries Google's gclid
CLICK_TO_VISIT = 0.25  # share of a link post's clicks that land as a tracked visit
RETURN_WINDOW_DAYS = 30
WEEKDAY = np.array([1.0, 1.05, 1.0, 1.0, 0.95, 0.8, 0.75])
HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 8, 7, 6, 6, 6, 7, 8, 9, 9, 7, 4, 2], float)
KINDS = ["organic", "direct", "referral", "social_ref", "email", "paid_search", "paid_social"]
KIND_WEIGHTS = np.array([0.42, 0.25, 0.10, 0.07, 0.06, 0.06, 0.04])
CONVERSION_BASE = {"organic": 0.03, "direct": 0.035, "referral": 0.02, "social_ref": 0.02}
CONVERSION_BASE.update(email=0.06, paid_search=0.045, paid_social=0.03, post=0.025)
LANDING = ["/", "/boutique", "/blog", "/atelier", "/nouveautes", "/offres", "/contact"]
GA4_LAG = (np.array([0, 1, 2, 3]), np.array([0.8, 0.1, 0.06, 0.04]))  # late hits, in days
DEVICES = np.array(["Desktop", "Smartphone", "Tablet"], dtype=object)

DDL = """
CREATE TABLE web_sites (brand_id VARCHAR, site VARCHAR, timezone VARCHAR,
    ga4_property_id VARCHAR, matomo_site_id VARCHAR, currency VARCHAR,
    matomo_consent_dimension VARCHAR, matomo_campaign_plugin BOOLEAN);
CREATE TABLE web_visits (visit_id BIGINT, brand_id VARCHAR, visitor_slot BIGINT,
    visitor_id VARCHAR, user_id VARCHAR, consent VARCHAR, consent_value VARCHAR,
    visit_count INTEGER, started_at TIMESTAMP, ended_at TIMESTAMP, visit_date DATE,
    source VARCHAR, medium VARCHAR, campaign VARCHAR, content VARCHAR, term VARCHAR,
    referrer_type VARCHAR, referrer_name VARCHAR, referrer_url VARCHAR, channel_group VARCHAR,
    landing_page VARCHAR, landing_query VARCHAR, post_id VARCHAR, post_platform VARCHAR,
    pageviews INTEGER, duration_s INTEGER, engaged BOOLEAN,
    device_type VARCHAR, ga4_lag INTEGER, key_events INTEGER, revenue DECIMAL(12, 2));
CREATE TABLE web_conversions (conversion_id VARCHAR, visit_id BIGINT, brand_id VARCHAR,
    kind VARCHAR, goal_id INTEGER, goal_name VARCHAR, order_id VARCHAR,
    revenue DECIMAL(12, 2), items INTEGER, converted_at TIMESTAMP);
"""
TABLE_KEYS = {"web_sites": "brand_id", "web_visits": "visit_id", "web_conversions": "conversion_id"}


def _seed(*parts: Any) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode()).digest()[:8], "big")


def _unit(values: np.ndarray, salt: int) -> np.ndarray:
    """A stable uniform [0, 1) per integer (splitmix64), for per-visitor traits."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt % 2**63) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


class _Profiles:
    """Interning table of traffic profiles (visits hold an index)."""

    def __init__(self) -> None:
        self.items: list[ch.Profile] = []
        self.index: dict[ch.Profile, int] = {}

    def add(self, profile: ch.Profile) -> int:
        if profile not in self.index:
            self.index[profile] = len(self.items)
            self.items.append(profile)
        return self.index[profile]

    def column(self, field: int, idx: np.ndarray) -> np.ndarray:
        return np.array([p[field] for p in self.items], dtype=object)[idx]


def _tz_offsets(tz: ZoneInfo, start: datetime, hours: np.ndarray, local: bool) -> np.ndarray:
    """UTC offset (seconds) of each hour counted from ``start``, read as local or UTC time."""
    uniq, inv = np.unique(hours, return_inverse=True)
    out = []
    for h in uniq.tolist():
        at = start + timedelta(hours=h)
        aware = at.replace(tzinfo=tz) if local else at.replace(tzinfo=UTC).astimezone(tz)
        out.append(int(aware.utcoffset().total_seconds()))
    return np.array(out, dtype=np.int64)[inv] if out else np.zeros(0, dtype=np.int64)


def _running(con: Any, brand_id: str, spec: Any) -> list[str | None]:
    """The campaign name running on each day offset (first one wins)."""
    rows = con.execute(
        "SELECT campaign, start_date, end_date FROM campaigns WHERE brand_id = ? "
        "ORDER BY start_date, campaign",
        [brand_id],
    ).fetchall()
    running: list[str | None] = [None] * spec.span
    for name, first, last in rows:
        for off in range((first - spec.start).days, (last - spec.start).days + 1):
            if 0 <= off < spec.span and running[off] is None:
                running[off] = name
    return running


def _base_traffic(rng: Any, running: list, spec: Any, profiles: _Profiles) -> dict[str, Any]:
    """Poisson visits per local day, local hour of day, kind and sub-source."""
    span = spec.span
    mean = rng.uniform(60, 110) * spec.volume.visits  # 1.0 in the default world
    weekday = np.array([(spec.start + timedelta(days=d)).weekday() for d in range(span)])
    day = np.repeat(np.arange(span), rng.poisson(mean * WEEKDAY[weekday]))
    n = day.size
    secs = rng.choice(24, n, p=HOURS / HOURS.sum()) * 3600 + rng.integers(0, 3600, n)
    kind = rng.choice(len(KINDS), n, p=KIND_WEIGHTS)
    sub = np.where(kind == 0, rng.choice(4, n, p=ch.SEARCH_WEIGHTS), rng.integers(0, 4, n))
    keyed = kind * 10 + sub.astype(np.int64)
    camp_idx = np.array([0] + [i + 1 for i in range(span)])  # 0 = none
    camp_of_day = np.where([r is not None for r in running], camp_idx[1:], 0)[day]
    combos, inverse = np.unique(keyed * 10_000 + camp_of_day, return_inverse=True)
    lookup = np.empty(combos.size, dtype=np.int64)
    queries = np.empty(combos.size, dtype=object)
    for i, combo in enumerate(combos.tolist()):
        k, cday = divmod(combo, 10_000)
        name = running[cday - 1] if cday else None
        profile = ch.base_profile(KINDS[k // 10], k % 10, name, combo)
        lookup[i], queries[i] = profiles.add(profile), ch.utm_query(profile)
    query = queries[inverse]
    gclid = (kind == KINDS.index("paid_search")) & (rng.random(n) < GCLID_SHARE)
    for i in np.flatnonzero(gclid).tolist():  # Google Ads auto-tagging next to the UTMs
        token = hashlib.blake2b(f"{spec.seed}:{i}:{day[i]}".encode(), digest_size=18).hexdigest()
        query[i] = f"{query[i]}&gclid=Cj0KCQiA{token}"
    return {
        "day": day,
        "secs": secs,
        "utc": None,
        "prof": lookup[inverse],
        "landing": np.array(LANDING, dtype=object)[rng.integers(0, len(LANDING), n)],
        "query": query,
        "post": np.full(n, None, dtype=object),
        "platform": np.full(n, None, dtype=object),
        "kind": np.array(KINDS, dtype=object)[kind],
    }


def _post_clicks(con: Any, rng: Any, brand_id: str, spec: Any, profiles: _Profiles) -> dict:
    """A share of each link post's clicks, landing after the post with the link's URL."""
    start = datetime.combine(spec.start, datetime.min.time())
    link_posts = con.execute(
        "SELECT p.post_id, p.platform, p.created_time, p.link_url, p.final_clicks "
        "FROM posts p JOIN accounts a USING (account_id) "
        "WHERE a.brand_id = ? AND p.link_url IS NOT NULL ORDER BY p.post_id",
        [brand_id],
    ).fetchall()
    if not link_posts:
        return {}
    counts = rng.binomial([int(r[4]) for r in link_posts], CLICK_TO_VISIT)
    rows = np.repeat(np.arange(len(link_posts)), counts)
    delay = np.minimum(rng.exponential(16 * 3600, rows.size), 6 * 86400 - 1).astype(np.int64)
    created = np.array([int((r[2] - start).total_seconds()) for r in link_posts], dtype=np.int64)
    utc = created[rows] + 60 + delay  # seconds after spec.start 00:00 UTC
    post_prof, post_path, post_query = [], [], []
    for _pid, platform, _c, url, _k in link_posts:
        profile, path = ch.from_link(url, platform)
        if profile.referrer_type == "campaign":  # the click comes through the link shim
            profile = profile._replace(referrer_url=ch.LINK_REFERRERS.get(platform, ""))
        post_prof.append(profiles.add(profile))
        post_path.append(path)
        post_query.append(urlsplit(url).query)
    pick = lambda values, dtype=object: np.array(values, dtype=dtype)[rows]  # noqa: E731
    return {
        "utc": utc,
        "prof": pick(post_prof, np.int64),
        "landing": pick(post_path),
        "query": pick(post_query),
        "post": pick([r[0] for r in link_posts]),
        "platform": pick([r[1] for r in link_posts]),
        "kind": np.full(rows.size, "post", dtype=object),
    }


def _clock(base: dict, posts: dict, tz: ZoneInfo, spec: Any) -> dict[str, np.ndarray]:
    """Local day / second of day and UTC start of every visit (base traffic + post clicks)."""
    start = datetime.combine(spec.start, datetime.min.time())
    local = base["day"] * 86400 + base["secs"]
    utc = local - _tz_offsets(tz, start, local // 3600, local=True)
    if posts:
        post_local = posts["utc"] + _tz_offsets(tz, start, posts["utc"] // 3600, local=False)
        keep = (post_local >= 0) & (post_local < spec.span * 86400)
        posts = {k: v[keep] for k, v in posts.items()}
        local = np.concatenate([local, post_local[keep]])
        utc = np.concatenate([utc, posts["utc"]])
    out = {k: base[k] for k in ("prof", "landing", "query", "post", "platform", "kind")}
    if posts:
        out = {k: np.concatenate([out[k], posts[k]]) for k in out}
    out.update(day=local // 86400, secs=local % 86400, utc=utc)
    return out


def _visitors(v: dict, site: MatomoSite | None, salt: int, rng: Any, per_slot: int) -> None:
    """Visitor slots (returns within 30 days), banner answers, cookie tracking, logins."""
    n = v["day"].size
    slot = v["day"] * per_slot + rng.integers(0, RETURN_WINDOW_DAYS * per_slot, n)
    u = _unit(slot, salt)
    consent = np.full(n, None, dtype=object)
    value = np.full(n, None, dtype=object)
    if site is not None and site.consent_dimension:
        consent[u < CONSENT_SHARE] = "granted"
        consent[(u >= CONSENT_SHARE) & (u < CONSENT_SHARE + DENIED_SHARE)] = "denied"
        for state in ("granted", "denied"):
            value[consent == state] = site.banner_value(state)
        cookie = consent == "granted"
    else:
        cookie = np.ones(n, dtype=bool)
    member = cookie & (_unit(slot, salt + 1) < MEMBER_SHARE)
    order = np.lexsort((v["secs"], v["day"], slot))
    first_of_slot = np.r_[True, slot[order][1:] != slot[order][:-1]]
    group_start = np.maximum.accumulate(np.where(first_of_slot, np.arange(n), 0))
    visit_count = np.empty(n, dtype=np.int64)
    visit_count[order] = np.arange(n) - group_start + 1
    v.update(slot=slot, consent=consent, consent_value=value, cookie=cookie)
    v.update(user=np.where(member & (rng.random(n) < 0.6), slot, -1), visit_count=visit_count)


def _brand_visits(con: Any, brand: Any, spec: Any, site: MatomoSite | None) -> dict:
    """Visits of one brand (arrays), before global ids are assigned."""
    rng = np.random.default_rng(_seed(spec.seed, "web", brand.brand_id))
    start = datetime.combine(spec.start, datetime.min.time())
    profiles = _Profiles()
    base = _base_traffic(rng, _running(con, brand.brand_id, spec), spec, profiles)
    posts = _post_clicks(con, rng, brand.brand_id, spec, profiles)
    v = _clock(base, posts, ZoneInfo(brand.timezone or "UTC"), spec)
    per_slot = max(1, int(base["day"].size / spec.span / 1.5))
    _visitors(v, site, _seed(spec.seed, brand.brand_id, "visitor"), rng, per_slot)
    _behaviour(v, rng)
    started = np.datetime64(start) + v["utc"].astype("timedelta64[s]")
    v.update(
        started_at=started,
        ended_at=started + v["duration"].astype("timedelta64[s]"),
        day_end=started + (86399 - v["secs"]).astype("timedelta64[s]"),
        visit_date=np.datetime64(spec.start) + v["day"].astype("timedelta64[D]"),
        profiles=np.array(profiles.items, dtype=object),
    )
    return v


def _behaviour(v: dict, rng: Any) -> None:
    """Pageviews, duration (ends before local midnight), engagement and conversions."""
    n, secs = v["day"].size, v["secs"]
    pageviews = np.minimum(rng.geometric(0.45, n), 12)
    duration = np.where(
        pageviews == 1,
        np.where(rng.random(n) < 0.55, 0, rng.integers(5, 120, n)),
        (pageviews * rng.exponential(50, n)).astype(np.int64) + 10,
    )
    base = np.array([CONVERSION_BASE[k] for k in v["kind"]])
    p = base * (1 + 0.6 * np.minimum(v["visit_count"] - 1, 4))
    has_order = rng.random(n) < p * 0.6
    has_news = rng.random(n) < p * 0.5
    has_contact = rng.random(n) < p * 0.2
    converted = has_order | has_news | has_contact
    pageviews = np.where(has_order, np.maximum(pageviews, 3), pageviews)
    duration = np.where(converted, np.maximum(duration, 90), duration)
    duration = np.minimum(duration, 86399 - secs)  # Matomo: a new visit at local midnight
    v.update(
        pageviews=pageviews,
        duration=duration,
        engaged=(duration >= 10) | (pageviews >= 2) | converted,
        device=DEVICES[rng.choice(3, n, p=[0.45, 0.48, 0.07])],
        ga4_lag=rng.choice(GA4_LAG[0], n, p=GA4_LAG[1]),
        key_events=has_order.astype(int) + has_news + has_contact,
        revenue=np.where(has_order, np.round(rng.lognormal(np.log(55), 0.5, n), 2), 0.0),
        items=np.where(has_order, rng.geometric(0.6, n), 0),
        order=has_order,
        news=has_news,
        contact=has_contact,
        conv_offset=np.maximum((duration * rng.uniform(0.5, 1.0, n)).astype(np.int64) - 2, 0),
    )


def _hex_ids(slots: np.ndarray, salt: str) -> np.ndarray:
    uniq, inv = np.unique(slots, return_inverse=True)
    ids = [hashlib.blake2b(f"{salt}:{s}".encode(), digest_size=8).hexdigest() for s in uniq]
    return np.array(ids, dtype=object)[inv]


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write web_sites, web_visits, web_conversions; visit ids follow start time."""
    brands = [b for b in registry.brands if b.ids("ga4") or b.ids("matomo")]
    mt = {b.brand_id: matomo_site(b) if b.ids("matomo") else None for b in brands}
    sites = {
        "brand_id": [b.brand_id for b in brands],
        "site": [b.site for b in brands],
        "timezone": [b.timezone for b in brands],
        "ga4_property_id": [(b.ids("ga4") or (None,))[0] for b in brands],
        "matomo_site_id": [(b.ids("matomo") or (None,))[0] for b in brands],
        "currency": ["GBP" if b.timezone == "Europe/London" else "EUR" for b in brands],
        "matomo_consent_dimension": [m and m.consent_dimension for m in mt.values()],
        "matomo_campaign_plugin": [bool(m and m.campaign_plugin) for m in mt.values()],
    }
    writer.insert("web_sites", sites)
    for i, brand in enumerate(brands):  # one brand in memory at a time (staging.py)
        v = _brand_visits(writer.con, brand, spec, mt[brand.brand_id])
        n = staging.stage(writer.con, _stage_columns(v, i, brand.brand_id, spec.seed))
        say(f"    {brand.brand_id}: {n} visits")
    visits, conversions = staging.finish(writer.con, spec.seed)
    return {"sites": len(brands), "visits": visits, "conversions": conversions}


def _stage_columns(v: dict, brand_no: int, brand_id: str, seed: int) -> dict[str, np.ndarray]:
    """One brand's visits as ``_web_stage`` columns: profiles spelt out, visitor and user ids."""
    n, cookie = v["day"].size, v["cookie"]
    visitor = _hex_ids(v["slot"], f"{seed}:{brand_id}")
    users = [None if u < 0 else f"cust-{brand_no + 1}{u:07d}" for u in v["user"].tolist()]
    profiles = v["profiles"]
    return {
        "brand_no": np.full(n, brand_no),
        "seq": np.arange(n),
        "cookie": cookie,
        "brand_id": np.full(n, brand_id, dtype=object),
        "visitor_slot": v["slot"],
        "visitor_id": np.where(cookie, visitor, None),
        "user_id": np.array(users, dtype=object),
        "consent": v["consent"],
        "consent_value": v["consent_value"],
        "visit_count": np.where(cookie, v["visit_count"], 1),
        "started_at": v["started_at"],
        "ended_at": v["ended_at"],
        "visit_date": v["visit_date"],
        **{
            name: np.array([p[f] for p in profiles], dtype=object)[v["prof"]]
            for f, name in enumerate(ch.Profile._fields)
        },
        "landing_page": v["landing"],
        "landing_query": v["query"],
        "post_id": v["post"],
        "post_platform": v["platform"],
        "pageviews": v["pageviews"],
        "duration_s": v["duration"],
        "engaged": v["engaged"],
        "device_type": v["device"],
        "ga4_lag": v["ga4_lag"],
        "key_events": v["key_events"],
        "revenue": v["revenue"],
        "has_order": v["order"],
        "has_news": v["news"],
        "has_contact": v["contact"],
        "conv_offset": v["conv_offset"],
        "day_end": v["day_end"],
        "items": v["items"],
    }
