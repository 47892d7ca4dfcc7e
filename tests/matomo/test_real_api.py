"""Matomo as the real API behaves: visitorId, consent dimension, campaign fields, local days.

Oracles: the world tables (``web_visits``, ``posts``) read directly, the site settings of
``config/brands.yaml`` and hand-written values; never the API or source code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from ingestion.matomo import helpers as h
from ingestion.privacy import Pseudonymiser
from pulse_config.registry import MatomoSite
from tests.sources.support import TODAY, Sandbox, load_source, query, world_rows

TOKEN = "sandbox-matomo-token"
PARIS, LONDON = ZoneInfo("Europe/Paris"), ZoneInfo("Europe/London")
PLUGIN_FIELDS = {"campaignName", "campaignSource", "campaignMedium", "campaignContent"}
PLUGIN_FIELDS |= {"campaignKeyword", "campaignId", "campaignGroup", "campaignPlacement"}
SITE1 = MatomoSite(
    "1", "Europe/Paris", "dimension3", {"accepted": "granted", "refused": "denied"}, True
)


def visits(sandbox: Sandbox, site: str, day: str) -> list[dict[str, Any]]:
    params = {"module": "API", "method": "Live.getLastVisitsDetails", "idSite": site}
    params |= {"period": "day", "date": day, "format": "JSON", "filter_limit": -1}
    resp = requests.get(f"{sandbox.url}/matomo/index.php", params={**params, "token_auth": TOKEN})
    resp.raise_for_status()
    body = resp.json()
    assert isinstance(body, list), body
    return body


def crossing_visit(world: Path) -> tuple[int, date]:
    """A site-1 (Paris) visit that starts before and ends after UTC midnight."""
    rows = world_rows(
        world,
        "SELECT visit_id, visit_date FROM web_visits WHERE brand_id = 'maison-lumiere' "
        "AND CAST(started_at AS DATE) < CAST(ended_at AS DATE) AND visit_date < ? "
        "ORDER BY visit_id LIMIT 1",
        [TODAY - timedelta(days=2)],
    )
    assert rows, "the world plants no visit crossing UTC midnight on site 1"
    return rows[0]


# --- the sandbox -------------------------------------------------------------------------


def test_visitor_id_always_consent_dimension_only_where_configured(sandbox: Sandbox) -> None:
    days = [(TODAY - timedelta(days=d)).isoformat() for d in (3, 4, 5)]
    site1 = [v for d in days for v in visits(sandbox, "1", d)]
    site3 = [v for d in days for v in visits(sandbox, "3", d)]
    for v in site1 + site3:
        assert len(v["visitorId"]) == 16 and int(v["visitorId"], 16) >= 0
    assert all("dimension3" in v for v in site1)
    assert {v["dimension3"] for v in site1} == {"accepted", "refused", None}
    assert not any(k.startswith("dimension") for v in site3 for k in v)
    # Without cookie consent, Matomo tracks cookieless: a visitorId per visit, no user id.
    cookieless = [v for v in site1 if v["dimension3"] != "accepted"]
    assert len({v["visitorId"] for v in cookieless}) == len(cookieless) > 0
    assert all(v["userId"] is None and v["visitCount"] == 1 for v in cookieless)
    granted = [v["visitorId"] for v in site1 if v["dimension3"] == "accepted"]
    assert len(set(granted)) < len(granted)  # consenting visitors come back, same id
    assert len({v["visitorId"] for v in site3}) < len(site3)


def test_plugin_fields_only_on_the_plugin_site(sandbox: Sandbox, world: Path) -> None:
    day = (TODAY - timedelta(days=3)).isoformat()
    site1, site3 = visits(sandbox, "1", day), visits(sandbox, "3", day)
    assert all(v.keys() >= PLUGIN_FIELDS for v in site1)
    assert not any(PLUGIN_FIELDS & v.keys() for v in site3)
    want = dict(
        world_rows(
            world,
            "SELECT visit_id, lower(campaign) FROM web_visits WHERE brand_id = "
            "'northwind-coffee' AND visit_date = ? AND landing_query ILIKE '%utm_campaign=%' "
            "AND landing_query LIKE '%utm_%'",
            [day],
        )
    )
    campaigns = {v["idVisit"]: v for v in site3 if v["referrerType"] == "campaign"}
    assert campaigns.keys() == want.keys() and want
    for vid, name in want.items():  # core lower-cases the campaign name
        assert campaigns[vid]["referrerName"] == name


def test_landing_url_carries_the_link_query_string(sandbox: Sandbox, world: Path) -> None:
    rows = world_rows(
        world,
        "SELECT s.matomo_site_id, v.visit_id, strftime(v.visit_date, '%Y-%m-%d'), p.link_url "
        "FROM web_visits v JOIN web_sites s USING (brand_id) JOIN posts p "
        "ON p.post_id = v.post_id AND p.platform = v.post_platform "
        "WHERE s.matomo_site_id IS NOT NULL AND v.visit_date <= ? ORDER BY v.visit_id",
        [TODAY - timedelta(days=1)],
    )
    upper = [r for r in rows if "UTM_SOURCE=" in r[3]]
    missing = [r for r in rows if "utm_content" not in r[3].lower()]
    assert upper and missing, "the world plants no malformed link"
    for site, vid, day, link in upper[:3] + missing[:3] + rows[:5]:
        served = {v["idVisit"]: v for v in visits(sandbox, site, day)}[vid]
        entry = served["actionDetails"][0]["url"]
        assert urlsplit(entry).query == urlsplit(link).query and entry.endswith(
            urlsplit(link).path + "?" + urlsplit(link).query
        )
        if "UTM_SOURCE=" in link:  # parameter names are case-sensitive: no campaign
            assert served["referrerType"] != "campaign"
    day = (TODAY - timedelta(days=2)).isoformat()
    paid = [
        v["actionDetails"][0]["url"]
        for site in ("1", "3")
        for v in visits(sandbox, site, day)
        if "utm_medium=cpc" in v["actionDetails"][0]["url"]
    ]
    assert paid and any("&gclid=" in u for u in paid) and not all("&gclid=" in u for u in paid)


def test_results_are_ordered_by_last_action_newest_first(sandbox: Sandbox) -> None:
    for site in ("1", "3"):
        got = visits(sandbox, site, (TODAY - timedelta(days=6)).isoformat())
        keys = [(v["lastActionTimestamp"], v["idVisit"]) for v in got]
        assert keys == sorted(keys, reverse=True) and len(keys) > 20
        starts = [v["firstActionTimestamp"] for v in got]
        assert starts != sorted(starts, reverse=True)  # not by start time


def test_a_day_is_the_site_local_day_of_the_last_action(sandbox: Sandbox, world: Path) -> None:
    vid, day = crossing_visit(world)
    on_day = visits(sandbox, "1", day.isoformat())
    visit = next(v for v in on_day if v["idVisit"] == vid)
    first = datetime.fromtimestamp(visit["firstActionTimestamp"], UTC)
    last = datetime.fromtimestamp(visit["lastActionTimestamp"], UTC)
    assert first.date() < last.date()  # crosses UTC midnight, served on its Paris day
    before = visits(sandbox, "1", (day - timedelta(days=1)).isoformat())
    assert vid not in {v["idVisit"] for v in before}
    for site, brand, tz in (("1", "maison-lumiere", PARIS), ("3", "northwind-coffee", LONDON)):
        for d in range(3, 10):
            when = TODAY - timedelta(days=d)
            got = visits(sandbox, site, when.isoformat())
            want = world_rows(
                world,
                "SELECT visit_id FROM web_visits WHERE brand_id = ? AND visit_date = ?",
                [brand, when],
            )
            assert sorted(v["idVisit"] for v in got) == sorted(r[0] for r in want)
            for v in got:
                at = datetime.fromtimestamp(v["lastActionTimestamp"], UTC).astimezone(tz)
                assert at.date() == when


def test_matomo_reads_campaigns_as_documented() -> None:
    """Hand-computed from core's Referrers/Columns/Base.php and the plugin's detector."""
    from sandbox.vendors.matomo.tracker import referrer

    fallback = {"referrerType": "website", "referrerName": "x.example", "referrerKeyword": ""}
    tagged = "utm_source=Facebook&utm_medium=Social&utm_campaign=Soldes%20Hiver&utm_content=P1"
    stock = referrer(tagged, "https://l.facebook.com/", False, fallback)
    assert (stock["referrerType"], stock["referrerName"]) == ("campaign", "soldes hiver")
    assert stock["referrerKeyword"] == "l.facebook.com" and "campaignSource" not in stock
    no_name = referrer("utm_source=Facebook&utm_term=Robe", "", False, fallback)
    assert (no_name["referrerName"], no_name["referrerKeyword"]) == ("facebook", "robe")
    plugin = referrer(tagged, "https://l.facebook.com/", True, fallback)
    assert (plugin["campaignSource"], plugin["campaignMedium"]) == ("facebook", "social")
    assert (plugin["campaignContent"], plugin["campaignGroup"]) == ("p1", "")
    upper = referrer(tagged.upper(), "https://l.facebook.com/", True, fallback)
    assert upper["referrerType"] == "website" and upper["campaignName"] == ""


def test_today_starts_at_yesterdays_local_midnight(sandbox: Sandbox) -> None:
    """Live\\Model::getStartAndEndDate moves ``today`` one day back, without an end."""
    yesterday = {v["idVisit"] for v in visits(sandbox, "3", (TODAY - timedelta(1)).isoformat())}
    today = {v["idVisit"] for v in visits(sandbox, "3", "today")}
    assert yesterday and yesterday < today
    assert visits(sandbox, "3", (TODAY + timedelta(days=2)).isoformat()) == []


# --- the source --------------------------------------------------------------------------


def utc(day: int, hour: int, minute: int) -> int:
    return int(datetime(2025, 12, day, hour, minute, tzinfo=UTC).timestamp())


def raw_visit(first: int = utc(1, 23, 50), last: int = utc(2, 0, 10), **extra: Any) -> dict:
    """A visit of 00:50-01:10 in Paris (CET), crossing UTC midnight."""
    return {
        "idVisit": 7,
        "visitorId": "0123456789abcdef",
        "firstActionTimestamp": first,
        "lastActionTimestamp": last,
        "actionDetails": [
            {"type": "action", "url": "https://x/?utm_source=FB&utm_content=1", "timestamp": 1}
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("value", "want"),
    [("accepted", "granted"), (" Refused ", "denied"), ("later", "unknown"), (None, "unknown")],
)
def test_consent_comes_from_the_configured_dimension(value: Any, want: str) -> None:
    hasher = Pseudonymiser("k" * 32)
    raw = raw_visit(dimension3=value, dimension1="Jeanne")
    visit, _ = h.visit_rows(raw, SITE1, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert visit["consent"] == want and visit["consent_dimension"] == "dimension3"
    assert "dimension3" not in visit  # mapped, not carried as an unknown field
    assert visit["dimension1"] == hasher("Jeanne")  # another dimension: hashed, unreviewed
    stock = MatomoSite("3", "Europe/London")
    plain, _ = h.visit_rows(raw_visit(), stock, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert plain["consent"] == "unknown" and plain["consent_dimension"] is None
    no_value, _ = h.visit_rows(raw_visit(), SITE1, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert no_value["consent"] == "unknown"


def test_visit_date_is_the_site_local_day_of_the_last_action() -> None:
    hasher = Pseudonymiser("k" * 32)
    visit, _ = h.visit_rows(raw_visit(), SITE1, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert visit["visit_date"] == date(2025, 12, 2)  # not the UTC day of the first action
    assert visit["entry_url"] == "https://x/?utm_source=FB&utm_content=1"
    late = raw_visit(utc(1, 23, 5), utc(1, 23, 20))  # 00:05-00:20 in Paris, UTC Dec 1 only
    visit, _ = h.visit_rows(late, SITE1, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert visit["visit_date"] == date(2025, 12, 2)
    london = MatomoSite("3", "Europe/London")
    visit, _ = h.visit_rows(late, london, "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert visit["visit_date"] == date(2025, 12, 1)


def test_a_re_pulled_day_neither_duplicates_nor_loses_a_visit(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    vid, day = crossing_visit(world)
    first = (day - timedelta(days=1)).isoformat()
    clock = day + timedelta(days=1)
    sandbox.set_today(clock)

    def load(**kw: Any) -> Path:
        return load_source(
            "matomo", sandbox.url, tmp_path, "mt_repull", start_date=first, site_ids=["1"], **kw
        )

    db = load()
    sql = "select visit_id, visit_date, consent from raw_matomo.visits order by 1"
    once = query(db, sql)
    sandbox.advance()
    db = load(repull_days=4)  # every day loaded so far is read again
    again = query(db, sql)
    served = world_rows(
        world,
        "SELECT visit_id, visit_date, coalesce(consent, 'unknown') FROM web_visits "
        "WHERE brand_id = 'maison-lumiere' AND visit_date >= ? AND ended_at <= ? "
        "ORDER BY 1",
        [
            date.fromisoformat(first),
            datetime.combine(clock + timedelta(days=1), datetime.max.time()),
        ],
    )
    assert again == served  # nothing lost, nothing twice, consent as the banner answered
    assert set(once) <= set(again)
    assert [r[1] for r in again if r[0] == vid] == [day]
    assert {r[2] for r in again} == {"granted", "denied", "unknown"}
