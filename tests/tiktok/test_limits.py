"""The limits of the TikTok Display API v2, against the sandbox: the per-endpoint sliding rate
window (429 ``rate_limit_exceeded``, no ``Retry-After``), short pages that keep ``has_more``,
the 20-per-page and 20-ids caps, and a field scope refused as ``scope_permission_missed``.

The sandbox reads its TikTok limits from the environment at each request, so each test
tightens them (``monkeypatch``) on the shared sandbox; they are TikTok's defaults afterwards.
Oracles: the ground-truth manifest (``check_complete``) and TikTok's documented codes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import RetriesExhausted, SourceAuthError
from ingestion.tiktok import helpers as h
from ingestion.tiktok.settings import TikTokHttp
from tests.sources.support import TODAY, Sandbox, cause
from tests.tiktok.test_source import OPEN_IDS, TOKENS, check_complete, load, truth

# Waits long enough to see a one-second window reopen, short enough for a test.
PATIENT = {"rate_limit_wait_s": 1.05, "max_attempts": 4}


@contextmanager
def answers(fragment: str) -> Iterator[list[tuple[int, dict[str, Any], dict[str, str]]]]:
    """(status, JSON body, headers) of every response whose URL contains ``fragment``."""
    seen: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        resp = original(self, request, **kwargs)
        if fragment in (request.url or ""):
            try:
                body = resp.json()
            except ValueError:
                body = {}
            seen.append((resp.status_code, body, dict(resp.headers)))
        return resp

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


def tighten(monkeypatch: pytest.MonkeyPatch, limit: int, window_s: float) -> None:
    """A smaller window on the running sandbox, after the requests of earlier tests left it."""
    monkeypatch.setenv("SANDBOX_TIKTOK_RATE_LIMIT", str(limit))
    monkeypatch.setenv("SANDBOX_TIKTOK_RATE_WINDOW_S", str(window_s))
    time.sleep(window_s + 0.1)


def test_each_endpoint_has_its_own_sliding_window(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    tighten(monkeypatch, limit=2, window_s=2.0)
    api = f"{sandbox.vendor('tiktok')}/v2"
    auth = {"Authorization": f"Bearer {TOKENS[OPEN_IDS[0]]}"}
    info = [
        requests.get(f"{api}/user/info/", params={"fields": "open_id"}, headers=auth)
        for _ in range(3)
    ]
    assert [r.status_code for r in info] == [200, 200, 429]
    refused = info[2]
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.json()["data"] == {} and refused.json()["error"]["log_id"]
    assert "retry-after" not in {k.lower() for k in refused.headers}  # TikTok documents none
    listed = requests.post(
        f"{api}/video/list/", params={"fields": "id"}, json={"max_count": 1}, headers=auth
    )
    assert listed.status_code == 200  # another endpoint, another window
    time.sleep(2.1)  # the window slides: the oldest requests leave it
    again = requests.get(f"{api}/user/info/", params={"fields": "open_id"}, headers=auth)
    assert again.status_code == 200


def test_source_waits_for_the_window_and_loads_everything(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tighten(monkeypatch, limit=3, window_s=1.0)
    with answers("/tiktok/v2/") as seen:
        db = load(sandbox, tmp_path, page_size=5, **PATIENT)
    refused = [body for status, body, _h in seen if status == 429]
    assert refused and all(b["error"]["code"] == "rate_limit_exceeded" for b in refused)
    check_complete(db, truth(world, TODAY), TODAY)


def test_a_window_that_stays_shut_fails_the_run_clearly(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_TIKTOK_RATE_LIMIT", "1")
    monkeypatch.setenv("SANDBOX_TIKTOK_RATE_WINDOW_S", "600")  # shut for the whole test
    started = time.monotonic()
    with pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, max_attempts=3, rate_limit_wait_s=0.2)
    exhausted = cause(info.value, RetriesExhausted)
    assert exhausted is not None, info.value
    assert "rate_limit_exceeded" in str(exhausted) and "HTTP 429" in str(exhausted)
    assert time.monotonic() - started < 10  # within the retry budget, not stuck


def test_the_default_policy_waits_out_tiktoks_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """TikTok's window is one sliding minute and a refusal names no wait (the rate-limit
    page): by default a refusal waits that whole minute, within the request's sleep budget,
    while a server error keeps the shared short backoff (2 s, doubling)."""
    monkeypatch.setattr(random, "uniform", lambda low, _high: low)  # the shortest wait
    http = TikTokHttp()
    assert http.rate_limit_wait_s == 60.0  # developers.tiktok.com/doc/tiktok-api-v2-rate-limit
    assert http.rate_limit_wait_s * (http.max_attempts - 1) <= http.max_total_wait_s
    assert http.policy().backoff(1) == 1.0  # 2 s ceiling, jittered down to half


def test_short_pages_keep_has_more_and_nothing_is_lost(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_TIKTOK_PAGE_CAP", "3")
    api = f"{sandbox.vendor('tiktok')}/v2"
    auth = {"Authorization": f"Bearer {TOKENS[OPEN_IDS[0]]}"}
    page = requests.post(
        f"{api}/video/list/", params={"fields": "id"}, json={"max_count": 20}, headers=auth
    ).json()["data"]
    assert len(page["videos"]) == 3 and page["has_more"] is True
    db = load(sandbox, tmp_path, page_size=20)
    check_complete(db, truth(world, TODAY), TODAY)


def test_page_and_id_caps_of_twenty(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    api = f"{sandbox.vendor('tiktok')}/v2"
    auth = {"Authorization": f"Bearer {TOKENS[OPEN_IDS[0]]}"}
    ids = [f"73{n:017d}" for n in range(21)]
    query = requests.post(
        f"{api}/video/query/",
        params={"fields": "id"},
        json={"filters": {"video_ids": ids}},
        headers=auth,
    )
    assert query.status_code == 400 and query.json()["error"]["code"] == "invalid_params"
    with answers("/tiktok/v2/video/list/") as seen:
        db = load(sandbox, tmp_path, page_size=50)  # configured above TikTok's maximum
    assert seen and all(status == 200 for status, _b, _h in seen)
    assert max(len(body["data"]["videos"]) for _s, body, _h in seen) == 20
    check_complete(db, truth(world, TODAY), TODAY)


def test_a_field_scope_refusal_asks_to_re_authorise() -> None:
    """``scope_permission_missed`` (HTTP 400, "some fields need additional scopes") is a
    consent problem, not a bad request: TikTok's error list says so, the sandbox does not
    emulate which code a field refusal takes (see docs/sources/tiktok.md)."""
    resp = requests.Response()
    resp.status_code = 400
    resp._content = (
        b'{"data": {}, "error": {"code": "scope_permission_missed", '
        b'"message": "Access token is invalid, some fields need additional scopes.", '
        b'"log_id": "L1"}}'
    )
    resp.request = requests.Request("GET", "http://x/v2/user/info/").prepare()
    verdict = h.classify(resp, OPEN_IDS[0])
    assert verdict.action == "fail" and isinstance(verdict.error, SourceAuthError)
    assert "re-authorise the account" in str(verdict.error)
