"""Google Search Console's part of the world: each brand site's search clicks and impressions
per day x page x query x country x device, generated from the site's own random stream.

The site is the brand registry's ``site`` as a URL-prefix property (``https://<site>/``); the
pages are the site's landing pages (``sandbox.vendors.web.world.LANDING``), so the rows are
keyed by the very URLs the social posts link to (their ``link_url`` without the query string).
A Meta post linking to a page lifts that page's impressions for a week after it: the
``search_lift`` column says by how much, so the SXO mart has a ground truth to find.

Each row is stored once with its final values; what the API shows at a given now (final or
fresh partial data, the 16-month history) is ``sandbox.vendors.search_console.rows``. Rows of
rare queries are ``anonymized``: Google hides their query text, so they are missing from any
report grouped by query but counted in reports grouped by page, date, country or device
(https://support.google.com/webmasters/answer/7576553, "Anonymized queries").

Dates are Pacific days (America/Los_Angeles), as the API reports them
(https://developers.google.com/webmaster-tools/v1/searchanalytics/query, startDate).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from sandbox.vendors.web.world import LANDING
from sandbox.world.entities import brand_lang

DDL = """
CREATE TABLE search_sites (site_url VARCHAR PRIMARY KEY, brand_id VARCHAR, site VARCHAR);
CREATE TABLE search_rows (site_url VARCHAR, brand_id VARCHAR, date DATE, page VARCHAR,
    query VARCHAR, anonymized BOOLEAN, country VARCHAR, device VARCHAR, clicks INTEGER,
    impressions INTEGER, position DOUBLE, final_lag INTEGER, search_lift DOUBLE);
