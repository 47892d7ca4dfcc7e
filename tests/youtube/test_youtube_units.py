"""Fast unit tests: Google error classification, paging helpers, durations, API limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from ingestion.http import ApiClient, RetryPolicy, SourceAuthError, SourceError
from ingestion.youtube.helpers import (
    CommentsDisabled,
    duration_seconds,
    make_classifier,
    paginate,
    report_pages,
)
from ingestion.youtube.rows import analytics_rows
from tests.youtube.support import TOKEN


def response(status: int, body: Any, url: str = "https://x/youtube/v3/videos", **headers: str):
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.headers.update({"Content-Type": "application/json", **headers})
    resp.url = url
    return resp


def google(status: int, reason: str, message: str = "m") -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}


def test_classifier_retries_throttling_and_transient_errors() -> None:
    classify = make_classifier()
    assert classify(response(200, {"items": []}), "UC1").action == "ok"
    assert classify(response(200, b'{"items": [{"id"'), "UC1").action == "retry"  # truncated
    assert classify(response(403, google(403, "rateLimitExceeded")), "UC1").action == "retry"
    assert classify(response(403, google(403, "userRateLimitExceeded")), "UC1").action == "retry"
    verdict = classify(response(429, google(429, "rateLimitExceeded"), **{"Retry-After": "7"}), "a")
    assert (verdict.action, verdict.wait_s) == ("retry", 7.0)
    assert classify(response(500, google(500, "backendError")), "UC1").action == "retry"
    assert classify(response(503, google(503, "backendError")), "UC1").action == "retry"


def test_classifier_gives_quota_a_short_budget_per_request() -> None:
    classify = make_classifier(quota_retries=2)
    quota = response(403, google(403, "quotaExceeded", "exceeded your quota."))
    assert classify(quota, "UC1").action == "retry"
    assert classify(quota, "UC1").action == "retry"
    final = classify(quota, "UC1")
    assert final.action == "fail" and isinstance(final.error, SourceError)
    assert "youtube: account UC1: daily API quota exhausted" in str(final.error)
    assert "midnight Pacific" in str(final.error)
    other = response(403, google(403, "quotaExceeded"), url="https://x/other")
    assert classify(other, "UC1").action == "retry"  # the budget is per request


def test_classifier_fails_fast_on_auth_permission_and_client_errors() -> None:
    classify = make_classifier()
    auth = classify(response(401, google(401, "authError", "invalid credentials")), "UC1")
    assert isinstance(auth.error, SourceAuthError) and "access token rejected" in str(auth.error)
    denied = classify(response(403, google(403, "forbidden", "Forbidden")), "UC1")
    assert isinstance(denied.error, SourceAuthError) and "permission denied" in str(denied.error)
    off = classify(response(403, google(403, "commentsDisabled", "has disabled comments")), "UC1")
    assert isinstance(off.error, CommentsDisabled) and off.error.reason == "commentsDisabled"
    other = classify(response(400, google(400, "invalidFilters")), "UC1")
    assert other.action == "fail" and "invalidFilters" in str(other.error)


class FakeSession(requests.Session):
    """Answers a scripted list of responses and records the params of each request."""

    def __init__(self, answers: list[requests.Response]) -> None:
        super().__init__()
        self.answers, self.seen = answers, []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.seen.append(dict(kwargs.get("params") or {}))
        return self.answers.pop(0)


def client(answers: list[requests.Response]) -> ApiClient:
    return ApiClient(
        "youtube",
        "https://x/youtube/v3",
        make_classifier(),
        policy=RetryPolicy(max_attempts=3, backoff_base_s=0.0),
        sleep=lambda s: None,
        session=FakeSession(answers),
    )


def test_paginate_follows_next_page_token_and_retries_a_throttled_page() -> None:
    api = client(
        [
            response(200, {"items": [1, 2], "nextPageToken": "A"}),
            response(403, google(403, "rateLimitExceeded")),
            response(200, {"items": [3]}),
        ]
    )
    pages = list(paginate(api, "playlistItems", {"playlistId": "UU1"}, "UC1"))
    assert [p.data["items"] for p in pages] == [[1, 2], [3]]
    assert [p.get("pageToken") for p in api.session.seen] == [None, "A", "A"]
    assert api.retries == 1


def test_report_pages_use_one_based_start_index_until_a_short_page() -> None:
    api = client(
        [
            response(200, {"rows": [[1], [2]]}),
            response(200, {"rows": [[3], [4]]}),
            response(200, {}),
        ]
    )
    pages = list(report_pages(api, {"ids": "channel==UC1"}, "UC1", page_size=2))
    assert len(pages) == 3
    assert [p["startIndex"] for p in api.session.seen] == [1, 3, 5]


def test_analytics_rows_follow_column_headers_and_reject_bad_rows() -> None:
    names = [
        "video",
        "day",
        "views",
        "estimatedMinutesWatched",
        "averageViewDuration",
        "likes",
        "comments",
        "shares",
        "subscribersGained",
        "subscribersLost",
    ]
    data = {
        "columnHeaders": [{"name": n} for n in names],
        "rows": [
            ["v1", "2025-12-01", 5, 3, 40, 1, 0, 0, 0, 0],
            ["v2", "2025-12-01", "x", 3, 40, 1, 0, 0, 0, 0],
        ],
    }
    good, bad = analytics_rows(data, "UC1", None)  # type: ignore[arg-type]
    assert [(r["video_id"], r["views"], r["average_view_duration_s"]) for r in good] == [
        ("v1", 5, 40)
    ]
    assert bad[0][0] == "v2/2025-12-01" and "'views' is not an integer" in bad[0][2]


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("PT36S", 36), ("PT4M5S", 245), ("PT1H2M", 3720), ("P1DT1S", 86401), ("PT", None), ("", None)],
)
def test_duration_seconds(raw: str, seconds: int | None) -> None:
    assert duration_seconds(raw) == seconds


def test_sandbox_limits_paging_and_errors(sandbox_url: str) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    base = f"{sandbox_url}/youtube/youtube/v3"
    too_many = http.get(f"{base}/videos", params={"part": "statistics", "id": ",".join(["a"] * 51)})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["errors"][0]["reason"] == "invalidFilters"
    seen, token = [], None
    while True:
        params = {
            "part": "contentDetails",
            "playlistId": "UUvelovert00000000000000b2",
            "maxResults": 4,
            **({"pageToken": token} if token else {}),
        }
        page = http.get(f"{base}/playlistItems", params=params).json()
        seen += [i["contentDetails"]["videoId"] for i in page["items"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == page["pageInfo"]["totalResults"]
    bad_token = http.get(f"{base}/playlistItems", params={**params, "pageToken": "zz"})
    assert bad_token.json()["error"]["errors"][0]["reason"] == "invalidPageToken"
    key = requests.get(f"{base}/channels", params={"part": "id", "id": "x", "key": "nope"})
    assert key.status_code == 400 and "API key not valid" in key.text
    keyed = requests.get(
        f"{base}/channels",
        params={
            "part": "statistics",
            "id": "UCvelovert00000000000000b2",
            "key": "sandbox-youtube-key",
        },
    )
    assert keyed.json()["items"][0]["statistics"]["subscriberCount"].isdigit()
    throttled = http.get(
        f"{base}/channels",
        params={"part": "id", "id": "x"},
        headers={"X-Sandbox-Fault": "throttle,throttle_code=3"},
    )
    assert throttled.status_code == 403
    assert throttled.json()["error"]["errors"][0] == {
        "message": "The request cannot be completed because you have exceeded your quota.",
        "domain": "youtube.quota",
        "reason": "quotaExceeded",
    }
    analytics = f"{sandbox_url}/youtube/v2/reports"
    forbidden = http.get(
        analytics,
        params={
            "ids": "channel==UCother",
            "startDate": "2025-11-01",
            "endDate": "2025-11-02",
            "metrics": "views",
        },
    )
    assert forbidden.status_code == 403
