"""The shared retrying client, against a real loopback server answering a scripted sequence."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from ingestion.http import (
    ApiClient,
    RetriesExhausted,
    RetryPolicy,
    SourceAuthError,
    Verdict,
    retry_after_s,
)


class Script:
    """Answers to serve in order: (status, body, headers)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict, dict]] = []
        self.seen = 0


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            status, body, headers = script.answers[min(script.seen, len(script.answers) - 1)]
            script.seen += 1
            payload = json.dumps(body).encode()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            cut = headers.get("X-Cut") == "1"  # promise twice the bytes, then hang up: a reset
            self.send_header("Content-Length", str(len(payload) * (2 if cut else 1)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()


def classify(resp: requests.Response, account: str) -> Verdict:
    if resp.status_code == 401:
        return Verdict.fail(SourceAuthError("demo", account, resp.json()["message"]))
    if resp.status_code == 429 or resp.status_code >= 500:
        return Verdict.retry(f"HTTP {resp.status_code}", retry_after_s(resp.headers))
    return Verdict.ok()


def _client(url: str, waits: list[float], **policy: float) -> ApiClient:
    return ApiClient("demo", url, classify, RetryPolicy(**policy), sleep=waits.append)


def test_throttled_then_ok_waits_what_the_api_asked(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(429, {}, {"Retry-After": "7"}), (503, {}, {}), (200, {"ok": 1}, {})]
    waits: list[float] = []
    answer = _client(url, waits, backoff_base_s=0.5).request("GET", "/x", account="acc")
    assert answer.json() == {"ok": 1}
    assert waits[0] == 7.0 and 0.25 <= waits[1] <= 1.0
    assert script.seen == 3


def test_a_connection_reset_mid_body_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"half": "of a body"}, {"X-Cut": "1"}), (200, {"ok": 1}, {})]
    waits: list[float] = []
    client = _client(url, waits, backoff_base_s=0.5)
    assert client.request("GET", "/x", account="acc").json() == {"ok": 1}
    assert script.seen == 2 and client.retries == 1


def test_auth_error_fails_at_once_naming_source_and_account(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(401, {"message": "Invalid access token"}, {})]
    with pytest.raises(SourceAuthError, match=r"demo: account acc-7: Invalid access token"):
        _client(url, []).request("GET", "/x", account="acc-7")
    assert script.seen == 1


def test_retries_are_bounded(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {}, {})]
    with pytest.raises(RetriesExhausted, match="failed 3 times; last error: HTTP 500"):
        _client(url, [], max_attempts=3, backoff_base_s=0.01).request("GET", "/x", account="a")
    assert script.seen == 3


def test_a_wait_beyond_the_budget_gives_up_with_the_reason(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(429, {}, {"Retry-After": "3600"})]
    with pytest.raises(RetriesExhausted, match="asks to wait 3600 s"):
        _client(url, [], max_total_wait_s=60).request("GET", "/x", account="a")
