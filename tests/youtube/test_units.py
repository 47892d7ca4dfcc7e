"""Fast unit tests: Google error classification, paging helpers, durations, API limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from ingestion.http import ApiClient, RetryPolicy, SourceAuthError, SourceError
from ingestion.quarantine import InvalidRecord
from ingestion.youtube.analytics import Ask, cover, follow_days, plan
from ingestion.youtube.helpers import (
    CommentsDisabled,
    duration_seconds,
    make_classifier,
    paginate,
    report_pages,
)
from ingestion.youtube.rows import VideoRef, report_rows
from ingestion.youtube.settings import ANALYTICS_COLUMNS, CHANNEL_COLUMNS


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


def test_report_rows_follow_column_headers_and_reject_bad_rows() -> None:
    names = [
        "views",
        "estimatedMinutesWatched",
        "averageViewDuration",
        "averageViewPercentage",
        "likes",
        "comments",
        "shares",
        "subscribersGained",
        "day",
        "subscribersLost",
    ]
    data = {
        "columnHeaders": [{"name": n} for n in names],
        "rows": [
            [5, 3, 40, 41.5, 1, 0, 0, 0, "2025-12-01", 0],
            ["x", 3, 40, 41.5, 1, 0, 0, 0, "2025-12-02", 0],
        ],
    }
    fixed, at = {"channel_id": "UC1", "video_id": "v1"}, datetime(2025, 12, 5, tzinfo=UTC)
    good, bad = report_rows(data, ANALYTICS_COLUMNS, fixed, "video_id", at)
    assert [
        (r["video_id"], r["day"].isoformat(), r["views"], r["average_view_duration_s"])
        for r in good
    ] == [("v1", "2025-12-01", 5, 40)]
    assert good[0]["average_view_percentage"] == 41.5  # a FLOAT column, kept as it is
    assert bad[0][0] == "v1/2025-12-02" and "'views' is not an integer" in bad[0][2]
    with pytest.raises(InvalidRecord, match="report lacks columns"):
        metrics = CHANNEL_COLUMNS | {"x": "x"}
        report_rows(data, metrics, {"channel_id": "UC1"}, "channel_id", at)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("PT36S", 36), ("PT4M5S", 245), ("PT1H2M", 3720), ("P1DT1S", 86401), ("PT", None), ("", None)],
)
def test_duration_seconds(raw: str, seconds: int | None) -> None:
    assert duration_seconds(raw) == seconds


OPTIONS = SimpleNamespace(
    stats_window_days=29, analytics_refetch_days=3, analytics_backfill_days=365
)


def _simulate(published: date, runs: list[date]) -> dict[date, date]:
    """Run ``plan`` on each day of ``runs`` for one video: {run day: first day asked}; the last
    loaded day is what that run could be served (lag 3)."""
    ref = VideoRef("v1", datetime.combine(published, datetime.min.time(), UTC).replace(hour=22))
    entry, asked = None, {}
    for today in runs:
        listed = entry is None or today - published < timedelta(days=29)  # as the listing
        asks, kept = plan(entry, [ref] if listed else [], today, OPTIONS)  # type: ignore[arg-type]
        for ask in asks:
            asked[today] = ask.start
            if ask.video_id in kept:
                kept[ask.video_id]["last"] = (today - timedelta(days=3)).isoformat()
        entry = {"run": today.isoformat(), "videos": kept}
    return asked


def test_plan_follows_a_video_past_d28_then_stops() -> None:
    published = date(2025, 1, 10)
    runs = [published + timedelta(days=n) for n in range(60)]
    asked = _simulate(published, runs)
    assert min(asked) == published and asked[published] == published
    last_run = max(asked)
    assert last_run - timedelta(days=3) >= published + timedelta(days=28)  # D+28 served
    assert last_run == published + timedelta(days=follow_days(OPTIONS))  # then never again
    # the previous run loaded up to its day - 3 (lag); re-pulled from 3 days (refetch) before
    assert asked[published + timedelta(days=10)] == published + timedelta(days=10 - 1 - 3 - 3)


def test_plan_after_a_gap_still_asks_what_the_previous_run_followed() -> None:
    published = date(2025, 1, 10)
    asked = _simulate(published, [published + timedelta(days=5), published + timedelta(days=80)])
    assert set(asked) == {published + timedelta(days=5), published + timedelta(days=80)}
    asked = _simulate(published, [published + timedelta(days=40), published + timedelta(days=41)])
    assert set(asked) == {published + timedelta(days=40)}  # first run: backfill; then too old


def test_plan_first_run_asks_listed_uploads_within_the_backfill() -> None:
    today = date(2025, 6, 1)
    refs = [
        VideoRef("old", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        VideoRef("new", datetime(2025, 4, 1, 12, tzinfo=UTC)),
        VideoRef("fresh", datetime(2025, 5, 30, 12, tzinfo=UTC)),
    ]
    asks, kept = plan(None, refs, today, OPTIONS)  # type: ignore[arg-type]
    assert [(a.video_id, a.start.isoformat()) for a in asks] == [
        ("new", "2025-04-01"),
        ("fresh", "2025-05-30"),
    ]
    assert list(kept) == ["fresh"]  # only the follow window stays in state


def _asks(*starts: date) -> list[Ask]:
    return [Ask(f"v{i}", start, start) for i, start in enumerate(starts)]


def test_cover_asks_by_day_when_days_are_fewer_than_videos() -> None:
    end = date(2025, 6, 10)
    # six videos from June 6: 5 day reports (June 6-10) beat 6 video reports
    how = cover(_asks(*[date(2025, 6, 6)] * 6), end)
    assert how.days == [date(2025, 6, d) for d in range(6, 11)] and not how.by_video
    assert sorted(how.by_day) == [f"v{i}" for i in range(6)]
    # two videos: two reports beat five days (a tie would also go to per-video reports)
    how = cover(_asks(date(2025, 6, 6), date(2025, 6, 7)), end)
    assert how.days == [] and [a.video_id for a in how.by_video] == ["v0", "v1"]


def test_cover_leaves_outliers_and_unserved_videos_out_of_the_day_reports() -> None:
    end = date(2025, 6, 10)
    recent = [date(2025, 6, 8)] * 5
    # v0 starts in May: 3 days (June 8-10) + 1 video report = 4 < 6 video reports
    how = cover(_asks(date(2025, 5, 1), *recent, date(2025, 6, 11)), end)
    assert how.days == [date(2025, 6, 8), date(2025, 6, 9), date(2025, 6, 10)]
    assert [a.video_id for a in how.by_video] == ["v0"]
    assert sorted(how.by_day) == ["v1", "v2", "v3", "v4", "v5"]  # v6 has no served day yet


def test_report_rows_of_a_top_videos_day() -> None:
    data = {
        "columnHeaders": [{"name": n} for n in ("video", "views", "likes")],
        "rows": [["a", 9, 1], ["b", "x", 0]],
    }
    fixed, at = {"channel_id": "UC1", "day": date(2025, 12, 1)}, datetime(2025, 12, 5, tzinfo=UTC)
    metrics = {"views": "views", "likes": "likes"}
    good, bad = report_rows(data, metrics, fixed, "channel_id", at, "video")
    assert [(r["video_id"], r["day"], r["views"]) for r in good] == [("a", date(2025, 12, 1), 9)]
    assert bad[0][0] == "b/2025-12-01"
