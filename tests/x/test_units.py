"""Fast tests of the X source's pieces: classifier, paging, queries, quarantine via a stub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from ingestion.http import RetriesExhausted, SourceAuthError, SourceError
from ingestion.quarantine import InvalidRecord
from ingestion.x.helpers import (
    UsageCapExceeded,
    WaitBudget,
    XClient,
    classify,
    conversation_queries,
    reset_wait_s,
)
from ingestion.x.rows import post_rows, tweet_row
from tests.sources.support import keyed_hash, load_source, query

DATE = "Wed, 10 Dec 2025 23:59:59 GMT"


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.headers.update(headers or {})
    resp.request = requests.Request("GET", "https://api.x.com/2/users/1/tweets").prepare()
    resp.url = resp.request.url
    return resp


def test_classifier_speaks_x() -> None:
    assert classify(response(200, {"data": [], "meta": {"result_count": 0}}), "1").action == "ok"
    assert classify(response(200, {"meta": {"result_count": 0}}), "1").action == "ok"
    partial = {"data": [{"id": "1"}], "errors": [{"title": "Not Found Error"}]}
    assert classify(response(200, partial), "1").action == "ok"
    assert classify(response(200, b'{"data": [{"id"'), "1").action == "retry"
    throttled = response(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        {"x-rate-limit-reset": "1000", "x-rate-limit-remaining": "0"},
    )
    verdict = classify(throttled, "1")
    assert verdict.action == "retry" and "Too Many Requests" in verdict.reason
    assert reset_wait_s(throttled.headers, now=lambda: 990.0) == pytest.approx(11.0)
    assert reset_wait_s(throttled.headers, now=lambda: 2000.0) == 0.0
    assert classify(response(503, {"title": "Service Unavailable"}), "1").action == "retry"
    bad = classify(response(401, {"title": "Unauthorized", "detail": "Unauthorized"}), "7")
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert str(bad.error).startswith("x: account 7: bearer token rejected (HTTP 401 Unauthorized")
    gone = {"errors": [{"detail": "Could not find user with id: [9].", "title": "Not Found"}]}
    unknown = classify(response(200, gone), "9")
    assert unknown.action == "fail" and "Could not find user with id: [9]" in str(unknown.error)
    invalid = {"title": "Invalid Request", "type": "https://api.x.com/2/problems/invalid-request"}
    failed = classify(response(400, invalid), "1")
    assert isinstance(failed.error, SourceError) and "invalid-request" in str(failed.error)


def test_conversation_queries_respect_the_length_limit() -> None:
    ids = [str(10**18 + i) for i in range(30)]
    queries = conversation_queries(ids)
    assert all(len(q) <= 512 for q in queries) and len(queries) > 1
    back = [t.split(":")[1] for q in queries for t in q.split(" OR ")]
    assert back == ids


class Stub(BaseHTTPRequestHandler):
    """Pages keyed by (path, pagination_token); two pages for the timeline."""

    pages: dict[tuple[str, str | None], Any] = {}
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        token = parse_qs(url.query).get("pagination_token", [None])[0]
        self.seen.append(self.path)
        body = self.pages.get((url.path, token), {"meta": {"result_count": 0}})
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return DATE  # the server's clock dates the snapshots

    def log_message(self, *args: Any) -> None:
        pass


def tweet(tid: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": tid,
        "text": "hello",
        "created_at": "2025-12-10T10:00:00.000Z",
        "author_id": "42",
        "conversation_id": tid,
        "public_metrics": {
            "retweet_count": 1,
            "reply_count": 0,
            "like_count": 3,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 50,
        },
    }
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture()
def stub() -> Iterator[str]:
    Stub.seen = []
    Stub.pages = {
        ("/2/users/42", None): {
            "data": {
                "id": "42",
                "name": "B",
                "username": "b",
                "public_metrics": {"followers_count": 5},
            }
        },
        ("/2/users/42/tweets", None): {
            "data": [tweet("300"), tweet("299", id=299)],
            "meta": {"result_count": 2, "next_token": "p2"},
        },
        ("/2/users/42/tweets", "p2"): {
            "data": [
                tweet("298", created_at=None),
                tweet("297", public_metrics={"like_count": "x"}),
            ],
            "meta": {"result_count": 2},
        },
        ("/2/users/42/mentions", None): {
            "data": [tweet("500", author_id="777"), tweet("501", author_id=None)],
            "meta": {"result_count": 2},
        },
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_paging_follows_next_token_to_the_end(stub: str) -> None:
    client = XClient("t", stub)
    pages = list(client.paginate("2/users/42/tweets", {"max_results": 2}, "42", "pagination_token"))
    assert [len(p.data) for p in pages] == [2, 2]
    assert "pagination_token=p2" in Stub.seen[-1]
    assert pages[0].fetched_at.isoformat() == "2025-12-10T23:59:59+00:00"


def test_malformed_records_are_quarantined_and_named(stub: str, tmp_path: Path) -> None:
    registry = tmp_path / "brands.yaml"
    registry.write_text(
        "brands:\n  - id: b\n    name: B\n    timezone: UTC\n    accounts:\n      x: '42'\n"
    )
    db = load_source("x", stub, tmp_path, "x_stub", base_url=stub, registry_path=str(registry))
    assert query(db, "select tweet_id from raw_x.posts") == [("300",)]
    bad = dict(query(db, "select record_id, reason from raw_x.quarantine"))
    assert "299" in bad["299"] or "not a non-empty string id" in bad["299"]
    assert bad["298"] == "missing required 'created_at'"
    assert "public_metrics.like_count" in bad["297"]
    assert [r for r in bad if r.startswith("missing-id:")] == []  # every bad record named
    assert "missing required 'author_id'" in bad["501"]
    (author,) = query(db, "select author_id from raw_x.mentions")[0]
    assert author == keyed_hash("777", "x")  # the fan's id, keyed: never in clear
    payloads = [p for (p,) in query(db, "select payload from raw_x.quarantine")]
    assert not any('"777"' in p for p in payloads)


def test_the_usage_cap_fails_at_once_and_a_window_waits() -> None:
    """Both are HTTP 429; only the body tells them apart (xdevplatform/xdk#25: the cap arrives
    with x-rate-limit-remaining still high)."""
    body = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
        "period": "Monthly",
        "scope": "Product",
    }
    headers = {"x-rate-limit-remaining": "39999", "x-rate-limit-reset": "1000"}
    verdict = classify(response(429, body, headers), "7")
    assert verdict.action == "fail" and isinstance(verdict.error, UsageCapExceeded)
    assert str(verdict.error).startswith("x: account 7: X's monthly post cap is reached")
    assert "period Monthly, scope Product" in str(verdict.error)
    by_type = {"title": "Too Many Requests", "type": "https://api.x.com/2/problems/usage-capped"}
    assert classify(response(429, by_type, headers), "7").action == "fail"
    window = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
    assert classify(response(429, window, headers), "7").action == "retry"


def test_the_run_wait_budget_bounds_the_sum_of_waits() -> None:
    slept: list[float] = []
    budget = WaitBudget(100.0, slept.append)
    budget(60.0)
    budget.account = "7"
    with pytest.raises(RetriesExhausted) as info:
        budget(41.0)  # 60 + 41 > 100: refused before sleeping
    assert slept == [60.0]
    assert str(info.value).startswith("x: account 7: X asks to wait 41 s")


def test_long_posts_quotes_and_reposts_load_their_full_text_and_references() -> None:
    full = "word " * 80  # 400 characters: a long post (note_tweet)
    raw = tweet(
        "10",
        text=full[:279] + "…",
        note_tweet={"text": full, "entities": {"hashtags": [{"start": 395, "tag": "late"}]}},
        entities={"hashtags": [{"start": 0, "tag": "early"}]},
        referenced_tweets=[{"type": "quoted", "id": "8"}],
    )
    row, _snap = post_rows(raw, "42", "b", datetime(2025, 12, 10, tzinfo=UTC), str, set())
    assert row["text"] == full and row["quoted_id"] == "8" and row["retweeted_id"] is None
    assert json.loads(row["hashtags"]) == ["late"]  # the long post's entities, not the cut ones
    repost = tweet("11", text="RT @fan: hi", referenced_tweets=[{"type": "retweeted", "id": "9"}])
    row = tweet_row(repost, "42", datetime(2025, 12, 10, tzinfo=UTC), str, set())
    assert (row["text"], row["retweeted_id"], row["quoted_id"]) == ("RT @fan: hi", "9", None)
    with pytest.raises(InvalidRecord):
        tweet_row(tweet("12", note_tweet={"entities": {}}), "42", datetime.now(UTC), str, set())
