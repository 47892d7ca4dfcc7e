"""Every field of a real Matomo Live visit: served by the sandbox, reviewed by the source.

Oracles: the field names below, written by hand from matomo-org/matomo 5.x
``plugins/*/VisitorDetails.php`` (read at f09912cb70) and its expected answer
``plugins/Ecommerce/tests/System/expected/test_ecommerceOrderWithItems_LiveEcommerceStatusOrdered
__Live.getLastVisitsDetails_day.xml``; the world tables read directly (visitor history, orders,
devices); the sandbox's answers for what the source must load or must not hold. Never the
sandbox's or the source's own constants.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.matomo.helpers import redact
from sandbox.vendors.matomo.visit_fields import pretty_duration
from tests.sources.support import (
    TODAY,
    Sandbox,
    keyed_hash,
    load_source,
    patched_json,
    query,
    world_rows,
)

TOKEN = "sandbox-matomo-token"
# One set per plugin, in the order of each extendVisitorDetails.
LIVE = {"idSite", "idVisit", "visitIp", "visitorId", "fingerprint", "actionDetails"}
LIVE |= {"goalConversions", "siteCurrency", "siteCurrencySymbol", "serverDate"}
LIVE |= {"visitServerHour", "lastActionTimestamp", "lastActionDateTime", "siteName"}
LIVE |= {"serverTimestamp", "firstActionTimestamp", "serverTimePretty", "serverDatePretty"}
LIVE |= {"serverDatePrettyFirstAction", "serverTimePrettyFirstAction"}
CORE_HOME = {"userId", "visitorType", "visitorTypeIcon", "visitConverted", "visitConvertedIcon"}
CORE_HOME |= {"visitCount", "visitEcommerceStatus", "visitEcommerceStatusIcon"}
CORE_HOME |= {"daysSinceFirstVisit", "secondsSinceFirstVisit", "daysSinceLastEcommerceOrder"}
CORE_HOME |= {"secondsSinceLastEcommerceOrder", "visitDuration", "visitDurationPretty"}
ACTIONS = {"searches", "actions", "interactions"}
REFERRERS = {"referrerType", "referrerTypeName", "referrerName", "referrerKeyword"}
REFERRERS |= {"referrerKeywordPosition", "referrerUrl", "referrerSearchEngineUrl"}
REFERRERS |= {"referrerSearchEngineIcon", "referrerSocialNetworkUrl", "referrerSocialNetworkIcon"}
USER_LANGUAGE = {"languageCode", "language"}
DEVICES = {"deviceType", "deviceTypeIcon", "deviceBrand", "deviceModel", "operatingSystem"}
DEVICES |= {"operatingSystemName", "operatingSystemIcon", "operatingSystemCode"}
DEVICES |= {"operatingSystemVersion", "browserFamily", "browserFamilyDescription", "browser"}
DEVICES |= {"browserName", "browserIcon", "browserCode", "browserVersion"}
ECOMMERCE = {"totalEcommerceRevenue", "totalEcommerceConversions", "totalEcommerceItems"}
ECOMMERCE |= {"totalAbandonedCartsRevenue", "totalAbandonedCarts", "totalAbandonedCartsItems"}
EVENTS = {"events"}
USER_COUNTRY = {"continent", "continentCode", "country", "countryCode", "countryFlag", "region"}
USER_COUNTRY |= {"regionCode", "city", "location", "latitude", "longitude"}
VISIT_TIME = {"visitLocalTime", "visitLocalHour"}
VISITOR_INTEREST = {"daysSinceLastVisit", "secondsSinceLastVisit"}
RESOLUTION_AND_PLUGINS = {"resolution", "plugins", "pluginsIcons"}
STOCK_VISIT = LIVE | CORE_HOME | ACTIONS | REFERRERS | USER_LANGUAGE | DEVICES | ECOMMERCE
STOCK_VISIT |= EVENTS | USER_COUNTRY | VISIT_TIME | VISITOR_INTEREST | RESOLUTION_AND_PLUGINS
CAMPAIGN_PLUGIN = {"campaignName", "campaignSource", "campaignMedium", "campaignContent"}
CAMPAIGN_PLUGIN |= {"campaignKeyword", "campaignId", "campaignGroup", "campaignPlacement"}

# raw_matomo.visits as docs/sources/matomo.md lists it: no column for a dropped or personal
# field, no hashed column for a reviewed one (dlt adds no _dlt_id / _dlt_load_id to Arrow).
RAW_VISIT_COLUMNS = {
    "site_id", "visit_id", "brand_id", "visit_date", "first_action_at", "last_action_at",
    "visit_duration_s", "actions", "visit_count", "visitor_type", "visitor_id_hash",
    "user_id_hash", "consent", "consent_dimension", "referrer_type", "referrer_name",
    "referrer_keyword", "referrer_url", "campaign_name", "campaign_source", "campaign_medium",
    "campaign_content", "campaign_keyword", "entry_url", "device_type", "browser", "os",
    "country_code", "language_code", "visit_ecommerce_status", "days_since_first_visit",
    "days_since_last_visit", "searches", "events", "goal_conversions", "visit_converted",
    "revenue", "currency", "fetched_at",
}  # fmt: skip
PERSONAL = ("visitIp", "fingerprint", "latitude", "longitude")  # never in the warehouse
DAYS = [(TODAY - timedelta(days=d)).isoformat() for d in (2, 1, 0)]
# Per visit, from the world only: the visitor's history (visits of the same visitorId by start;
# an order in an earlier visit makes a returning customer) and this visit's order.
WORLD_FACTS = """
WITH orders AS (SELECT DISTINCT visit_id FROM web_conversions WHERE kind = 'ecommerceOrder'),
v AS (
    SELECT visit_id, brand_id, visitor_id, visit_count, started_at, device_type,
        min(started_at) OVER (PARTITION BY brand_id, visitor_id) AS first_start,
        lag(started_at) OVER (PARTITION BY brand_id, visitor_id ORDER BY started_at) AS prev
    FROM web_visits
)
SELECT v.visit_id, v.visit_count, v.device_type,
    CASE WHEN EXISTS (
            SELECT 1 FROM web_visits e JOIN orders o USING (visit_id)
            WHERE e.brand_id = v.brand_id AND e.visitor_id = v.visitor_id
            AND e.started_at < v.started_at)
        THEN 'returningCustomer' WHEN v.visit_count > 1 THEN 'returning' ELSE 'new' END,
    CASE WHEN v.visit_id IN (SELECT visit_id FROM orders) THEN 'ordered' ELSE 'none' END,
    CAST(floor(date_diff('second', v.first_start, v.started_at) / 86400) AS INTEGER),
    CAST(coalesce(floor(date_diff('second', v.prev, v.started_at) / 86400), 0) AS INTEGER)
