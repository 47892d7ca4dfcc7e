"""The fields Matomo's plugins add to a Live visit, derived from the visits world.

``Live.getLastVisitsDetails`` builds a visit from every active plugin's
``VisitorDetails::extendVisitorDetails`` (matomo-org/matomo 5.x, read at f09912cb70:
https://github.com/matomo-org/matomo/tree/5.x-dev/plugins, files ``plugins/*/VisitorDetails.php``;
an example answer: ``plugins/Ecommerce/tests/System/expected/
test_ecommerceOrderWithItems_LiveEcommerceStatusOrdered__Live.getLastVisitsDetails_day.xml``).
``api.py`` serves the ids, times, referrer and actions; this module the rest, per plugin.

The world has no device, location or language: they are drawn per *person* (the world's
``visitor_slot``), so one person keeps one city, language and set of devices across visits,
cookie-tracked or not (as a real browser would). Visitor history (first / previous visit, orders)
comes from the world's visits of the same ``visitorId``: a cookieless visit has none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

DAY_S = 86400
ICONS = "plugins/Morpheus/icons/dist"
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
REFERRER_TYPE_NAMES = {  # plugins/Referrers/functions.php::getReferrerTypeLabel (English)
    "direct": "Direct Entry",
    "search": "Search Engines",
    "social": "Social Networks",
    "website": "Websites",
    "campaign": "Campaigns",
}
SEARCH_ENGINE_HOSTS = {  # SearchEngine::getUrlFromName: 'http://' + the engine's first host
    "Google": "google.com",
    "Bing": "bing.com",
    "DuckDuckGo": "duckduckgo.com",
    "Qwant": "qwant.com",
}
SOCIAL_HOSTS = {"Facebook": "facebook.com", "Instagram": "instagram.com"}
SOCIAL_HOSTS |= {"LinkedIn": "linkedin.com", "Twitter": "twitter.com"}
ENGINES = {  # DevicesDetection/functions.php::getBrowserEngineName
    "Blink": "Blink (Chrome, Opera)",
    "WebKit": "WebKit (Safari)",
    "Gecko": "Gecko (Firefox)",
}


class Place(NamedTuple):
    """A GeoIP2 answer (plugins/GeoIp2: region = ISO 3166-2 subdivision, isoRegionNames.php)."""

    country: str  # ISO code, lower-case as Matomo stores it
    country_name: str
    region: str | None
    region_name: str | None
    city: str | None
    latitude: str | None  # DECIMAL(9,6) in log_visit: a string in the answer
    longitude: str | None
    timezone: str  # the device clock's zone (visitLocalTime)
    language: str  # Accept-Language reduced to "lang-region" (Common::extractLanguage...)


def _city(cc: str, name: str, region: str, region_name: str, lat: float, lon: float) -> Place:
    tz = {"fr": "Europe/Paris", "gb": "Europe/London"}[cc]
    lang = {"fr": "fr-fr", "gb": "en-gb"}[cc]
    country = {"fr": "France", "gb": "United Kingdom"}[cc]
    return Place(cc, country, region, region_name, name, f"{lat:.6f}", f"{lon:.6f}", tz, lang)


HOME_PLACES = {  # the site's country: cities weighted by rough audience
    "Europe/Paris": [
        *[_city("fr", "Paris", "IDF", "Île-de-France", 48.8566, 2.3522)] * 4,
        _city("fr", "Lyon", "ARA", "Auvergne-Rhône-Alpes", 45.7640, 4.8357),
        _city("fr", "Marseille", "PAC", "Provence-Alpes-Côte-d’Azur", 43.2965, 5.3698),
        _city("fr", "Bordeaux", "NAQ", "Nouvelle-Aquitaine", 44.8378, -0.5792),
        _city("fr", "Toulouse", "OCC", "Occitanie", 43.6047, 1.4442),
        _city("fr", "Lille", "HDF", "Hauts-de-France", 50.6292, 3.0573),
        _city("fr", "Nantes", "PDL", "Pays-de-la-Loire", 47.2184, -1.5536),
    ],
    "Europe/London": [
        *[_city("gb", "London", "ENG", "England", 51.5074, -0.1278)] * 4,
        _city("gb", "Manchester", "MAN", "Manchester", 53.4808, -2.2426),
        _city("gb", "Birmingham", "BIR", "Birmingham", 52.4862, -1.8904),
        _city("gb", "Leeds", "LDS", "Leeds", 53.8008, -1.5491),
        _city("gb", "Glasgow", "GLG", "Glasgow City", 55.8642, -4.2518),
        _city("gb", "Bristol", "BST", "Bristol, City of", 51.4545, -2.5879),
    ],
}
ABROAD = {  # visitors from elsewhere: GeoIP knows the country only (no city, no coordinates)
    "Europe/Paris": [
        Place("be", "Belgium", None, None, None, None, None, "Europe/Brussels", "fr-be"),
        Place("ch", "Switzerland", None, None, None, None, None, "Europe/Zurich", "fr-ch"),
    ],
    "Europe/London": [
        Place("ie", "Ireland", None, None, None, None, None, "Europe/Dublin", "en-ie"),
        Place("us", "United States", None, None, None, None, None, "America/New_York", "en-us"),
    ],
}
UNKNOWN_PLACE = Place("xx", "Unknown", None, None, None, None, None, "UTC", "")
CONTINENTS = {"us": ("North America", "amn"), "xx": ("Unknown", "unk")}
IP_FIRST_OCTETS = {"fr": (78, 86, 90, 92, 109, 176), "gb": (81, 86, 90, 151, 188)}


class Device(NamedTuple):
    os: str
    os_version: str
    os_name: str
    browser: str
    browser_name: str
    browser_version: str
    engine: str
    brand: str
    model: str


PC = "Generic Desktop"  # DeviceDetector's model of a desktop (see the example answer above)
IOS = ("IOS", "18.1", "iOS", "MF", "Mobile Safari", "18.1", "WebKit", "Apple")
ANDROID = ("AND", "14", "Android", "CM", "Chrome Mobile", "131.0", "Blink", "Samsung")
DEVICES = {  # DeviceDetector codes and names (DevicesDetection/functions.php)
    "Desktop": [
        Device("WIN", "10", "Windows", "CH", "Chrome", "131.0", "Blink", "Unknown", PC),
        Device("WIN", "10", "Windows", "PS", "Microsoft Edge", "131.0", "Blink", "Unknown", PC),
        Device("WIN", "10", "Windows", "FF", "Firefox", "133.0", "Gecko", "Unknown", PC),
        Device("MAC", "10.15", "Mac", "SF", "Safari", "18.1", "WebKit", "Apple", PC),
    ],
    "Smartphone": [Device(*IOS, "iPhone"), Device(*ANDROID, "Galaxy S23")],
    "Tablet": [Device(*IOS, "iPad"), Device(*ANDROID, "Galaxy Tab S9")],
}
RESOLUTIONS = {
    "Desktop": ("1920x1080", "1536x864", "2560x1440", "1366x768"),
    "Smartphone": ("390x844", "393x852", "412x915"),
    "Tablet": ("810x1080", "820x1180", "800x1280"),
}


@dataclass
class History:
    """What Matomo knows of a visitor when it serves one of its visits."""

    starts: list[datetime]  # starts of the visitor's visits recorded by now
    order_starts: list[datetime]  # starts of those with an ecommerce order
    orders: int = 0
    revenue: float = 0.0
    items: int = 0


def histories(cur: Any, brand_id: str, visitor_ids: list[str], now: datetime) -> dict[str, History]:
    """Per visitorId of a page: its visits and orders in the world up to now (one query).

    Ecommerce's lifetime totals count every order of the visitorId recorded by now, later
    visits included (``Ecommerce\\VisitorDetails::queryEcommerceConversionsVisitorLifeTime...``).
    """
    out: dict[str, History] = {}
    known = "FILTER (WHERE converted_at <= $now)"  # orders recorded by now
    rows = cur.execute(  # web_visitor_history: sandbox/vendors/web/staging.py
        f"SELECT visitor_id, started_at, count(converted_at) {known}, "
        f"coalesce(sum(revenue) {known}, 0), coalesce(sum(items) {known}, 0) "
        "FROM web_visitor_history WHERE brand_id = $brand AND visitor_id = ANY($ids) "
        "AND started_at <= $now GROUP BY visitor_id, visit_id, started_at",
        {"now": now, "brand": brand_id, "ids": sorted(set(visitor_ids))},
    ).fetchall()
    for visitor, started, orders, revenue, items in rows:
        h = out.setdefault(visitor, History([], []))
        h.starts.append(started)
        if orders:
            h.order_starts.append(started)
        h.orders, h.items = h.orders + orders, h.items + items
        h.revenue += float(revenue)
    return out


def _draw(*key: Any) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, key)).encode()).digest()[:8], "big")


def _pick(options: Any, *key: Any) -> Any:
    return options[_draw(*key) % len(options)]


def place_of(brand_id: str, slot: int, timezone: str) -> Place:
    """Where a person is: 90 % in the site's country (by city), 10 % abroad."""
    if timezone not in HOME_PLACES:
        return UNKNOWN_PLACE
    if _draw(brand_id, slot, "abroad") % 10 == 0:
        return _pick(ABROAD[timezone], brand_id, slot, "country")
    return _pick(HOME_PLACES[timezone], brand_id, slot, "city")


