"""Token renewal, redaction and the host guard of the shared client, against a loopback server
whose authorization server is the sandbox's ``TokenBook`` (RFC 6749 refresh grant)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests

from ingestion.http import (
    ApiClient,
    RetriesExhausted,
    RetryPolicy,
    SourceAuthError,
    SourceError,
    TokenRejected,
    Verdict,
)
from ingestion.oauth import BearerToken, Refresher
from sandbox.tokens import EXPIRED, VALID, Grant, TokenBook

ACCESS = "acc3ss-T0KEN-distinctive"
REFRESH = "r3fresh-T0KEN-distinctive"
SECRET = "cl1ent-S3CRET-distinctive"


@pytest.fixture()
def api() -> Iterator[tuple[str, TokenBook]]:
    """``GET /data`` wants a valid Bearer token; ``POST /token`` is the refresh grant."""
    book = TokenBook("demo", {ACCESS}, 3600, "client", SECRET, {REFRESH})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            state = book.status(token)
            self._answer(200 if state == VALID else 401, {"state": state})

        def do_POST(self) -> None:  # noqa: N802
            size = int(self.headers.get("Content-Length", 0))
            form = dict(parse_qsl(self.rfile.read(size).decode()))
            grant = book.refresh(form)
            self._answer(grant.status, grant.body)

        def _answer(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", book
    httpd.shutdown()


def classify(resp: requests.Response, account: str) -> Verdict:
    if resp.status_code == 401:
        return Verdict.fail(TokenRejected("demo", account, f"token {resp.json()['state']}"))
    return Verdict.ok()


def client(url: str, access: str | None, refresh: str | None = REFRESH) -> ApiClient:
    refresher = (
        Refresher(
            f"{url}/token",
            {
                "grant_type": "refresh_token",
                "client_id": "client",
                "client_secret": SECRET,
                "refresh_token": refresh,
            },
            "re-authorise the app to get a new refresh token",
        )
        if refresh
        else None
    )
    token = BearerToken(
        "demo", "acc", "demo access token", "sources.demo.access_token", access, refresher
    )
    return ApiClient("demo", url, classify, RetryPolicy(max_attempts=2), token=token)


def test_a_token_expiring_mid_run_is_renewed_once(api: tuple[str, TokenBook]) -> None:
    url, book = api
    book.expire_after(ACCESS, 2)
    api_client = client(url, ACCESS)
    states = [api_client.request("GET", "/data", account="acc").json() for _ in range(5)]
    assert states == [{"state": VALID}] * 5
    assert book.grants == 1 and api_client.token and api_client.token.refreshes == 1
    assert book.status(ACCESS) == EXPIRED  # the old token stays dead, as a real one does


def test_no_access_token_renews_before_the_first_request(api: tuple[str, TokenBook]) -> None:
    url, book = api
    assert client(url, None).request("GET", "/data", account="acc").json() == {"state": VALID}
    assert book.grants == 1


def test_without_refresh_token_the_error_says_which_token_and_where(
    api: tuple[str, TokenBook],
) -> None:
    url, book = api
    book.expire_after(ACCESS, 0)
    with pytest.raises(SourceAuthError) as caught:
        client(url, ACCESS, refresh=None).request("GET", "/data", account="acc")
    text = str(caught.value)
    assert "account acc" in text and "demo access token" in text
    assert "sources.demo.access_token" in text and "token expired" in text
    assert ACCESS not in text


def test_a_refused_refresh_token_fails_with_the_grant_error_and_no_secret(
    api: tuple[str, TokenBook],
) -> None:
    url, book = api
    book.expire_after(ACCESS, 0)
    with pytest.raises(SourceAuthError) as caught:
        client(url, ACCESS, refresh="not-the-refresh-token").request("GET", "/data", account="acc")
    text = str(caught.value)
    assert "invalid_grant" in text and "re-authorise the app" in text
    assert all(s not in text for s in (ACCESS, SECRET, "not-the-refresh-token"))
    assert book.grants == 0


def test_a_renewed_token_rejected_again_fails_after_one_refresh(
    api: tuple[str, TokenBook], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, book = api
    api_client = client(url, ACCESS)
    monkeypatch.setattr(book, "status", lambda _token: EXPIRED)  # e.g. a scope the app lacks
    with pytest.raises(SourceAuthError, match="freshly renewed demo access token was rejected"):
        api_client.request("GET", "/data", account="acc")
    assert book.grants == 1


def test_network_errors_never_print_the_key(caplog: pytest.LogCaptureFixture) -> None:
    key = "AIzaK3Y-distinctive-value"
    refused = ApiClient(
        "demo", "http://127.0.0.1:9", classify, RetryPolicy(max_attempts=2), sleep=lambda _s: None
    )
    refused.session.params = {"key": key}  # type: ignore[assignment]
    with caplog.at_level(logging.DEBUG), pytest.raises(RetriesExhausted) as caught:
        refused.request("GET", "/data", account="acc", params={"part": "id"})
    assert "ConnectionError" in str(caught.value)
    assert key not in str(caught.value) and key not in caplog.text
    assert "retrying" in caplog.text  # the retry warning was logged, redacted


def test_credentials_go_only_to_the_api_host(api: tuple[str, TokenBook]) -> None:
    url, book = api
    api_client = client(url, ACCESS)
    with pytest.raises(SourceError, match="refusing to send credentials to http://evil.example"):
        api_client.request("GET", "http://evil.example/next?page=2", account="acc")
    with pytest.raises(SourceError, match="refusing to send credentials to https://127.0.0.1"):
        api_client.request("GET", url.replace("http", "https") + "/data", account="acc")
    assert api_client.requests_made == 0 and book.grants == 0


def test_a_rotated_refresh_token_reaches_the_next_run(
    api: tuple[str, TokenBook], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """TikTok's way: each refresh returns a new refresh token and refuses the old one."""
    url, book = api
    monkeypatch.setenv("PULSE_TOKEN_STORE", str(tmp_path / "store.json"))
    granted = book.refresh

    def rotating(form: dict[str, str], client_field: str = "client_id") -> Grant:
        grant = granted(form, client_field)
        if grant.status == 200:
            new = f"rotated-{book.grants}-distinctive"
            book.refresh_tokens = {new}
            grant.body["refresh_token"] = new
        return grant

    monkeypatch.setattr(book, "refresh", rotating)
    for run in (1, 2, 3):  # each run starts without an access token, as after a day
        assert client(url, None).request("GET", "/data", account="acc").json() == {
            "state": VALID
        }, run
    assert book.grants == 3
    store = tmp_path / "store.json"
    assert oct(store.stat().st_mode & 0o777) == "0o600"
    assert "rotated-3-distinctive" in store.read_text() and REFRESH not in store.read_text()
    # a person who stores a newly authorised refresh token is not overridden by the store
    book.refresh_tokens.add("re-authorised-distinctive")
    fresh = client(url, None, refresh="re-authorised-distinctive")
    assert fresh.token and fresh.token.refresher
    assert fresh.token.refresher.form["refresh_token"] == "re-authorised-distinctive"