FROM v
"""


def visits(sandbox: Sandbox, site: str, day: str) -> list[dict[str, Any]]:
    params = {"module": "API", "method": "Live.getLastVisitsDetails", "idSite": site}
    params |= {"period": "day", "date": day, "format": "JSON", "filter_limit": -1}
    resp = requests.get(f"{sandbox.url}/matomo/index.php", params={**params, "token_auth": TOKEN})
    resp.raise_for_status()
    return resp.json()


def served(sandbox: Sandbox) -> dict[tuple[str, int], dict[str, Any]]:
    """(site, idVisit) -> the sandbox's visit, for the days the source test loads (``today``
    adds the site-local today: at 23:59 UTC Paris is already on the next day)."""
    days = [*DAYS, "today"]
    return {(s, v["idVisit"]): v for s in ("1", "3") for d in days for v in visits(sandbox, s, d)}


def world_facts(world: Path) -> dict[int, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in world_rows(world, WORLD_FACTS)}


# --- the sandbox -------------------------------------------------------------------------


def test_the_sandbox_serves_every_field_of_a_matomo_5_visit(sandbox: Sandbox) -> None:
    stock = visits(sandbox, "3", DAYS[0])
    plugin_site = visits(sandbox, "1", DAYS[0])
    assert stock and plugin_site
    for v in stock:
        assert set(v) == STOCK_VISIT, sorted(set(v) ^ STOCK_VISIT)
    for v in plugin_site:  # + the consent dimension and the MarketingCampaignsReporting fields
        want = STOCK_VISIT | CAMPAIGN_PLUGIN | {"dimension3"}
        assert set(v) == want, sorted(set(v) ^ want)


def test_visitor_history_devices_and_orders_follow_the_world(sandbox: Sandbox, world: Path) -> None:
    facts = world_facts(world)
    answers = served(sandbox)
    kinds = set()
    for (_site, vid), v in answers.items():
        count, device, kind, status, days_first, days_last = facts[vid]
        got = (v["visitCount"], v["deviceType"], v["visitorType"], v["visitEcommerceStatus"])
        assert got == (count, device, kind, status), vid
        assert (v["daysSinceFirstVisit"], v["daysSinceLastVisit"]) == (days_first, days_last), vid
        kinds.add(kind)
    assert kinds == {"new", "returning", "returningCustomer"}
    assert any(f[4] > 0 for f in facts.values())  # some visitors come back days later


# Per visitorId, from the world's own tables: its visits started by ``now`` and the orders of
# those visits recorded by ``now`` (Ecommerce's lifetime totals at the time of the request).
WORLD_LIFETIME = """
SELECT v.visitor_id, count(DISTINCT v.visit_id), count(c.conversion_id),
    coalesce(sum(c.revenue), 0), coalesce(sum(c.items), 0)
