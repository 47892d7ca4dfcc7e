"""What the emulated Graph API refuses, as Meta does: insights of IG media posted before the
business conversion (100 / 2108006), permissions a token lacks (10, 200-299), cursors kept past
their day; and the Page insights window and paging (93 days, unix since/until)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox.server import run_in_thread
from tests.sandbox.sandbox_support import TODAY, TOKEN, Graph

FB_PAGE = "104500000000001"
IG_USER = "17841400000000001"
IG_INSIGHTS = "insights.metric(reach,likes)"


@pytest.fixture(scope="module")
def planted_graph(planted: tuple[Path, str, list[str]]) -> Iterator[Graph]:
    """The sandbox over the planted world (conftest.plant_conversion)."""
    with run_in_thread(planted[0], faults="", today=TODAY) as url:
        yield Graph(url)


def test_media_before_the_conversion_refuse_insights_only(
    planted_graph: Graph, planted: tuple[Path, str, list[str]]
) -> None:
    _, ig, refused = planted
    graph = planted_graph
    media = [m["id"] for m in graph.walk(f"/{ig}/media", fields="id", limit=100)]
    assert set(refused) <= set(media)  # still listed
    later = next(m for m in media if m not in refused)
    for media_id in refused:
        answer = graph.get(f"/{media_id}/insights", metric="reach")
        assert answer.status_code == 400
        err = answer.json()["error"]
        assert (err["code"], err["error_subcode"], err["is_transient"]) == (100, 2108006, False)
        assert err["message"] == "Invalid parameter"
        assert err["error_user_title"] == "Media posted before business account conversion"
        counts = graph.ok(f"/{media_id}", fields="id,like_count,comments_count")
        assert counts["id"] == media_id and "like_count" in counts
        assert graph.get(f"/{media_id}/comments", fields="id").status_code == 200
    assert graph.get(f"/{later}/insights", metric="reach").status_code == 200
    # A multi-id lookup with the insights expansion fails as a whole (keboola issue 35).
    lookup = graph.get("/", ids=f"{later},{refused[0]}", fields=f"id,{IG_INSIGHTS}")
    assert lookup.status_code == 400 and lookup.json()["error"]["error_subcode"] == 2108006
    assert graph.ok("/", ids=f"{later},{refused[0]}", fields="id,like_count").keys() == {
        later,
        refused[0],
    }


def test_manifest_says_which_insights_are_refused(
    planted_graph: Graph, planted: tuple[Path, str, list[str]]
) -> None:
    _, ig, refused = planted
    truth = planted_graph.control("GET", "/manifest", params={"today": TODAY.isoformat()})
    assert sorted(truth["accounts"][ig]["insights_refused"]) == sorted(refused)
    assert truth["totals"]["insights_refused"] == len(refused)
    for media_id in refused:
        assert set(truth["accounts"][ig]["posts"][media_id]) == {"like_count", "comments_count"}


def test_the_default_world_refuses_nothing(graph: Graph, manifest: dict[str, Any]) -> None:
    assert manifest["totals"]["insights_refused"] == 0
    oldest = manifest["accounts"][IG_USER]["post_ids"][-1]
    assert graph.get(f"/{oldest}/insights", metric="reach").status_code == 200


def _error(response: Any) -> tuple[int, int, str]:
    err = response.json()["error"]
    return response.status_code, err["code"], err["message"]


def test_a_token_without_a_permission_gets_meta_permission_errors(
    graph: Graph, manifest: dict[str, Any]
) -> None:
    no_insights = f"{TOKEN}-without-read_insights"
    assert graph.get(f"/{FB_PAGE}", token=no_insights, fields="id").status_code == 200
    status, code, message = _error(
        graph.get(f"/{FB_PAGE}/insights", token=no_insights, metric="page_follows")
    )
    assert (status, code, message) == (403, 200, "(#200) Permissions error")
    post = manifest["accounts"][FB_PAGE]["post_ids"][0]
    lookup = graph.get("/", token=no_insights, ids=post, fields="id,insights.metric(post_clicks)")
    assert _error(lookup)[1] == 200
    no_engagement = f"{TOKEN}-without-pages_read_engagement"
    status, code, message = _error(graph.get(f"/{FB_PAGE}", token=no_engagement, fields="id"))
    assert (status, code) == (400, 10) and "'pages_read_engagement' permission" in message
    no_ig = f"{TOKEN}-without-instagram_manage_insights"
    media = manifest["accounts"][IG_USER]["post_ids"][0]
    assert graph.get(f"/{media}", token=no_ig, fields="id,like_count").status_code == 200
    status, code, message = _error(graph.get(f"/{media}/insights", token=no_ig, metric="reach"))
    assert (code, message) == (10, "(#10) Application does not have permission for this action")
    no_comments = f"{TOKEN}-without-instagram_manage_comments"
    assert _error(graph.get(f"/{media}/comments", token=no_comments, fields="id"))[1] == 10
    assert _error(graph.get(f"/{FB_PAGE}", token=f"{TOKEN}-without-everything"))[1] == 190


def test_a_cursor_is_refused_after_its_day(graph: Graph, reset_clock: None) -> None:
    first = graph.ok(f"/{FB_PAGE}/published_posts", fields="id", limit=5)
    assert graph.http.get(first["paging"]["next"], timeout=30).status_code == 200
    graph.control("POST", "/clock/advance", params={"days": 1})
    stale = graph.http.get(first["paging"]["next"], timeout=30)
    assert _error(stale)[:2] == (400, 2642)


def test_page_insights_span_93_days_and_page_in_unix_time(graph: Graph) -> None:
    until = TODAY + timedelta(days=1)
    ok = graph.ok(
        f"/{FB_PAGE}/insights",
        metric="page_follows",
        period="day",
        since=(until - timedelta(days=93)).isoformat(),
        until=until.isoformat(),
    )
    too_long = graph.get(
        f"/{FB_PAGE}/insights",
        metric="page_follows",
        since=(until - timedelta(days=94)).isoformat(),
        until=until.isoformat(),
    )
    assert _error(too_long) == (
        400,
        1,
        "There cannot be more than 93 days (8035200 s) between since and until",
    )
    previous = parse_qs(urlsplit(ok["paging"]["previous"]).query)
    # since of the window before = until - 2 * 93 days, 08:00 UTC (midnight Pacific), in seconds
    since = until - timedelta(days=2 * 93)
    assert previous["since"] == [str(int(_epoch_8am(since)))]
    assert previous["until"] == [str(int(_epoch_8am(until - timedelta(days=93))))]


def _epoch_8am(day: Any) -> float:
    """Seconds since 1970-01-01T00:00Z of ``day`` 08:00 UTC, computed by hand."""
    return (day.toordinal() - 719163) * 86400 + 8 * 3600
