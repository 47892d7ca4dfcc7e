"""End to end (issue 16): the SXO landing-page mart and e-mail as a channel, through Dagster.

Reads ``make demo``'s replay of a 30-day world (tests/e2e/conftest.py, no pipeline run of its
own). The oracle is the generator: the Search Console manifest (final data per day and page,
as the API serves it), the Brevo manifest (each campaign's sends, deliveries and unique clicks)
and the world's own visits, posts and channel groups (``sandbox.vendors.web.channels`` sets
each visit's GA4 channel group in Python, apart from the dbt macro).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest

from sandbox.world.manifest import build_manifest
from sandbox.world.store import now_of, open_readonly
from tests.e2e.conftest import LAST, read_warehouse

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def manifest(replay: dict[str, Any]) -> dict[str, Any]:
    return build_manifest(replay["world"], today=LAST)


def _world(replay: dict[str, Any], sql: str, params: list | None = None) -> list[tuple]:
    con = open_readonly(replay["world"])
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


ALL_SITES = "select brand_id, site from web_sites"
MATOMO_SITES = ALL_SITES + " where matomo_site_id is not null"
MATOMO_BRANDS = MATOMO_SITES.replace("brand_id, site", "brand_id")


def _month(day: str | date) -> str:
    return str(day)[:7]


def _page(url: str) -> tuple[str, str]:
    """(host without www., path without trailing slash) of a URL: the mart's page key."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    return host, parts.path.rstrip("/") or "/"


def test_search_figures_per_page_and_month_equal_the_manifest(
    replay: dict[str, Any], manifest: dict[str, Any]
) -> None:
    """Clicks, impressions and the impression-weighted position, from the manifest's days."""
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])
    for site in manifest["sources"]["search_console"]["sites"].values():
        for key, m in site["pages"].items():
            day, page = key.split("|", 1)
            s = sums[(site["brand_id"], *_page(page), _month(day))]
            s[0] += m["clicks"]
            s[1] += m["impressions"]
            s[2] += m["position"] * m["impressions"]
            s[3] += 1
    assert len(sums) >= 3 * 7, "the world's sites should have seven pages each"
    truth = {k: (c, i, round(p / i, 9), d) for k, (c, i, p, d) in sums.items()}
    got = {
        (brand, host, path, _month(month)): (clicks, imps, round(position, 9), days)
        for brand, host, path, month, clicks, imps, position, days in read_warehouse(
            replay,
            "select brand_id, site_host, page_path, month_start, search_clicks, "
            "search_impressions, search_avg_position, search_days "
            "from marts.mart_sxo_landing_pages where search_days > 0",
        )
    }
    assert got == truth


def test_sessions_and_linking_posts_per_page_equal_the_world(replay: dict[str, Any]) -> None:
    """Sessions by landing page and site-local month (visits served by now, brands with a
    Matomo site: fct_sessions is Matomo's), and the posts that point at a page by UTC month
    of publication: their link, or a visit their UTMs brought there (Instagram's only way)."""
    now = now_of(LAST)
    sites = {b: _page(f"https://{site}/")[0] for b, site in _world(replay, MATOMO_SITES)}
    visits = _world(
        replay,
        "select brand_id, landing_page, strftime(visit_date, '%Y-%m'), count(*) "
        f"from web_visits where ended_at <= ? and brand_id in ({MATOMO_BRANDS}) group by all",
        [now],
    )
    truth_sessions = {(b, sites[b], _page(f"https://x{p}")[1], m): n for b, p, m, n in visits}
    sites = {b: _page(f"https://{site}/")[0] for b, site in _world(replay, ALL_SITES)}
    pointing = set()
    for brand, platform, post_id, month, url in _world(replay, LINKED_SQL, {"now": now}):
        host, path = _page(url)
        if host == sites[brand]:
            pointing.add((brand, host, path, month, platform, post_id))
    truth_posts: dict[tuple, int] = defaultdict(int)
    for key in pointing:
        truth_posts[key[:4]] += 1
    assert sum(truth_posts.values()) > 10, "the world plants too few link posts"
    rows = read_warehouse(
        replay,
        "select brand_id, site_host, page_path, strftime(month_start, '%Y-%m'), sessions, "
        "linking_posts from marts.mart_sxo_landing_pages",
    )
    assert {r[:4]: r[4] for r in rows if r[4]} == truth_sessions
    assert {r[:4]: r[5] for r in rows if r[5]} == dict(truth_posts)