FROM web_visits v LEFT JOIN web_conversions c
    ON c.visit_id = v.visit_id AND c.kind = 'ecommerceOrder' AND c.converted_at <= $now
WHERE v.brand_id = $brand AND v.started_at <= $now AND v.visitor_id IN (
    SELECT e.visitor_id FROM web_visits e JOIN web_conversions o USING (visit_id)
    WHERE e.brand_id = $brand AND o.kind = 'ecommerceOrder')
GROUP BY 1
"""


def test_lifetime_orders_count_only_what_is_recorded_by_now(world: Path) -> None:
    """The history lookup at a ``now`` halfway through the world: visits and orders after it
    are not yet known to Matomo."""
    import duckdb

    from sandbox.vendors.matomo.visit_fields import histories

    brand, now = "maison-lumiere", datetime.combine(TODAY - timedelta(days=15), time(12))
    want = {
        r[0]: (r[1], r[2], round(float(r[3]), 2), r[4])
        for r in world_rows(world, WORLD_LIFETIME, {"now": now, "brand": brand})  # type: ignore[arg-type]
    }
    assert sum(1 for w in want.values() if w[1]) > 10  # buyers known by then
    with duckdb.connect(str(world), read_only=True) as con:
        got = histories(con.cursor(), brand, list(want), now)
    assert {k: (len(h.starts), h.orders, round(h.revenue, 2), h.items) for k, h in got.items()} == {
        k: w for k, w in want.items() if w[0]
    }


def test_personal_fields_look_like_matomos_and_follow_a_person(
    sandbox: Sandbox, world: Path
) -> None:
    answers = served(sandbox)
    countries = {"1": {"fr", "be", "ch"}, "3": {"gb", "ie", "us"}}  # the sites' audiences
    by_visitor: dict[str, set[tuple[Any, ...]]] = {}
    for (site, _vid), v in answers.items():
        assert v["visitIp"].endswith(".0.0")  # PrivacyManager default: 2 bytes masked
        assert len(v["fingerprint"]) == 16 and int(v["fingerprint"], 16) >= 0
        assert v["countryCode"] in countries[site]
        assert (v["latitude"] is None) == (v["city"] is None)
        if v["visitCount"] > 1:
            place = (v["countryCode"], v["city"], v["visitIp"])
            by_visitor.setdefault(v["visitorId"], set()).add(place)
    assert any(v["city"] for v in answers.values())
    assert by_visitor and all(len(places) == 1 for places in by_visitor.values())


def test_duration_reads_as_matomo_writes_it() -> None:
    # Values of Matomo's expected answers (plugins/Live and plugins/Ecommerce system tests).
    assert pretty_duration(0) == "0s"
    assert pretty_duration(363) == "6 min 3s"
    assert pretty_duration(3725) == "1 hours 2 min"


# --- the source --------------------------------------------------------------------------


def test_the_source_loads_the_reviewed_fields_and_nothing_personal(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    answers = served(sandbox)
    planted: dict[str, Any] = {}

    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        params = kwargs.get("params") or {}
        first = params.get("date") == DAYS[0] and params.get("idSite") == "1"
        if first and not planted and isinstance(body, list) and body:
            body[0]["idVisit"] = "not-a-number"  # quarantined with its personal fields
            planted.update(body[0])
        return body

    with patched_json(mutate):
        db = load_source("matomo", sandbox.url, tmp_path, "mt_fields", start_date=DAYS[0])
    columns = query(
        db,
        "select column_name from information_schema.columns "
        "where table_schema = 'raw_matomo' and table_name = 'visits'",
    )
    assert {c[0] for c in columns} == RAW_VISIT_COLUMNS
    assert planted and query(db, "select count(*) from raw_matomo.quarantine") == [(1,)]
    assert_loaded_as_served(db, answers, world_facts(world))
    assert_nothing_personal(db, [*answers.values(), planted])


def assert_loaded_as_served(
    db: Path, answers: dict[tuple[str, int], dict[str, Any]], facts: dict[int, tuple[Any, ...]]
) -> None:
    """The loaded columns hold the world's history and the sandbox's device, place, language."""
    rows = query(
        db,
        "select site_id, visit_id, visit_count, device_type, visitor_type, "
        "visit_ecommerce_status, days_since_first_visit, days_since_last_visit, browser, os, "
        "country_code, language_code, searches, events from raw_matomo.visits",
    )
    assert len(rows) == len(answers) - 1  # the planted visit is in quarantine
    for site, vid, *history, browser, os, country, language, searches, events in rows:
        assert tuple(history) == facts[vid], vid
        v = answers[(site, vid)]
        assert (browser, os) == (v["browserName"], v["operatingSystemName"]), vid
        assert (country, language) == (v["countryCode"], v["languageCode"]), vid
        assert (searches, events) == (0, 0)


def assert_nothing_personal(db: Path, answers: list[dict[str, Any]]) -> None:
    """No IP, fingerprint or coordinate (nor its keyed hash) in any text cell of raw_matomo;
    no city as a value."""
    secrets = {str(v[k]) for v in answers for k in PERSONAL if v.get(k) is not None}
    secrets |= {keyed_hash(s, "matomo") for s in set(secrets)}
    cities = {v["city"] for v in answers if v.get("city")}
    assert len(secrets) > 100 and cities
    text = query(
        db,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'raw_matomo' and data_type = 'VARCHAR'",
    )
    for table, column in text:
        values = {r[0] for r in query(db, f'select distinct "{column}" from raw_matomo."{table}"')}
        values.discard(None)
        assert not values & cities, (table, column)
        leaked = [s for s in secrets for value in values if s in value]
        assert not leaked, (table, column, leaked[:3])


@pytest.mark.parametrize("field", PERSONAL)
def test_the_quarantine_drops_personal_fields(field: str) -> None:
    raw = {"idVisit": "x", "visitIp": "81.2.0.0", "fingerprint": "0123456789abcdef"}
    raw |= {"latitude": "48.856600", "longitude": "2.352200", "visitorId": "ab"}
    assert field not in redact(raw, lambda value: f"h({value})", lambda value: f"w({value})")
