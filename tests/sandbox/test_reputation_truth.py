"""The community care planted in the world and ``manifest["reputation"]``.

Oracles: the plan's hand-written constants (day 25, maison-lumiere, northwind-coffee), the raw
world tables, and the sandbox's own APIs read over HTTP (Graph comments, Google reviews), each
recomputed here with the documented counting rules, never with the truth's code.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from sandbox.world import care
from sandbox.world.generator import WorldSpec
from sandbox.world.reputation_truth import reputation_manifest
from tests.sandbox.sandbox_support import SMALL, TODAY, Graph

CRISIS_DAY = "2025-11-25"
NORTHWIND_PAGE = "104500000000003"
GBP_TOKEN = "sandbox-google-business-token"
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


@pytest.fixture(scope="module")
def truth(world: Path) -> dict[str, Any]:
    with duckdb.connect(str(world), read_only=True) as con:
        return reputation_manifest(con.cursor(), TODAY)


def _sql(world: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, date(2025, 11, 25)),
        (40, date(2025, 11, 25)),
        (365, date(2025, 11, 25)),
        (5, date(2025, 11, 5)),
        (1, None),
    ],
)
def test_crisis_day_inside_every_world(days: int, expected: date | None) -> None:
    assert care.crisis_day(WorldSpec(start=date(2025, 11, 1), days=days)) == expected


def test_crisis_on_its_day_for_its_brand_and_none_on_the_control(truth: dict[str, Any]) -> None:
    assert truth["control_brand"] == "northwind-coffee"
    assert [(c["brand_id"], c["day"]) for c in truth["crises"]] == [("maison-lumiere", CRISIS_DAY)]
    planted = truth["crises"][0]["items"]
    assert set(planted) == {
        "comment/facebook",
        "comment/instagram",
        "mention/x",
        "review/google_business",
        "review/trustpilot",
    }
    negatives = truth["brands"]["maison-lumiere"]["negative_daily"]
    others = [n for day, n in negatives.items() if day != CRISIS_DAY]
    assert negatives[CRISIS_DAY] >= 60 and negatives[CRISIS_DAY] > 3 * max(others)
    control = truth["brands"]["northwind-coffee"]["negative_daily"]
    assert set(control.values()) == {1}  # one negative a day: flat, no burst possible
    assert len(control) == (TODAY - SMALL.start).days + 1


def test_crisis_seen_in_the_raw_tables(world: Path) -> None:
    """1-2 star Google reviews and negative X mentions per day, straight from the world."""
    per_day = dict(
        _sql(
            world,
            "SELECT CAST(create_time AS DATE)::VARCHAR, count(*) FROM gbp_reviews "
            "WHERE brand_id = 'maison-lumiere' AND star_rating <= 2 GROUP BY 1",
        )
    )
    assert per_day[CRISIS_DAY] >= 18 and per_day[CRISIS_DAY] > 3 * max(
        n for d, n in per_day.items() if d != CRISIS_DAY
    )
    mentions = dict(
        _sql(
            world,
            "SELECT a.brand_id, max(n) - min(n) FROM (SELECT account_id, "
            "CAST(created_at AS DATE) d, count(*) n FROM x_tweets WHERE kind = 'mention' "
            "AND sentiment = 'negative' GROUP BY ALL) JOIN x_accounts a "
            "ON a.user_id = account_id GROUP BY 1",
        )
    )
    assert mentions["northwind-coffee"] == 0  # exactly one negative mention every day
    stars = _sql(
        world, "SELECT min(star_rating) FROM gbp_reviews WHERE brand_id = ?", ["northwind-coffee"]
    )
    assert stars[0][0] >= 3


def test_threads_hold_fan_replies_and_several_brand_replies(world: Path) -> None:
    fan_first, several = _sql(
        world,
        """WITH t AS (
            SELECT parent_id,
                   min(created_time) FILTER (WHERE is_brand) AS first_brand,
                   min(created_time) FILTER (WHERE NOT is_brand) AS first_fan,
                   count(*) FILTER (WHERE is_brand) AS brand_replies
            FROM comments WHERE parent_id IS NOT NULL GROUP BY 1)
        SELECT count(*) FILTER (WHERE first_fan < first_brand),
               count(*) FILTER (WHERE brand_replies >= 2) FROM t""",
    )[0]
    assert fan_first > 20 and several > 20
    fan_only = _sql(
        world,
        "SELECT count(*) FROM (SELECT parent_id FROM comments WHERE parent_id IS NOT NULL "
        "GROUP BY 1 HAVING bool_and(NOT is_brand))",
    )[0][0]
    assert fan_only > 20  # answered by a fan only: still unanswered by the brand


def test_each_brand_has_its_own_response_speed(truth: dict[str, Any]) -> None:
    brands = truth["brands"]
    for brand in brands.values():
        assert 0 < brand["answered"] < brand["inbound"] and brand["unanswered"] > 0
    fb = {b: v["by_channel_platform"]["comment/facebook"] for b, v in brands.items()}
    assert (
        fb["maison-lumiere"]["median_response_minutes"]
        < fb["northwind-coffee"]["median_response_minutes"]
        < fb["velo-vert"]["median_response_minutes"]
    )


def test_facebook_truth_equals_the_graph_api(graph: Graph, manifest: dict[str, Any]) -> None:
    """Northwind's Page through the API: inbound = not from the Page; the first Page reply
    after the item in its thread (top-level comment and its replies) is the response."""
    fields = "id,created_time,parent{id},from{id}"
    posts = graph.walk(f"/{NORTHWIND_PAGE}/published_posts", fields="id", limit=50)
    comments = [
        c
        for p in posts
        for c in graph.walk(f"/{p['id']}/comments", fields=fields, filter="stream", limit=100)
    ]
    thread = {c["id"]: c.get("parent", {}).get("id", c["id"]) for c in comments}
    brand = [c for c in comments if c["from"]["id"] == NORTHWIND_PAGE]
    inbound = [c for c in comments if c["from"]["id"] != NORTHWIND_PAGE]
    minutes = []
    for item in inbound:
        at = _ts(item["created_time"])
        later = [
            _ts(b["created_time"])
            for b in brand
            if thread[b["id"]] == thread[item["id"]] and _ts(b["created_time"]) > at
        ]
        if later:
            minutes.append((min(later) - at).total_seconds() / 60)
    expected = manifest["reputation"]["brands"]["northwind-coffee"]["by_channel_platform"]
    assert expected["comment/facebook"] == {
        "inbound": len(inbound),
        "answered": len(minutes),
        "unanswered": len(inbound) - len(minutes),
        "median_response_minutes": round(statistics.median(minutes), 3),
        "brand_replies": len(brand),
    }


def test_google_reviews_truth_equals_the_api(base_url: str, manifest: dict[str, Any]) -> None:
    """Maison Lumière's three locations through the v4 API: count, stars, replies, median."""
    locations = [
        loc
        for loc, v in manifest["sources"]["google_business"]["locations"].items()
        if v["brand_id"] == "maison-lumiere"
    ]
    reviews: list[dict[str, Any]] = []
    for loc in locations:
        token = None
        while True:
            response = requests.get(
                f"{base_url}/google_business/v4/{loc}/reviews",
                params={"pageSize": 50, **({"pageToken": token} if token else {})},
                headers={"Authorization": f"Bearer {GBP_TOKEN}"},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            reviews += body.get("reviews", [])
            token = body.get("nextPageToken")
            if not token:
                break
    minutes = [
        (_ts(r["reviewReply"]["updateTime"]) - _ts(r["createTime"])).total_seconds() / 60
        for r in reviews
        if "reviewReply" in r
    ]
    brand = manifest["reputation"]["brands"]["maison-lumiere"]
    assert brand["by_channel_platform"]["review/google_business"] == {
        "inbound": len(reviews),
        "answered": len(minutes),
        "unanswered": len(reviews) - len(minutes),
        "median_response_minutes": round(statistics.median(minutes), 3),
        "brand_replies": len(minutes),
    }
    ratings = {str(s): 0 for s in range(1, 6)}
    for r in reviews:
        ratings[str(STARS[r["starRating"]])] += 1
    assert brand["reviews"]["google_business"] == {"reviews": len(reviews), "ratings": ratings}


def test_undisclosed_partnerships_are_listed(truth: dict[str, Any], world: Path) -> None:
    listed = {k for keys in truth["undisclosed_partnerships"].values() for k in keys}
    meta = _sql(
        world,
        "SELECT platform || ':' || post_id FROM posts WHERE is_partnership AND NOT is_disclosed "
        "AND created_time <= ?",
        [datetime.combine(TODAY, datetime.max.time())],
    )
    assert meta and {k for (k,) in meta} <= listed
    assert truth == reputation_manifest(duckdb.connect(str(world), read_only=True), TODAY)


def test_x_replies_counted_from_the_window(world: Path) -> None:
    """Fans answering fans on X (search/recent only) count from six days before the first
    load; replies naming the brand come with the mentions, whatever their age."""
    first = SMALL.start + timedelta(days=6)
    whole = datetime.combine(SMALL.start, datetime.min.time())
    week = datetime.combine(TODAY - timedelta(days=6), datetime.min.time())
    with duckdb.connect(str(world), read_only=True) as con:
        default = reputation_manifest(con.cursor(), TODAY)
        wide = reputation_manifest(con.cursor(), TODAY, loads_from=first)
    for since, truth in ((week, default), (whole, wide)):
        raw = dict(
            _sql(
                world,
                "SELECT a.brand_id, count(*) FROM x_tweets t JOIN x_accounts a "
                "ON a.user_id = t.account_id WHERE t.kind = 'reply' "
                "AND (t.mentions_brand OR t.created_at >= ?) "
                "AND t.created_at <= ? AND t.deleted_at IS NULL GROUP BY 1",
                [since, datetime.combine(TODAY, datetime.max.time())],
            )
        )
        got = {
            b: v["by_channel_platform"]["comment/x"]["inbound"]
            for b, v in truth["brands"].items()
            if "comment/x" in v["by_channel_platform"]
        }
        assert got == raw


def test_youtube_serves_the_paid_promotion_flag(base_url: str, world: Path) -> None:
    """Disclosed YouTube deals carry the creator's paid-promotion flag; undisclosed ones not."""
    found = dict(
        _sql(
            world,
            "SELECT video_id, is_disclosed FROM yt_videos WHERE is_partnership "
            "AND published_at <= ? ORDER BY video_id",
            [datetime.combine(TODAY, datetime.min.time())],
        )
    )
    assert set(found.values()) == {True, False}
    response = requests.get(
        f"{base_url}/youtube/youtube/v3/videos",
        params={"part": "id,paidProductPlacementDetails", "id": ",".join(found)},
        headers={"Authorization": "Bearer sandbox-youtube-token"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    served = {
        v["id"]: v["paidProductPlacementDetails"]["hasPaidProductPlacement"]
        for v in response.json()["items"]
    }
    assert served == found


def test_mentions_deleted_after_their_load_still_count(world: Path) -> None:
    """A mention deleted after the day it was loaded stays in a daily-loaded warehouse."""
    first = SMALL.start + timedelta(days=7)
    end = datetime.combine(TODAY, datetime.max.time()).replace(microsecond=0)
    with duckdb.connect(str(world), read_only=True) as con:
        once = reputation_manifest(con.cursor(), TODAY)
        daily = reputation_manifest(con.cursor(), TODAY, loads_from=first)
    raw = dict(
        _sql(
            world,
            "SELECT a.brand_id, count(*) FROM x_tweets t JOIN x_accounts a "
            "ON a.user_id = t.account_id WHERE t.kind = 'mention' AND t.created_at <= ? "
            "AND (t.deleted_at IS NULL OR t.deleted_at > ? OR (t.deleted_at > ? "
            "AND CAST(t.deleted_at AS DATE) > CAST(t.created_at AS DATE))) GROUP BY 1",
            [end, end, datetime.combine(first, datetime.max.time())],
        )
    )
    got = {b: v["by_channel_platform"]["mention/x"]["inbound"] for b, v in daily["brands"].items()}
    assert got == raw
    gone = sum(got.values()) - sum(
        v["by_channel_platform"]["mention/x"]["inbound"] for v in once["brands"].values()
    )
    assert gone > 0
