"""Fast unit tests of the TikTok classifier, paging, tokens and row builders (no server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from ingestion.http import ApiClient, RetryPolicy, SourceAuthError, SourceError
from ingestion.quarantine import InvalidRecord
from ingestion.tiktok import helpers as h
from ingestion.tiktok import tiktok_source

NOW = datetime(2025, 12, 10, 23, 59, 59, tzinfo=UTC)


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.headers.update(headers or {})
    resp.request = requests.Request("POST", "https://open.tiktokapis.com/v2/video/list/").prepare()
    resp.url = resp.request.url
    return resp


def err(code: str, message: str = "m") -> dict[str, Any]:
    return {"data": {}, "error": {"code": code, "message": message, "log_id": "L1"}}


def test_classify_ok_retry_and_fail() -> None:
    ok = response(200, {"data": {"videos": []}, "error": {"code": "ok", "message": ""}})
    assert h.classify(ok, "a").action == "ok"
    throttled = h.classify(response(429, err("rate_limit_exceeded"), {"Retry-After": "7"}), "a")
    assert (throttled.action, throttled.wait_s) == ("retry", 7.0)
    # no wait named: one whole window, TikTok's documented sliding minute
    assert h.classify(response(429, err("rate_limit_exceeded")), "a").wait_s == 60.0
    assert h.classify(response(429, err("rate_limit_exceeded")), "a", 1.5).wait_s == 1.5
    broken = h.classify(response(500, err("internal_error")), "a")
    assert (broken.action, broken.wait_s) == ("retry", None)  # the shared backoff
    assert h.classify(response(502, b"<html>bad gateway"), "a").action == "retry"
    assert h.classify(response(200, b'{"data": {"vid'), "a").action == "retry"  # truncated
    bad = h.classify(response(401, err("access_token_invalid", "The access token is invalid")), "a")
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert "tiktok: account a: TikTok error 'access_token_invalid' (HTTP 401)" in str(bad.error)
    assert "log_id L1" in str(bad.error) and "sources.tiktok.access_tokens" in str(bad.error)
    scope = h.classify(response(401, err("scope_not_authorized")), "a")
    assert isinstance(scope.error, SourceAuthError) and "video.list" in str(scope.error)
    params = h.classify(response(400, err("invalid_params", "max_count too big")), "a")
    assert params.action == "fail" and not isinstance(params.error, SourceAuthError)
    assert "'max_count too big'" in str(params.error)


class StubSession(requests.Session):
    """Answers video/list from canned pages keyed by the request's cursor; records bodies."""

    def __init__(self, pages: dict[int | None, dict[str, Any]]) -> None:
        super().__init__()
        self.pages, self.bodies = pages, []

    def request(self, method: str, url: str, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.bodies.append(kw["json"])
        data = self.pages[kw["json"].get("cursor")]
        return response(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "x"}})


def video(ts: int) -> dict[str, Any]:
    return {"id": f"v{ts}", "create_time": ts}


def client(pages: dict[int | None, dict[str, Any]]) -> tuple[ApiClient, StubSession]:
    session = StubSession(pages)
    api = ApiClient("tiktok", "http://x", h.classify, RetryPolicy(), session=session)
    return api, session


PAGES = {
    None: {"videos": [video(300), video(290)], "cursor": 290_000, "has_more": True},
    290_000: {"videos": [video(200), video(190)], "cursor": 190_000, "has_more": True},
    190_000: {"videos": [video(100)], "cursor": 100_000, "has_more": False},
}


def test_paging_follows_the_cursor_to_the_end() -> None:
    api, session = client(PAGES)
    pages = list(h.video_pages(api, "a", ["id"], 50, None))
    assert [v["id"] for vs, _ in pages for v in vs] == ["v300", "v290", "v200", "v190", "v100"]
    assert session.bodies == [
        {"max_count": 20},  # capped at the API's maximum
        {"max_count": 20, "cursor": 290_000},
        {"max_count": 20, "cursor": 190_000},
    ]


def test_paging_stops_once_past_since_and_refuses_a_stuck_cursor() -> None:
    api, session = client(PAGES)
    since = datetime.fromtimestamp(250, UTC)
    assert len(list(h.video_pages(api, "a", ["id"], 20, since))) == 2
    stuck = {None: {"videos": [video(1)], "cursor": 5, "has_more": True}}
    stuck[5] = {"videos": [video(1)], "cursor": 5, "has_more": True}
    api, _ = client(stuck)
    with pytest.raises(SourceError, match="paging stuck"):
        list(h.video_pages(api, "a", ["id"], 20, None))


def test_tokens_per_account_then_fallback() -> None:
    assert h.token_for("a", {"a": "ta"}, "all") == "ta"
    assert h.token_for("b", {"a": "ta"}, "all") == "all"
    assert h.token_for("a", '{"a": "json"}', None) == "json"
    with pytest.raises(SourceAuthError, match="no access token"):
        h.token_for("a", None, None)


def test_video_rows_validate_types() -> None:
    raw = {"id": "7", "create_time": 1765395095, "like_count": 3, "view_count": "40", "x": 1}
    video, metrics, created = h.video_rows(raw, "a", NOW)
    assert (video["video_id"], metrics["view_count"]) == ("7", 40)
    assert "x" not in video  # a field nobody asked for is dropped: it may be personal
    asked, _, _ = h.video_rows(raw, "a", NOW, requested=("id", "create_time", "x"))
    assert asked["x"] == 1  # an operator's extra video_fields ride along
    assert metrics["comment_count"] is None  # absent, not 0
    assert created == datetime(2025, 12, 10, 19, 31, 35, tzinfo=UTC)
    for bad in ({"create_time": 1}, {"id": 7, "create_time": 1}, {"id": "7", "create_time": "x"}):
        with pytest.raises(InvalidRecord):
            h.video_rows(bad, "a", NOW)
    with pytest.raises(InvalidRecord, match="epoch seconds"):
        h.video_rows({"id": "7", "create_time": "2025-12-10T00:00:00"}, "a", NOW)


def test_source_builds_without_secrets() -> None:
    source = tiktok_source(access_tokens=None, access_token=None)
    assert set(source.resources) == {"tiktok_accounts", "tiktok_videos", "tiktok_video_metrics"}