"""
TABLE_KEYS = {
    "search_sites": "site_url",
    "search_rows": "site_url, date, page, query, country, device, anonymized",
}
# Country keys are ISO 3166-1 alpha-3, lower case, as the API returns them ("fra").
COUNTRIES = {
    "fr": {"fra": 0.72, "bel": 0.12, "che": 0.08, "can": 0.05, "usa": 0.03},
    "en": {"gbr": 0.76, "usa": 0.1, "irl": 0.08, "aus": 0.06},
}
DEVICES = {"MOBILE": 0.6, "DESKTOP": 0.35, "TABLET": 0.05}  # the API's device keys
QUERIES = {  # per landing page: what people type, ``{name}`` the brand's name as typed
    "fr": {
        "/": ["{name}", "{name} site officiel"],
        "/boutique": ["{name} boutique en ligne", "acheter {name}"],
        "/blog": ["{name} blog", "conseils {name}"],
        "/atelier": ["atelier {name}", "{name} fabrication france"],
        "/nouveautes": ["{name} nouvelle collection", "nouveautes {name}"],
        "/offres": ["{name} promo", "code promo {name}", "soldes {name}"],
        "/contact": ["{name} contact", "{name} horaires"],
    },
    "en": {
        "/": ["{name}", "{name} official site"],
        "/boutique": ["{name} shop", "buy {name} online"],
        "/blog": ["{name} blog", "{name} brewing guide"],
        "/atelier": ["{name} roastery", "{name} workshop"],
        "/nouveautes": ["{name} new arrivals", "{name} new range"],
        "/offres": ["{name} discount code", "{name} offers", "{name} sale"],
        "/contact": ["{name} contact", "{name} opening hours"],
    },
}
ANONYMIZED_MEAN = 3.0  # impressions per page, day, country and device from hidden queries
LIFT_PER_POST = 0.25  # each post linking to a page in the last 7 days adds 25 % impressions
LIFT_DAYS = 7


def site_url(site: str) -> str:
    """The URL-prefix property of a brand site: ``https://www.example.com/``."""
    return f"https://{site.strip('/')}/"


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _typed(name: str) -> str:
    """A brand name as people type it: lower case, no accents."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower()


def _lifts(con: Any, site: str, first: date, days: int) -> dict[str, np.ndarray]:
    """Per page, the impressions multiplier of each day: 1 + 25 % per Meta post that linked to
    the page in the 7 days before (posts are generated before: order 0)."""
    out = {path: np.ones(days) for path in LANDING}
    links = con.execute(
        "SELECT link_url, created_time FROM posts WHERE link_url ILIKE ?", [f"https://{site}/%"]
    ).fetchall()
    for url, created in links:
        path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        if path not in out:
            continue
        start = (created.date() - first).days + 1
        for d in range(max(0, start), min(days, start + LIFT_DAYS)):
            out[path][d] += LIFT_PER_POST
    return out


def _site_rows(con: Any, brand: Any, spec: Any) -> dict[str, list[Any]]:
    """Every row of one site, drawn from its own stream (seed + site)."""
    url, lang = site_url(brand.site), brand_lang(brand)
    rng = np.random.default_rng(_seed(f"{spec.seed}:search:{url}"))
    days, first = spec.span, spec.start
    lifts = _lifts(con, brand.site.strip("/"), first, days)
    combos = [(c, d, cs * ds) for c, cs in COUNTRIES[lang].items() for d, ds in DEVICES.items()]
    share = np.array([s for _c, _d, s in combos])
    weekday = np.array([1.0 if (first + timedelta(d)).weekday() < 5 else 0.8 for d in range(days)])
    final_lag = rng.integers(2, 4, days)  # final data 2 or 3 days after the day
    cols: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
    for path in LANDING:
        page = url + path.lstrip("/")
        queries = [(q.format(name=_typed(brand.name)), False) for q in QUERIES[lang][path]]
        for query, hidden in [*queries, (None, True)]:
            popularity = ANONYMIZED_MEAN if hidden else rng.uniform(8, 60)
            base = rng.uniform(1.5, 18.0)
            scale = popularity / (1.0 if hidden else share.max())
            mean = scale * np.outer(weekday * lifts[path], share)
            impressions = rng.poisson(mean)
            position = np.clip(base + rng.normal(0, 0.8, impressions.shape), 1.0, 100.0).round(1)
            ctr = np.clip(0.32 / position**0.9, 0.002, 0.6)
            clicks = rng.binomial(impressions, ctr)
            for d, k in zip(*np.nonzero(impressions), strict=True):
                country, device, _s = combos[k]
                _add(cols, url, brand.brand_id, first + timedelta(int(d)), page, query, hidden)
                cols["country"].append(country)
                cols["device"].append(device)
                cols["clicks"].append(int(clicks[d, k]))
                cols["impressions"].append(int(impressions[d, k]))
                cols["position"].append(float(position[d, k]))
                cols["final_lag"].append(int(final_lag[d]))
                cols["search_lift"].append(float(lifts[path][d]))
    return cols


_COLUMNS = ("site_url", "brand_id", "date", "page", "query", "anonymized", "country", "device",
            "clicks", "impressions", "position", "final_lag", "search_lift")  # fmt: skip


def _add(cols: dict, url: str, brand: str, day: date, page: str, query: Any, hidden: bool):
    for name, value in zip(_COLUMNS[:6], (url, brand, day, page, query, hidden), strict=True):
        cols[name].append(value)


def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
    """Write search_sites and search_rows for every brand with a site."""
    brands = [b for b in registry.brands if b.site]
    writer.insert(
        "search_sites",
        {
            "site_url": [site_url(b.site) for b in brands],
            "brand_id": [b.brand_id for b in brands],
            "site": [b.site for b in brands],
        },
    )
    total = 0
    for brand in brands:
        n = writer.insert("search_rows", _site_rows(writer.con, brand, spec))
        say(f"    {brand.brand_id}: {n} search rows")
        total += n
    return {"sites": len(brands), "rows": total}


def pacific_today(now: datetime) -> date:
    """The API's today: the Pacific calendar day at ``now`` (naive UTC)."""
    from zoneinfo import ZoneInfo

    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/Los_Angeles")).date()
