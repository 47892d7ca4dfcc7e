"""The sandbox's batched and indexed reads answer exactly as the per-item queries they replace.

Multi-id lookups prefetch objects, counts, first comment pages and replies for all ids at once;
YouTube reports slice a per-channel table; LinkedIn and YouTube comment pages come from an
in-memory index. Each is checked against the unbatched answer (the single-object lookup, or
the SQL the API used to run).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.vendors.youtube import queries as q
from sandbox.vendors.youtube.reports import VideoReports
from sandbox.world.index import Groups
from sandbox.world.store import now_of, open_readonly, rows
from tests.sandbox.sandbox_support import TODAY, Graph

FB_PAGE = "104500000000001"
IG_USER = "17841400000000001"
FB_STREAM = (
    "comments.filter(stream).order(chronological).limit(7)"
    "{id,message,created_time,like_count,comment_count,parent{id},from{id,name}}"
)
FB_NEWEST = "comments.order(reverse_chronological).limit(3){id,message,comment_count}"
FB_INSIGHTS = (
    "id,shares,reactions.limit(0).summary(true),comments.limit(0).summary(true),"
    "insights.metric(post_media_view,post_clicks,post_reactions_by_type_total).period(lifetime)"
)
IG_COMMENTS = (
    "comments.limit(4){id,text,timestamp,username,like_count,from{id,username},"
    "replies{id,text,timestamp,username,like_count,from{id,username},parent_id}}"
)
IG_INSIGHTS = "id,like_count,comments_count,username,insights.metric(reach,likes,comments)"


def _ids(manifest: dict[str, Any], account: str, n: int) -> list[str]:
    return manifest["accounts"][account]["post_ids"][:n]


@pytest.mark.parametrize(
    ("account", "fields"),
    [
        (FB_PAGE, FB_STREAM),
        (FB_PAGE, FB_NEWEST + ",message"),
        (FB_PAGE, FB_INSIGHTS),
        (FB_PAGE, ""),
        (IG_USER, IG_COMMENTS),
        (IG_USER, IG_INSIGHTS),
    ],
)
def test_multi_id_lookup_is_the_single_lookups(
    graph: Graph, manifest: dict[str, Any], account: str, fields: str
) -> None:
    ids = _ids(manifest, account, 12)
    params = {"fields": fields} if fields else {}
    multi = graph.ok("/", ids=",".join(ids), **params)
    assert list(multi) == ids
    for post_id in ids:
        assert multi[post_id] == graph.ok(f"/{post_id}", **params), post_id


def test_mixed_ids_and_comment_ids(graph: Graph, manifest: dict[str, Any]) -> None:
    post_id = _ids(manifest, FB_PAGE, 1)[0]
    comments = graph.ok(f"/{post_id}/comments", fields="id", filter="stream", limit=3)["data"]
    ids = [FB_PAGE, post_id, *(c["id"] for c in comments), IG_USER, post_id]
    multi = graph.ok("/", ids=",".join(ids))
    assert list(multi) == list(dict.fromkeys(ids))
    for obj_id in ids:
        assert multi[obj_id] == graph.ok(f"/{obj_id}")


def test_multi_id_errors_are_those_of_the_first_failing_id(
    graph: Graph, manifest: dict[str, Any]
) -> None:
    ids = _ids(manifest, FB_PAGE, 3)

    def error(path: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = graph.get(path, **params)
        return response.status_code, response.json()["error"] | {"fbtrace_id": ""}

    missing = [ids[0], "999999999_1", ids[1]]
    assert error("/", ids=",".join(missing)) == error("/999999999_1")
    bad_limit = "comments.limit(x){id}"
    assert error("/", ids=",".join(ids), fields=bad_limit) == error(f"/{ids[0]}", fields=bad_limit)
    assert error("/", ids=",".join(ids), fields="id,nope") == error(f"/{ids[0]}", fields="id,nope")


def test_expanded_edge_pages_continue_like_the_edge(graph: Graph, manifest: dict[str, Any]) -> None:
    """The nested ``paging.next`` of a batched lookup walks the edge to its end."""
    post_id = max(
        manifest["accounts"][FB_PAGE]["post_ids"],
        key=lambda p: manifest["accounts"][FB_PAGE]["posts"][p]["comments"],
    )
    nested = graph.ok("/", ids=post_id, fields=FB_STREAM)[post_id]["comments"]
    walked = nested["data"]
    while "next" in nested.get("paging", {}):
        nested = requests.get(nested["paging"]["next"], timeout=30).json()
        walked += nested["data"]
    direct = graph.walk(
        f"/{post_id}/comments", fields="id", filter="stream", order="chronological", limit=7
    )
    assert [c["id"] for c in walked] == [c["id"] for c in direct]


def test_youtube_video_reports_slice_like_the_filtered_query(world: Path) -> None:
    con = open_readonly(world)
    try:
        cur = con.cursor()
        reports = VideoReports()
        for (channel,) in cur.execute("SELECT channel_id FROM yt_channels").fetchall():
            videos = cur.execute(
                "SELECT video_id, CAST(published_at AS DATE) FROM yt_videos "
                "WHERE channel_id = ? ORDER BY video_id",
                [channel],
            ).fetchall()
            last = TODAY - timedelta(days=q.ANALYTICS_LAG_DAYS)
            for video, published in [*videos, ("not-a-video", TODAY)]:
                for start in (published - timedelta(days=3), published + timedelta(days=2)):
                    expected = q.video_days(cur, channel, start, last, ("day",), [video])
                    assert reports.report(cur, channel, start, last, video) == expected
    finally:
        con.close()


def test_index_groups_sort_and_visibility() -> None:
    t = datetime(2025, 1, 1)
    data = [
        {"k": "a", "at": t, "id": "b"},
        {"k": "a", "at": t, "id": "a"},
        {"k": "a", "at": t - timedelta(hours=1), "id": "z"},
        {"k": "a", "at": t + timedelta(hours=1), "id": "c"},
        {"k": "a", "at": None, "id": "n"},
        {"k": None, "at": t, "id": "x"},
    ]
    groups = Groups(data, "k", "at", "id")
    assert [r["id"] for r in groups.visible("a", t)] == ["z", "a", "b"]
    assert [r["id"] for r in groups.visible("a", t + timedelta(days=1))] == ["z", "a", "b", "c"]
    assert groups.visible(None, t) == []
    assert groups.visible("missing", t) == []


def _li_get(base_url: str, path: str, **params: Any) -> dict[str, Any]:
    headers = {
        "Authorization": "Bearer sandbox-linkedin-token",
        "LinkedIn-Version": "202509",
        "X-Restli-Protocol-Version": "2.0.0",
    }
    response = requests.get(f"{base_url}/linkedin/rest{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_linkedin_comment_pages_are_the_query_pages(base_url: str, world: Path) -> None:
    con = open_readonly(world)
    try:
        cur, now = con.cursor(), now_of(TODAY)
        posts = rows(cur, "SELECT post_urn FROM linkedin_posts WHERE published_at <= ?", [now])
        for post in posts[:25]:
            urn = post["post_urn"]
            expected = rows(
                cur,
                "SELECT c.comment_id, (SELECT count(*) FROM linkedin_comments r WHERE "
                "r.parent_id = c.comment_id AND r.created_at <= ?) AS replies "
                "FROM linkedin_comments c WHERE c.post_urn = ? AND c.parent_id IS NULL "
                "AND c.created_at <= ? ORDER BY c.created_at, c.comment_id LIMIT 3 OFFSET 1",
                [now, urn, now],
            )
            quoted = requests.utils.quote(urn, safe="")
            page = _li_get(base_url, f"/socialActions/{quoted}/comments", start=1, count=3)
            got = [
                (e["id"], e["commentsSummary"]["totalFirstLevelComments"]) for e in page["elements"]
            ]
            assert got == [(c["comment_id"], c["replies"]) for c in expected]
    finally:
        con.close()


def test_youtube_threads_first_page_is_the_query_page(base_url: str, world: Path) -> None:
    con = open_readonly(world)
    try:
        cur, now = con.cursor(), now_of(TODAY)
        videos = cur.execute(
            "SELECT video_id FROM yt_videos WHERE NOT comments_disabled AND published_at <= ? "
            "ORDER BY video_id LIMIT 10",
            [now],
        ).fetchall()
        for (video,) in videos:
            expected = cur.execute(
                "SELECT comment_id FROM yt_comments WHERE video_id = ? AND parent_id IS NULL "
                "AND published_at <= ? ORDER BY published_at DESC, comment_id DESC LIMIT 5",
                [video, now],
            ).fetchall()
            body = requests.get(
                f"{base_url}/youtube/youtube/v3/commentThreads",
                params={"part": "snippet", "videoId": video, "maxResults": 5},
                headers={"Authorization": "Bearer sandbox-youtube-token"},
                timeout=30,
            ).json()
            assert [i["id"] for i in body["items"]] == [c[0] for c in expected]
    finally:
        con.close()