def plugin_fields(
    v: dict[str, Any], brand: tuple, convs: list[tuple], history: History, cookie: bool
) -> dict[str, Any]:
    """Every plugin's fields of one visit (``v``: a ``web_visits`` row; ``brand``: the site)."""
    person = (brand[0], v["visitor_slot"])
    place = place_of(*person, brand[3])
    device = _pick(DEVICES[v["device_type"]], *person, v["device_type"])
    out = live_fields(v, brand, place)
    out |= core_home(v, convs, history)
    out |= {"searches": 0, "actions": int(v["pageviews"]), "interactions": int(v["pageviews"])}
    out |= {"events": 0}  # the world's sites track neither site search nor events
    out |= language(place) | devices(v["device_type"], device) | ecommerce(history)
    out |= location(place) | visit_time(v, place) | interest(v, history)
    out["resolution"] = _pick(RESOLUTIONS[v["device_type"]], *person, v["device_type"])
    out |= device_plugins(v["device_type"], cookie)
    return out


def live_fields(v: dict[str, Any], brand: tuple, place: Place) -> dict[str, Any]:
    """``Live\\VisitorDetails``: IP (anonymised), fingerprint, server times, site."""
    tz = ZoneInfo(brand[3])
    first = v["started_at"].replace(tzinfo=UTC).astimezone(tz)
    last = v["ended_at"].replace(tzinfo=UTC).astimezone(tz)
    octets = IP_FIRST_OCTETS.get(place.country, (37, 84, 185))
    return {
        # PrivacyManager defaults (ipAnonymizerEnabled, ipAddressMaskLength 2): two bytes masked
        "visitIp": f"{_pick(octets, brand[0], v['visitor_slot'], 'ip')}."
        f"{_draw(brand[0], v['visitor_slot'], 'ip2') % 256}.0.0",
        # bin2hex(config_id): a hash of the device's configuration and IP, salted per day
        # (core/Tracker/Settings.php::getConfigId): it links a person's visits of a day,
        # cookieless ones included
        "fingerprint": hashlib.blake2b(
            f"config:{brand[0]}:{v['visitor_slot']}:{v['device_type']}:{last.date()}".encode(),
            digest_size=8,
        ).hexdigest(),
        "siteCurrencySymbol": CURRENCY_SYMBOLS.get(brand[2], brand[2]),
        "siteName": brand[1],
        "visitServerHour": str(v["ended_at"].hour),  # date('G'): UTC, a string
        "lastActionDateTime": v["ended_at"].strftime("%Y-%m-%d %H:%M:%S"),
        "serverTimePretty": _pretty_time(last),  # the site's zone, English locale
        "serverDatePretty": _pretty_date(last),
        "serverDatePrettyFirstAction": _pretty_date(first),
        "serverTimePrettyFirstAction": _pretty_time(first),
    }


