"""The scale world (sandbox/world/scale.py): its knobs are honoured and the default world is not
moved by them.

The default world's hashes were recorded before the scale knobs existed (generator version 8),
and again at version 9, which added the HubSpot, Search Console and Brevo tables without moving
any existing one (their generators draw from their own random streams; the manifests of the
other vendors were compared before and after):
a rate multiplied by 1.0 must leave every draw, so every row, as it was. A change that moves the
default world on purpose bumps GENERATOR_VERSION and records the new hashes here.

The knob checks compare two scale worlds of 5 brands x 10 days, one at the default rates and one
with each rate multiplied: counts drawn from Poisson rates must grow by the multiplier (within a
tolerance of several standard deviations at these counts), and the counts the registry fixes
(brands, accounts, locations, sites) are computed by hand from the generated brands.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from pulse_config.registry import load_registry
from sandbox.world.scale import Scale, Volume, build_scale_world, parse_scale
from sandbox.world.store import world_hash

SMALL_WORLD_HASH = "8d29085abd5bab0ac22ed0653813fe4a5d41c44c41b75d7480a8c8bb00c74dd6"
DEFAULT_WORLD_HASH = "9c305bc802af0d01a1a9f35095d3ae7dadfb70985f88bd12428c55508e74dd5c"
BRANDS, DAYS, HORIZON = 5, 10, 14
MORE = Volume(posts=3.0, comments=2.0, reviews=3.0, visits=4.0)
PLATFORM_TABLES = {  # platform -> the world table of its accounts and its id column
    "facebook": ("accounts WHERE platform = 'facebook'", "account_id"),
    "instagram": ("accounts WHERE platform = 'instagram'", "account_id"),
    "linkedin": ("linkedin_organizations", "organization_id"),
    "x": ("x_accounts", "user_id"),
    "youtube": ("yt_channels", "channel_id"),
    "tiktok": ("tiktok_accounts", "open_id"),
    "trustpilot": ("trustpilot_business_units", "business_unit_id"),
}


def _hash(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return world_hash(con)


def test_default_worlds_unchanged(world: Path, default_world: tuple[Path, float]) -> None:
    assert _hash(world) == SMALL_WORLD_HASH
    assert _hash(default_world[0]) == DEFAULT_WORLD_HASH


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two 5-brand x 10-day scale worlds: default rates ("base") and MORE ("more")."""
    out = {}
    for name, volume in (("base", Volume()), ("more", MORE)):
        path = tmp_path_factory.mktemp(name) / "world.duckdb"
        build_scale_world(path, Scale(brands=BRANDS, days=DAYS, volume=volume))
        out[name] = path
    return out