# The brand posts visible at $now with their link as the APIs serve it (CONTENT_SQL of
# tests/e2e/post_truth.py: X serves undeleted tweets, replies are no content; a Facebook
# post's tagged link is in its message, an Instagram caption's is not a link), plus the Meta posts
# whose UTM-tagged link brought a served visit with its utm_content intact to a Matomo site.
LINKED_SQL = """
    SELECT a.brand_id, p.platform, p.post_id, p.created_time AS published, p.link_url
    FROM posts p JOIN accounts a USING (account_id)
    WHERE p.platform = 'facebook' AND p.created_time <= $now
    UNION ALL
    SELECT o.brand_id, 'linkedin', p.post_urn, p.published_at, p.link_url
    FROM linkedin_posts p JOIN linkedin_organizations o USING (organization_id)
    WHERE p.published_at <= $now
    UNION ALL
    SELECT a.brand_id, 'x', t.tweet_id, t.created_at, t.link_url
    FROM x_tweets t JOIN x_accounts a ON a.user_id = t.author_id
    WHERE t.kind = 'post' AND t.created_at <= $now
      AND (t.deleted_at IS NULL OR t.deleted_at > $now)
    UNION ALL
    SELECT brand_id, 'youtube', video_id, published_at, link_url
    FROM yt_videos WHERE published_at <= $now
    UNION ALL
    SELECT v.brand_id, p.platform, p.post_id, p.created_time, 'https://' || s.site || v.landing_page
    FROM web_visits v JOIN posts p USING (post_id) JOIN web_sites s USING (brand_id)
    WHERE v.content = p.post_id AND v.ended_at <= $now AND s.matomo_site_id IS NOT NULL
"""
LINKED_SQL = (
    "SELECT brand_id, platform, post_id, strftime(published, '%Y-%m'), link_url "
    f"FROM ({LINKED_SQL}) WHERE link_url IS NOT NULL"
)


def test_email_sessions_per_brand_and_month_equal_the_world(replay: dict[str, Any]) -> None:
    """The scorecard's e-mail rows count the world's Email visits (by UTC start month)."""
    truth = {
        (brand, month): n
        for brand, month, n in _world(
            replay,
            "select brand_id, strftime(started_at, '%Y-%m'), count(*) from web_visits "
            f"where channel_group = 'Email' and ended_at <= ? and brand_id in ({MATOMO_BRANDS}) "
            "group by all",
            [now_of(LAST)],
        )
    }
    assert sum(truth.values()) > 50, "the world should send visitors from its newsletters"
    got = {
        (brand, _month(month)): n
        for brand, month, n in read_warehouse(
            replay,
            "select brand_id, period_start, email_sessions from marts.mart_kpi_scorecard "
            "where platform = 'email' and period_type = 'month' and email_sessions > 0",
        )
    }
    assert got == truth
    in_attribution = read_warehouse(
        replay,
        "select count(*) from marts.mart_channel_attribution "
        "where channel_group = 'Email' and attributed_conversions > 0",
    )[0][0]
    assert in_attribution > 0, "e-mail visits convert in the world: Email must be credited"


def test_email_sends_and_click_rate_equal_the_brevo_manifest(
    replay: dict[str, Any], manifest: dict[str, Any]
) -> None:
    """Per brand and UTC month of sending: sends, deliveries, unique clicks and click rate
    (unique clicks / delivered x 100, computed here from the manifest's counts)."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for brand, account in manifest["sources"]["brevo"]["accounts"].items():
        for campaign in account["campaigns"].values():
            stats = campaign["global_stats"]
            s = sums[(brand, campaign["sent_date"][:7])]
            s[0] += 1
            s[1] += stats["sent"]
            s[2] += stats["delivered"]
            s[3] += stats["uniqueClicks"]
    assert sums, "the Brevo manifest holds no campaign"
    truth = {k: (n, s, d, u, round(100 * u / d, 9)) for k, (n, s, d, u) in sums.items()}
    got = {
        (brand, _month(month)): (n, s, d, u, round(rate, 9))
        for brand, month, n, s, d, u, rate in read_warehouse(
            replay,
            "select brand_id, period_start, email_campaigns, email_sends, email_delivered, "
            "email_unique_clicks, email_click_rate from marts.mart_kpi_scorecard "
            "where platform = 'email' and period_type = 'month' and email_campaigns > 0",
        )
    }
    assert got == truth


# README's SXO and e-mail queries run as printed in
# tests/e2e/test_deal_attribution.py::test_readme_omnichannel_queries_run_on_the_published_marts.