def _pretty_time(at: datetime) -> str:
    return f"{at.hour % 12 or 12}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'}"


def _pretty_date(at: datetime) -> str:
    return f"{at:%A}, {at:%B} {at.day}, {at.year}"


def pretty_duration(seconds: int) -> str:
    """``Formatter::getPrettyTimeFromSeconds($s, true)`` in English ("6 min 3s")."""
    if seconds >= DAY_S:
        return f"{seconds // DAY_S} days {seconds % DAY_S // 3600} hours"
    if seconds >= 3600:
        return f"{seconds // 3600} hours {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60}s"
    return f"{seconds}s"


def core_home(v: dict[str, Any], convs: list[tuple], history: History) -> dict[str, Any]:
    """``CoreHome\\VisitorDetails`` (columns in ``plugins/CoreHome/Columns/``).

    Seconds since first / last visit are counted from the visits' starts
    (``VisitorSecondsSinceFirst``, ``VisitorInterest\\...\\VisitorSecondsSinceLast``); since the
    last order: 0 in a visit with an order, else from the start of the last earlier visit with
    one (``VisitorSecondsSinceOrder`` adds up visit starts), null without; days = floor(s / 86400)
    (null -> 0, PHP). ``returningCustomer``: the visitor ordered in an earlier visit.
    """
    start, count = v["started_at"], int(v["visit_count"])
    ordered = any(c[1] == "ecommerceOrder" for c in convs)
    earlier_orders = [s for s in history.order_starts if s < start]
    since_order = 0 if ordered else _seconds(start, max(earlier_orders, default=None))
    earlier = [s for s in history.starts if s < start] if count > 1 else []
    since_first = _seconds(start, min(earlier, default=None)) or 0
    kind = "returningCustomer" if earlier_orders else "returning" if count > 1 else "new"
    return {
        "visitorType": kind,
        "visitorTypeIcon": None if kind == "new" else "plugins/Live/images/returningVisitor.png",
        "visitConvertedIcon": "plugins/Morpheus/images/goal.svg" if convs else None,
        "visitEcommerceStatus": "ordered" if ordered else "none",
        "visitEcommerceStatusIcon": "plugins/Morpheus/images/ecommerceOrder.svg"
        if ordered
        else None,
        "daysSinceFirstVisit": since_first // DAY_S,
        "secondsSinceFirstVisit": since_first,
        "daysSinceLastEcommerceOrder": (since_order or 0) // DAY_S,
        "secondsSinceLastEcommerceOrder": since_order,
        "visitDurationPretty": pretty_duration(int(v["duration_s"])),
    }


