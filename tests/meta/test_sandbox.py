"""The emulated Graph API (served under /meta) over real HTTP: paging, auth, fields, insights,
expanded edges, clock; compared with the generator's manifest."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.sandbox.sandbox_support import TODAY, Graph

FB_PAGE = "104500000000001"
IG_USER = "17841400000000001"
POST_FIELDS = (
    "id,message,created_time,permalink_url,status_type,full_picture,shares,attachments,"
    "reactions.limit(0).summary(true),comments.limit(0).summary(true)"
)
FB_COMMENT_FIELDS = "id,message,created_time,like_count,comment_count,parent{id},from{id,name}"
IG_MEDIA_FIELDS = (
    "id,caption,comments_count,like_count,media_type,media_product_type,permalink,"
    "shortcode,timestamp,username,owner{id},is_comment_enabled"
)
IG_COMMENT_FIELDS = (
    "id,text,timestamp,username,like_count,from{id,username},"
    "replies{id,text,timestamp,username,like_count,from{id,username},parent_id}"
)


def _account_lists(graph: Graph, account_id: str, platform: str) -> tuple[list, list]:
    """All post ids and all comment ids of an account, walked through the API."""
    if platform == "facebook":
        posts = graph.walk(f"/{account_id}/published_posts", fields=POST_FIELDS, limit=7)
        comments = []
        for post in posts:
            comments += graph.walk(
                f"/{post['id']}/comments",
                fields=FB_COMMENT_FIELDS,
                filter="stream",
                order="chronological",
                limit=10,
            )
        return [p["id"] for p in posts], [c["id"] for c in comments]
    media = graph.walk(f"/{account_id}/media", fields=IG_MEDIA_FIELDS, limit=9)
    ids = []
    for item in media:
        for top in graph.walk(f"/{item['id']}/comments", fields=IG_COMMENT_FIELDS, limit=10):
            ids.append(top["id"])
            ids += [r["id"] for r in top["replies"]["data"]]
    return [m["id"] for m in media], ids


def test_paging_returns_exactly_the_manifest(graph: Graph, manifest: dict[str, Any]) -> None:
    for account_id, truth in manifest["accounts"].items():
        post_ids, comment_ids = _account_lists(graph, account_id, truth["platform"])
        assert post_ids == truth["post_ids"]  # newest first, no duplicates
        assert len(set(comment_ids)) == len(comment_ids)
        assert sorted(comment_ids) == sorted(truth["comment_ids"])
        assert post_ids and comment_ids


def test_cursor_pages_and_before(graph: Graph) -> None:
    first = graph.ok(f"/{FB_PAGE}/published_posts", limit=5)
    second = graph.ok(
        f"/{FB_PAGE}/published_posts", limit=5, after=first["paging"]["cursors"]["after"]
    )
    assert "previous" in second["paging"]
    back = graph.ok(
        f"/{FB_PAGE}/published_posts", limit=5, before=second["paging"]["cursors"]["before"]
    )
    assert [p["id"] for p in back["data"]] == [p["id"] for p in first["data"]]
    assert second["paging"]["next"].startswith(graph.meta + "/v23.0/")
    bad = graph.get(f"/{FB_PAGE}/published_posts", after="not-a-cursor!")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


def test_comments_include_brand_replies(graph: Graph, manifest: dict[str, Any]) -> None:
    fb_posts = manifest["accounts"][FB_PAGE]["post_ids"]
    replies = []
    for post_id in fb_posts[10:40]:
        for c in graph.walk(f"/{post_id}/comments", fields=FB_COMMENT_FIELDS, filter="stream"):
            if "parent" in c:
                replies.append(c)
    assert any(r["from"]["id"] == FB_PAGE for r in replies)
    top = graph.ok(f"/{fb_posts[20]}/comments", fields="id,parent{id}")["data"]
    assert all("parent" not in c for c in top)  # default filter is toplevel
    ig = manifest["accounts"][IG_USER]["post_ids"][10:30]
    owners = [
        r["from"]["id"]
        for m in ig
        for c in graph.walk(f"/{m}/comments", fields=IG_COMMENT_FIELDS)
        for r in c["replies"]["data"]
    ]
    assert IG_USER in owners


def test_bad_missing_and_expired_tokens(graph: Graph) -> None:
    bad = graph.get(f"/{FB_PAGE}", token="nope")
    assert bad.status_code == 400
    err = bad.json()["error"]
    assert err["code"] == 190 and err["type"] == "OAuthException" and err["fbtrace_id"]
    assert err["message"] == "Invalid OAuth access token - Cannot parse access token"
    expired = graph.get(f"/{FB_PAGE}", token="expired-token").json()["error"]
    assert expired["code"] == 190 and expired["error_subcode"] == 463
    assert "Session has expired" in expired["message"]
    assert graph.get(f"/{FB_PAGE}", token=None).json()["error"]["code"] == 104
    bearer = graph.get(
        f"/{FB_PAGE}", token=None, headers={"Authorization": "Bearer sandbox-meta-token"}
    )
    assert bearer.status_code == 200


def test_versions_and_unknowns(graph: Graph) -> None:
    old = graph.http.get(
        graph.meta + f"/v12.0/{FB_PAGE}", params={"access_token": "sandbox-meta-token"}
    )
    assert old.status_code == 400 and old.json()["error"]["code"] == 2635
    assert graph.get(f"/{FB_PAGE}", fields="id,bogus").json()["error"]["code"] == 100
    assert graph.get("/123456").json()["error"]["error_subcode"] == 33
    assert graph.get(f"/{FB_PAGE}/nothing").json()["error"]["code"] == 2500


def test_every_response_has_usage_and_date_headers(graph: Graph) -> None:
    for response in (
        graph.get(f"/{FB_PAGE}"),
        graph.get(f"/{IG_USER}"),
        graph.get("/1", token="x"),
    ):
        assert "call_count" in response.headers["X-App-Usage"]
        assert "X-Business-Use-Case-Usage" in response.headers
        assert parsedate_to_datetime(response.headers["Date"]).date() == TODAY
    buc = graph.get(f"/{IG_USER}").headers["X-Business-Use-Case-Usage"]
    assert '"type": "instagram"' in buc and IG_USER in buc


def test_facebook_post_insights(graph: Graph, manifest: dict[str, Any]) -> None:
    truth = manifest["accounts"][FB_PAGE]["posts"]
    post_id = manifest["accounts"][FB_PAGE]["post_ids"][5]
    names = "post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"
    body = graph.ok(f"/{post_id}/insights", metric=names, period="lifetime")
    values = {e["name"]: e["values"][0]["value"] for e in body["data"]}
    assert values["post_media_view"] == truth[post_id]["post_media_view"]
    assert (
        values["post_reactions_by_type_total"]["like"]
        == truth[post_id]["post_reactions_by_type_total.like"]
    )
    assert sum(values["post_reactions_by_type_total"].values()) == truth[post_id]["reactions"]
    dep = graph.get(f"/{post_id}/insights", metric="post_media_view,post_impressions")
    assert dep.status_code == 400
    assert dep.json()["error"] | {"fbtrace_id": ""} == {
        "message": "(#100) The value must be a valid insights metric",
        "type": "OAuthException",
        "code": 100,
        "fbtrace_id": "",
    }
    post = graph.ok(f"/{post_id}", fields=POST_FIELDS)
    assert post["reactions"]["summary"]["total_count"] == truth[post_id]["reactions"]
    assert post["comments"]["summary"]["total_count"] == truth[post_id]["comments"]
    ids = manifest["accounts"][FB_PAGE]["post_ids"][:3]
    multi = graph.ok(
        "/", ids=",".join(ids), fields="id,insights.metric(post_clicks).period(lifetime)"
    )
    assert set(multi) == set(ids)
    for pid in ids:
        assert multi[pid]["insights"]["data"][0]["values"][0]["value"] == truth[pid]["post_clicks"]


def test_instagram_insights_use_views_not_impressions(
    graph: Graph, manifest: dict[str, Any]
) -> None:
    media = graph.walk(f"/{IG_USER}/media", fields="id,media_product_type,media_type,like_count")
    truth = manifest["accounts"][IG_USER]["posts"]
    reel = next(m for m in media if m["media_product_type"] == "REELS")
    image = next(m for m in media if m["media_type"] == "IMAGE")
    for item in (reel, image):
        body = graph.ok(f"/{item['id']}/insights", metric="reach,views,likes,total_interactions")
        values = {e["name"]: e["values"][0]["value"] for e in body["data"]}
        assert values["views"] == truth[item["id"]]["views"]
        assert values["likes"] == item["like_count"] == truth[item["id"]]["like_count"]
    assert graph.ok(f"/{reel['id']}/insights", metric="ig_reels_avg_watch_time")["data"]
    for gone in ("impressions", "plays", "video_views"):
        err = graph.get(f"/{reel['id']}/insights", metric=f"reach,{gone}").json()["error"]
        assert err["code"] == 100
    assert (
        graph.get(f"/{image['id']}/insights", metric="ig_reels_avg_watch_time").status_code == 400
    )


def test_accounts_and_follower_series(graph: Graph, manifest: dict[str, Any]) -> None:
    page = graph.ok(
        f"/{FB_PAGE}", fields="id,name,username,category,link,followers_count,fan_count"
    )
    assert page["followers_count"] == manifest["accounts"][FB_PAGE]["followers_count"]
    series = graph.ok(
        f"/{FB_PAGE}/insights",
        metric="page_follows",
        period="day",
        since="2025-11-20",
        until=(TODAY.replace(day=16)).isoformat(),
    )["data"][0]
    assert series["values"][-1]["value"] == page["followers_count"]
    assert series["values"][-1]["end_time"] == "2025-12-16T08:00:00+0000"
    assert len(series["values"]) == 26
    too_long = graph.get(
        f"/{FB_PAGE}/insights", metric="page_follows", since="2025-01-01", until="2025-12-01"
    )
    assert too_long.json()["error"]["code"] == 1  # Meta's answer to a window over 93 days
    user = graph.ok(
        f"/{IG_USER}", fields="id,username,name,followers_count,follows_count,media_count"
    )
    assert user["media_count"] == len(manifest["accounts"][IG_USER]["post_ids"])
    gains = graph.ok(
        f"/{IG_USER}/insights",
        metric="follower_count",
        period="day",
        since="2025-11-16",
        until="2025-12-16",
    )["data"][0]["values"]
    assert len(gains) == 30  # last 30 days only
    graph.control("POST", "/clock/set", params={"today": "2025-11-15"})
    try:
        earlier = graph.ok(f"/{IG_USER}", fields="followers_count")["followers_count"]
    finally:
        graph.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
    assert earlier + sum(v["value"] for v in gains) == user["followers_count"]
    assert graph.get(f"/{IG_USER}/insights", metric="impressions").json()["error"]["code"] == 100


def test_clock_advance_reveals_posts_and_grows_metrics(graph: Graph, reset_clock: None) -> None:
    before = graph.walk(f"/{FB_PAGE}/published_posts", fields="id,reactions.limit(0).summary(true)")
    assert graph.control("GET", "/clock")["today"] == TODAY.isoformat()
    after_clock = graph.control("POST", "/clock/advance", params={"days": 2})
    assert after_clock["today"] == "2025-12-17"
    response = graph.get(
        f"/{FB_PAGE}/published_posts", fields="id,reactions.limit(0).summary(true)"
    )
    assert (
        parsedate_to_datetime(response.headers["Date"]).isoformat() == "2025-12-17T23:59:59+00:00"
    )
    after = graph.walk(f"/{FB_PAGE}/published_posts", fields="id,reactions.limit(0).summary(true)")
    assert len(after) > len(before)
    old = {p["id"]: p["reactions"]["summary"]["total_count"] for p in before}
    new = {p["id"]: p["reactions"]["summary"]["total_count"] for p in after}
    assert all(new[k] >= v for k, v in old.items())
    assert any(new[k] > v for k, v in old.items())
    manifest = graph.control("GET", "/manifest")
    assert manifest["today"] == "2025-12-17"
    assert manifest["accounts"][FB_PAGE]["post_ids"] == [p["id"] for p in after]


@pytest.mark.parametrize(
    ("platform", "fields", "params"),
    [
        ("facebook", "id,message,parent{id}", {"filter": "stream", "order": "chronological"}),
        ("instagram", "id,text,replies{id,text}", {}),
    ],
)
def test_the_comments_edge_expands_like_the_edge_itself(
    world: Path, graph: Graph, platform: str, fields: str, params: dict[str, str]
) -> None:
    """``?ids=...&fields=comments.limit(2){...}`` nests, per post, the first page the edge
    ``/{post}/comments?limit=2`` answers, and its ``paging.next`` leads to the second page."""
    with duckdb.connect(str(world), read_only=True) as con:  # posts with most comments
        posts = [
            r[0]
            for r in con.execute(
                "select post_id from comments where platform = ? and created_time < ? "
                "group by 1 order by count(*) desc, 1 limit 5",
                [platform, TODAY],
            ).fetchall()
        ]
    modifiers = "".join(f".{k}({v})" for k, v in params.items())
    lookup = graph.ok("/", ids=",".join(posts), fields=f"comments{modifiers}.limit(2){{{fields}}}")
    followed = 0
    for post_id in posts:
        edge = graph.ok(f"/{post_id}/comments", fields=fields, limit=2, **params)
        nested = lookup[post_id]["comments"]
        assert nested["data"] == edge["data"], post_id
        if "next" in edge.get("paging", {}):
            assert nested["paging"]["next"].startswith(graph.meta + "/v23.0/")
            second = graph.http.get(nested["paging"]["next"], timeout=30).json()
            after_edge = graph.http.get(edge["paging"]["next"], timeout=30).json()
            assert second["data"] == after_edge["data"]
            followed += 1
    assert followed > 0  # some post had more than one page