def _q(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _one(path: Path, sql: str) -> int:
    return _q(path, sql)[0][0]


def test_registry_beside_the_world(pair: dict[str, Path]) -> None:
    registry = load_registry(pair["more"].parent / "brands.yaml")
    ids = [b.brand_id for b in registry.brands]
    assert ids == ["maison-lumiere", "velo-vert", "northwind-coffee", "brand-004", "brand-005"]
    # the default brands keep their cities (config/brands.yaml), so their currencies match
    # the seeds' (marketing_spend: northwind-coffee spends GBP); then London one in four
    zones = [b.timezone for b in registry.brands]
    assert zones == ["Europe/Paris", "Europe/Paris", "Europe/London", "Europe/London",
                     "Europe/Paris"]  # fmt: skip
    assert _q(pair["more"], "SELECT brand_id FROM brands ORDER BY rowid") == [(i,) for i in ids]
    for platform, (table, column) in PLATFORM_TABLES.items():
        wanted = sorted(a for _, a in registry.accounts(platform))
        assert len(set(wanted)) == BRANDS, platform  # one account per brand, all distinct
        stored = [r[0] for r in _q(pair["more"], f"SELECT {column} FROM {table} ORDER BY 1")]
        assert stored == wanted, platform
    # Google locations: brand n has 1 + n % 3 of them (n = 1..5: 2, 3, 1, 2, 3)
    assert _one(pair["more"], "SELECT count(*) FROM gbp_locations") == 2 + 3 + 1 + 2 + 3
    # sites: GA4 when n % 3 != 0 (n = 1, 2, 4, 5), Matomo when n % 3 != 1 (n = 2, 3, 5)
    sites = "SELECT count(ga4_property_id), count(matomo_site_id), count(*) FROM web_sites"
    assert _q(pair["more"], sites) == [(4, 3, BRANDS)]
    # HubSpot: a portal for each brand on Matomo (n = 2, 3, 5), each with contacts and deals
    portals = sorted(a for _, a in registry.accounts("hubspot"))
    assert portals == ["146001002", "146001003", "146001005"]
    assert _q(pair["more"], "SELECT portal_id FROM hubspot_portals ORDER BY 1") == [
        (p,) for p in portals
    ]
    kinds = "SELECT count(DISTINCT portal_id), count(web_user_id) FROM hubspot_contacts"
    portals_with_contacts, web_members = _q(pair["more"], kinds)[0]
    assert portals_with_contacts == 3 and web_members > 0


def test_days_and_knobs_recorded(pair: dict[str, Path]) -> None:
    assert _one(pair["more"], "SELECT days FROM world") == DAYS
    first, last = _q(pair["more"], "SELECT min(created_time), max(created_time) FROM posts")[0]
    start = Scale().start
    assert first.date() >= start and last.date() < start + timedelta(days=DAYS + HORIZON)
    knobs = dict(_q(pair["more"], "SELECT knob, multiplier FROM world_volume"))
    assert knobs == {"posts": 3.0, "comments": 2.0, "reviews": 3.0, "visits": 4.0}


def _ratio(pair: dict[str, Path], sql: str) -> float:
    return _one(pair["more"], sql) / _one(pair["base"], sql)


POSTS = (
    "SELECT (SELECT count(*) FROM posts) + (SELECT count(*) FROM linkedin_posts) "
    "+ (SELECT count(*) FROM x_tweets WHERE kind = 'post') + (SELECT count(*) FROM yt_videos) "
    "+ (SELECT count(*) FROM tiktok_videos)"
)


def test_posts_reviews_and_visits_follow_their_knobs(pair: dict[str, Path]) -> None:
    # posts: about 560 at the default rates, so x3 within 15 %
    assert 3.0 * 0.85 < _ratio(pair, POSTS) < 3.0 * 1.15
    # reviews: a few crisis reviews (same count in both worlds) dilute the x3 a little
    reviews = (
        "SELECT (SELECT count(*) FROM gbp_reviews) + (SELECT count(*) FROM trustpilot_reviews)"
    )
    assert 3.0 * 0.8 < _ratio(pair, reviews) < 3.0 * 1.15
    # visits not brought by a post's link: the base traffic, x4
    assert 4.0 * 0.92 < _ratio(pair, "SELECT count(*) FROM web_visits WHERE post_id IS NULL") < 4.4


def test_comments_per_post_follow_their_knob(pair: dict[str, Path]) -> None:
    per_post = (
        "SELECT count(*) FILTER (kind = 'reply') / count(*) FILTER (kind = 'post') FROM x_tweets"
    )
    assert 2.0 * 0.85 < _ratio(pair, per_post) < 2.0 * 1.15  # X replies: Poisson(2.2 x knob)
    meta = "SELECT (SELECT count(*) FROM comments) / (SELECT count(*) FROM posts)"
    # Meta: count = likes x share x knob + 0..2 unscaled, so a little under x2
    assert 1.4 < _ratio(pair, meta) < 2.2


def test_parse_scale() -> None:
    scale = parse_scale("brands=7, days=30, visits=2")
    assert (scale.brands, scale.days, scale.volume.visits) == (7, 30, 2.0)
    assert scale.volume.posts == Scale().volume.posts
    with pytest.raises(ValueError, match="unknown scale knob 'likes'"):
        parse_scale("likes=3")