def _seconds(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else int((now - then).total_seconds())


def interest(v: dict[str, Any], history: History) -> dict[str, Any]:
    """``VisitorInterest\\VisitorDetails``: since the start of the visitor's previous visit."""
    start = v["started_at"]
    earlier = [s for s in history.starts if s < start] if v["visit_count"] > 1 else []
    seconds = _seconds(start, max(earlier, default=None)) or 0
    return {"daysSinceLastVisit": seconds // DAY_S, "secondsSinceLastVisit": seconds}


def language(place: Place) -> dict[str, Any]:
    """``UserLanguage``: ``languageTranslate('fr-fr')`` finds no name for a region code."""
    code = place.language
    return {"languageCode": code, "language": f"Language code {code}" if code else "Unknown"}


def devices(device_type: str, d: Device) -> dict[str, Any]:
    """``DevicesDetection\\VisitorDetails``."""
    return {
        "deviceTypeIcon": f"{ICONS}/devices/{device_type.lower()}.png",
        "deviceBrand": d.brand,
        "deviceModel": d.model,
        "operatingSystem": f"{d.os_name} {d.os_version}",
        "operatingSystemName": d.os_name,
        "operatingSystemIcon": f"{ICONS}/os/{d.os}.png",
        "operatingSystemCode": d.os,
        "operatingSystemVersion": d.os_version,
        "browserFamily": d.engine,
        "browserFamilyDescription": ENGINES[d.engine],
        "browser": f"{d.browser_name} {d.browser_version}",
        "browserName": d.browser_name,
        "browserIcon": f"{ICONS}/browsers/{d.browser}.png",
        "browserCode": d.browser,
        "browserVersion": d.browser_version,
    }


def ecommerce(h: History) -> dict[str, Any]:
    """``Ecommerce\\VisitorDetails`` (ecommerce sites): the visitorId's lifetime orders."""
    return {
        "totalEcommerceRevenue": round(h.revenue, 2),
        "totalEcommerceConversions": h.orders,
        "totalEcommerceItems": h.items,
        "totalAbandonedCartsRevenue": 0,  # the world has no abandoned carts
        "totalAbandonedCarts": 0,
        "totalAbandonedCartsItems": 0,
    }


def location(p: Place) -> dict[str, Any]:
    """``UserCountry\\VisitorDetails``; ``location`` = city, region, country."""
    continent, code = CONTINENTS.get(p.country, ("Europe", "eur"))
    return {
        "continent": continent,
        "continentCode": code,
        "country": p.country_name,
        "countryCode": p.country,
        "countryFlag": f"{ICONS}/flags/{p.country}.png",
        "region": p.region_name,
        "regionCode": p.region,
        "city": p.city,
        "location": ", ".join(x for x in (p.city, p.region_name, p.country_name) if x),
        "latitude": p.latitude,
        "longitude": p.longitude,
    }


def visit_time(v: dict[str, Any], place: Place) -> dict[str, Any]:
    """``VisitTime``: the device clock at the first request (``H:i:s``), its hour a string."""
    local = v["started_at"].replace(tzinfo=UTC).astimezone(ZoneInfo(place.timezone))
    return {"visitLocalTime": f"{local:%H:%M:%S}", "visitLocalHour": str(local.hour)}


def device_plugins(device_type: str, cookie: bool) -> dict[str, Any]:
    """``DevicePlugins``: ``cookie`` only when the tracker may set cookies (piwik.js sends
    ``cookie=0`` once cookies are disabled), ``pdf`` where the browser shows PDFs."""
    names = (["cookie"] if cookie else []) + (["pdf"] if device_type == "Desktop" else [])
    icons = [{"pluginIcon": f"{ICONS}/plugins/{n}.png", "pluginName": n} for n in names]
    return {"plugins": ", ".join(names), "pluginsIcons": icons or None}


def referrer_labels(ref: dict[str, Any]) -> dict[str, Any]:
    """``Referrers\\VisitorDetails``: the labels, URLs and icons beside type / name / keyword."""
    kind, name = ref.get("referrerType", ""), ref.get("referrerName") or ""
    engine = SEARCH_ENGINE_HOSTS.get(name) if kind == "search" else None
    social = SOCIAL_HOSTS.get(name) if kind == "social" else None
    return {
        "referrerTypeName": REFERRER_TYPE_NAMES.get(kind, "Others"),
        "referrerKeywordPosition": None,
        "referrerSearchEngineUrl": f"http://{engine}" if engine else None,
        "referrerSearchEngineIcon": f"{ICONS}/searchEngines/{engine}.png" if engine else None,
        "referrerSocialNetworkUrl": social,
        "referrerSocialNetworkIcon": f"{ICONS}/socials/{social}.png" if social else None,
    }
