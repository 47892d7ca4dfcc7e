"""The X source against the sandbox's limits: the monthly post cap fails the run at once, a
rate window is waited for only within the budgets, and a first run recovers only what the
timelines still reach.

The sandbox reads its X limits from the environment at each request, so each test tightens
them (``monkeypatch``) on the shared sandbox and they are back to X's defaults afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import RetriesExhausted
from ingestion.x.helpers import UsageCapExceeded
from sandbox.world.store import now_of
from tests.sources.support import TODAY, Sandbox, cause, query, world_rows
from tests.x.test_source import check_full, run_x, truth

USERS = ("1460000000000000001", "1460000000000000002", "1460000000000000003")


@contextmanager
def answers(fragment: str) -> Iterator[list[tuple[str, int]]]:
    """(url, status) of every X response whose URL contains ``fragment``."""
    seen: list[tuple[str, int]] = []
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        resp = original(self, request, **kwargs)
        if fragment in (request.url or ""):
            seen.append((request.url or "", resp.status_code))
        return resp

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


def failing(sandbox: Sandbox, tmp: Path, name: str, **kwargs: Any) -> tuple[BaseException, float]:
    """Run the source expecting a failure: (the dlt error, seconds it took)."""
    started = time.monotonic()
    with pytest.raises(PipelineStepFailed) as info:
        run_x(sandbox, tmp, name=name, **kwargs)
    return info.value, time.monotonic() - started


def test_usage_cap_fails_at_once_with_a_clear_message(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_MONTHLY_POST_CAP", "1")  # one post read this month, at most
    with answers("/x/2/users/") as seen:
        error, took = failing(sandbox, tmp_path, "x_cap")
    capped = cause(error, UsageCapExceeded)
    assert capped is not None, error
    text = str(capped)
    assert text.startswith(f"x: account {USERS[0]}:")
    assert "monthly post cap" in text and "UsageCapExceeded" in text and "Not retried" in text
    refused = [url for url, status in seen if status == 429]
    assert len(refused) == 1, seen  # asked once: no retry, no wait
    assert seen[-1] == (refused[0], 429) and took < 5


def test_rate_window_beyond_the_request_budget_fails_at_once(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_RATE_RESET_S", "900")  # X's 15 minutes
    monkeypatch.setenv("SANDBOX_X_RATE_LIMITS", "tweets=1")
    with answers("/tweets") as seen:
        error, took = failing(sandbox, tmp_path, "x_window")  # request budget: 10 s
    exhausted = cause(error, RetriesExhausted)
    assert exhausted is not None, error
    assert "asks to wait" in str(exhausted) and "Too Many Requests" in str(exhausted)
    assert [status for _url, status in seen] == [200, 429] and took < 5


def test_rate_windows_beyond_the_run_budget_fail_at_once(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_RATE_RESET_S", "4")
    monkeypatch.setenv("SANDBOX_X_RATE_LIMITS", "tweets=1")
    error, took = failing(sandbox, tmp_path, "x_run_budget", run_wait_budget_s=2.0)
    exhausted = cause(error, RetriesExhausted)
    assert exhausted is not None, error
    assert "run's wait budget" in str(exhausted) and "x-rate-limit-reset" in str(exhausted)
    assert took < 4  # refused before sleeping


def test_rate_window_within_the_budget_is_waited_for_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_RATE_RESET_S", "1")
    monkeypatch.setenv("SANDBOX_X_RATE_LIMITS", "tweets=1")  # a timeline's 2nd page waits
    with answers("/tweets") as seen:
        db = run_x(sandbox, tmp_path, name="x_wait")
    assert 429 in [status for _url, status in seen], seen  # the window closed, and reopened
    check_full(db, truth(world, TODAY))


def newest(world: Path, where: str, params: list[Any], n: int) -> list[str]:
    now = now_of(TODAY)
    sql = (
        f"SELECT tweet_id FROM x_tweets WHERE {where} AND created_at <= ? "
        f"AND (deleted_at IS NULL OR deleted_at > ?) ORDER BY id_num DESC LIMIT {int(n)}"
    )
    return [r[0] for r in world_rows(world, sql, [*params, now, now])]


def test_a_first_run_recovers_only_what_the_timelines_reach(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_TIMELINE_CAP", "30")  # stands for X's 3,200
    monkeypatch.setenv("SANDBOX_X_MENTIONS_CAP", "20")  # stands for X's 800
    db = run_x(sandbox, tmp_path, name="x_reach")
    for user in USERS:
        posts = query(db, f"select tweet_id from raw_x.posts where user_id = '{user}'")
        assert sorted(r[0] for r in posts) == sorted(newest(world, "author_id = ?", [user], 30))
        mentions = query(db, f"select tweet_id from raw_x.mentions where user_id = '{user}'")
        want = newest(world, "account_id = ? AND author_id <> ? AND mentions_brand", [user] * 2, 20)
        assert sorted(r[0] for r in mentions) == sorted(want)
