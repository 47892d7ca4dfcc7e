"""The oracle of the matrix: each source's records as the world's manifest states them, and
the same records read back from the raw tables.

The manifest (``vendor_truth``: the sandbox vendor's ground truth computed from the world
store) is never the source's own output. The record kinds and the queries that read them
back are those of the per-source tests (tests/<source>/test_source.py compares a full load
with the same manifest keys). A record is *lost* when the manifest has it and the raw table
has it neither loaded nor quarantined (a quarantined record is set aside with its reason,
not lost); *duplicated* when a table holds it more often than the manifest; *unexpected*
when a table holds a key the manifest does not have (a record loaded with a wrong id).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tests.sources.support import query, vendor_truth


@dataclass(frozen=True)
class Records:
    """One kind of record: the keys the manifest states, the SQL reading the loaded keys."""

    name: str
    expected: Counter[str]
    loaded_sql: str
    group_of: Callable[[str], str] | None = None
    """For records compared per group (GA4): the group of a quarantined ``record_id``; a
    group with a quarantined row is not counted lost (its row was set aside, not dropped)."""


@dataclass
class Tally:
    """Records of one load compared with the manifest (summed over the record kinds)."""

    expected: int = 0
    loaded: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    quarantined: int = 0
    detail: str = ""

    @property
    def exact(self) -> bool:
        return self.lost == self.duplicated == self.unexpected == 0


def _ids(values: Iterable[Any]) -> Counter[str]:
    return Counter(str(v) for v in values)


def _meta(m: dict[str, Any], first: date) -> list[Records]:
    accs = m["accounts"].values()
    return [
        Records(
            "posts",
            _ids(p for a in accs for p in a["post_ids"]),
            "select post_id from raw_meta.facebook_posts "
            "union all select media_id from raw_meta.instagram_media",
        ),
        Records(
            "comments",
            _ids(c for a in accs for c in a["comment_ids"]),
            "select comment_id from raw_meta.facebook_comments "
            "union all select comment_id from raw_meta.instagram_comments",
        ),
    ]


def _youtube(m: dict[str, Any], first: date) -> list[Records]:
    return [
        Records("videos", _ids(m["video_ids"]), "select video_id from raw_youtube.videos"),
        Records(
            "playlist items",
            _ids(m["video_ids"]),
            "select video_id from raw_youtube.playlist_items",
        ),
        Records("comments", _ids(m["comment_ids"]), "select comment_id from raw_youtube.comments"),
    ]


def _x(m: dict[str, Any], first: date) -> list[Records]:
    accs = m["accounts"].values()
    return [
        Records(table, _ids(i for a in accs for i in a[f"{kind}_ids"]), sql)
        for table, kind, sql in (
            ("posts", "post", "select tweet_id from raw_x.posts"),
            ("mentions", "mention", "select tweet_id from raw_x.mentions"),
            ("replies", "reply", "select tweet_id from raw_x.replies"),
        )
    ]


def _tiktok(m: dict[str, Any], first: date) -> list[Records]:
    ids = _ids(v for a in m["accounts"].values() for v in a["video_ids"])
    return [Records("videos", ids, "select video_id from raw_tiktok.tiktok_videos")]


def _ga4(m: dict[str, Any], first: date) -> list[Records]:
    """GA4's manifest states sessions per (property, day, source, medium, campaign): a group
    counts as a record, repeated once per session, so a lost or doubled row shows."""
    expected: Counter[str] = Counter()
    for prop, p in m["properties"].items():
        for key, row in p["rows"].items():
            expected[f"{prop}|{key}"] = int(row["sessions"])
    sql = (
        "select property_id || '|' || strftime(date, '%Y%m%d') || '|' || session_source || '|' "
        "|| session_medium || '|' || session_campaign_name from raw_ga4.traffic_daily, "
        "range(sessions::bigint)"
    )
    return [Records("sessions", expected, sql, group_of=_ga4_group)]


def _ga4_group(record_id: str) -> str:
    """``property/date/source/medium/campaign/...`` (the source's quarantine id of a row) ->
    the manifest's group key ``property|date|source|medium|campaign``."""
    return "|".join(record_id.split("/")[:5])


def _linkedin(m: dict[str, Any], first: date) -> list[Records]:
    orgs = m["organizations"].values()
    return [
        Records(
            "posts",
            _ids(u for o in orgs for u in o["post_urns"]),
            "select post_urn from raw_linkedin.linkedin_posts",
        ),
        Records(
            "comments",
            _ids(c for o in orgs for c in o["comment_urns"]),
            "select comment_urn from raw_linkedin.linkedin_comments",
        ),
    ]


def _google_business(m: dict[str, Any], first: date) -> list[Records]:
    names = _ids(n for loc in m["locations"].values() for n in loc["review_names"])
    return [Records("reviews", names, "select review_name from raw_google_business.reviews")]


def _trustpilot(m: dict[str, Any], first: date) -> list[Records]:
    ids = _ids(r for bu in m["business_units"].values() for r in bu["review_ids"])
    return [Records("reviews", ids, "select review_id from raw_trustpilot.reviews")]


def _matomo(m: dict[str, Any], first: date) -> list[Records]:
    """Visits and conversions of the days loaded (the manifest's rows are keyed by day)."""
    rows = [
        row
        for site in m["sites"].values()
        for key, row in site["rows"].items()
        if key[:10] >= first.isoformat()
    ]
    return [
        Records(
            "visits",
            _ids(v for r in rows for v in r["visit_ids"]),
            "select visit_id from raw_matomo.visits",
        ),
        Records(
            "conversions",
            _ids(c for r in rows for c in r["conversion_ids"]),
            "select conversion_id from raw_matomo.conversions",
        ),
    ]


def _search_console(m: dict[str, Any], first: date) -> list[Records]:
    keys = _ids(f"{url}|{k}" for url, s in m["sites"].items() for k in s["rows"])
    sql = ("select concat_ws('|', site_url, cast(date as varchar), page, query, country, device) "
           "from raw_search_console.search_analytics")  # fmt: skip
    return [Records("search_analytics", keys, sql)]


def _brevo(m: dict[str, Any], first: date) -> list[Records]:
    keys = _ids(f"{b}/{c}" for b, a in m["accounts"].items() for c in a["campaigns"])
    sql = "select brand_id || '/' || campaign_id from raw_brevo.campaigns"
    return [Records("campaigns", keys, sql)]


def _hubspot(m: dict[str, Any], first: date) -> list[Records]:
    # Keyed by the record id alone, as the source's quarantine names a record.
    portals = m["portals"].values()
    return [
        Records(
            kind,
            _ids(i for t in portals for i in t[kind]),
            f"select {kind[:-1]}_id from raw_hubspot.{kind}",
        )
        for kind in ("contacts", "deals")
    ]


ORACLES: dict[str, Callable[[dict[str, Any], date], list[Records]]] = {
    "meta": _meta,
    "youtube": _youtube,
    "x": _x,
    "tiktok": _tiktok,
    "ga4": _ga4,
    "linkedin": _linkedin,
    "google_business": _google_business,
    "trustpilot": _trustpilot,
    "matomo": _matomo,
    "search_console": _search_console,
    "brevo": _brevo,
    "hubspot": _hubspot,
}


def expected_records(world: Path, source: str, today: date, first: date) -> list[Records]:
    """The records of ``source`` the manifest of ``today`` states (from ``first`` where the
    source is loaded from a start date)."""
    return ORACLES[source](vendor_truth(world, source, today), first)


def _table_exists(db: Path, dataset: str, table: str) -> bool:
    sql = "select 1 from information_schema.tables where table_schema = ? and table_name = ?"
    return bool(query(db, sql, [dataset, table]))


def _loaded(db: Path, sql: str) -> Counter[str]:
    """The keys ``sql`` reads; a table the load never created holds nothing."""
    try:
        return _ids(r[0] for r in query(db, sql))
    except Exception as exc:  # noqa: BLE001 (duckdb's CatalogException: table never created)
        if "does not exist" in str(exc):
            return Counter()
        raise


def compare(db: Path, source: str, records: list[Records]) -> Tally:
    """The load in ``db`` against ``records``: lost, duplicated, unexpected, quarantined."""
    tally = Tally()
    dataset = f"raw_{source}"
    quarantined: Counter[str] = Counter()
    if db.exists() and _table_exists(db, dataset, "quarantine"):
        quarantined = _ids(r[0] for r in query(db, f"select record_id from {dataset}.quarantine"))
    tally.quarantined = sum(quarantined.values())
    notes = []
    for rec in records:
        loaded = _loaded(db, rec.loaded_sql) if db.exists() else Counter()
        if rec.group_of is None:
            lost = sum(max(0, n - loaded[k] - quarantined[k]) for k, n in rec.expected.items())
        else:
            aside = {rec.group_of(k) for k in quarantined}
            lost = sum(max(0, n - loaded[k]) for k, n in rec.expected.items() if k not in aside)
        twice = sum(max(0, loaded[k] - n) for k, n in rec.expected.items())
        extra = sum(n for k, n in loaded.items() if k not in rec.expected)
        tally.expected += sum(rec.expected.values())
        tally.loaded += sum(loaded.values())
        tally.lost += lost
        tally.duplicated += twice
        tally.unexpected += extra
        if lost or twice or extra:
            notes.append(f"{rec.name}: {lost} lost, {twice} duplicated, {extra} unexpected")
    tally.detail = "; ".join(notes)
    return tally
