"""The emulated X API against X's documented limits: 15-minute rate windows with an epoch
reset, the monthly post cap (429 ``UsageCapExceeded`` with ``x-rate-limit-remaining`` still
high), and the timelines' reach (3,200 newest posts, 800 newest mentions).

Each test drives its own ``XApi`` over the small world (fresh windows and usage), with the
limits tightened through the sandbox's environment knobs so that a few pages reach them.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from sandbox.clock import Clock
from sandbox.server import uvicorn_config
from sandbox.vendors.x.api import XApi
from sandbox.vendors.x.refs import MORE
from sandbox.world.store import now_of, open_readonly
from tests.sources.support import START, TODAY, world_rows

USER = "1460000000000000001"
AUTH = {"Authorization": "Bearer sandbox-x-token"}
KNOBS = (
    "SANDBOX_X_RATE_RESET_S",
    "SANDBOX_X_RATE_LIMITS",
    "SANDBOX_X_MONTHLY_POST_CAP",
    "SANDBOX_X_TIMELINE_CAP",
    "SANDBOX_X_MENTIONS_CAP",
)
VISIBLE = "created_at <= ? AND (deleted_at IS NULL OR deleted_at > ?)"


class Api:
    """A fresh emulated X API served on loopback, and its clock."""

    def __init__(self, url: str, clock: Clock) -> None:
        self.url, self.clock = url, clock

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.url}/x/2/{path}", params=params, headers=AUTH, timeout=30)

    def pages(self, path: str, **params: Any) -> list[str]:
        """Every id of a listing, following ``next_token`` to the end."""
        ids: list[str] = []
        while True:
            resp = self.get(path, max_results=100, **params)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            ids += [t["id"] for t in body.get("data", [])]
            if "next_token" not in body["meta"]:
                return ids
            params["pagination_token"] = body["meta"]["next_token"]


@pytest.fixture()
def api(world: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    for name in KNOBS:  # the documented defaults unless a test tightens one
        monkeypatch.delenv(name, raising=False)
    con = open_readonly(world)
    clock = Clock(TODAY, START, TODAY + timedelta(days=14))
    app = Starlette(routes=[Mount("/x", routes=XApi(con, clock).routes())])
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", 0))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the X API did not start"
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Api(f"http://127.0.0.1:{port}", clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        con.close()


def newest(world: Path, where: str, params: list[Any], day: date, n: int | None = None) -> list:
    """Ids of visible tweets matching ``where`` newest first, read from the world itself."""
    now = now_of(day)
    limit = f" LIMIT {n}" if n is not None else ""
    sql = f"SELECT tweet_id FROM x_tweets WHERE {where} AND {VISIBLE} ORDER BY id_num DESC{limit}"
    return [r[0] for r in world_rows(world, sql, [*params, now, now])]


OWN = "author_id = ?"
MENTIONS = "account_id = ? AND author_id <> ? AND mentions_brand"


def test_rate_window_is_15_minutes_with_an_epoch_second_reset(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_X_RATE_LIMITS", "tweets=3")
    before = time.time()
    answers = [api.get(f"users/{USER}/tweets") for _ in range(4)]
    after = time.time()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["x-rate-limit-limit"] for a in answers} == {"3"}
    resets = {int(a.headers["x-rate-limit-reset"]) for a in answers}
    assert len(resets) == 1  # one window
    (reset,) = resets
    assert before + 15 * 60 <= reset <= after + 15 * 60 + 1  # epoch second, 15 minutes on
    assert answers[3].json()["title"] == "Too Many Requests"
    assert api.get(f"users/{USER}").status_code == 200  # windows are per endpoint
    api.clock.advance(1)  # the sandbox clock moves on a day: the window has reopened
    assert api.get(f"users/{USER}/tweets").status_code == 200


def test_monthly_post_cap_answers_usage_capped_with_remaining_high(
    api: Api, world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = newest(world, OWN, [USER], TODAY)
    assert 100 < len(own) < 200, len(own)  # two timeline pages; the cap below relies on it
    monkeypatch.setenv("SANDBOX_X_MONTHLY_POST_CAP", str(len(own) + 1))
    first = api.get(f"users/{USER}/tweets", max_results=100)
    again = api.get(f"users/{USER}/tweets", max_results=100)  # same posts, same day: once
    token = first.json()["meta"]["next_token"]
    rest = api.get(f"users/{USER}/tweets", max_results=100, pagination_token=token)
    assert [r.status_code for r in (first, again, rest)] == [200, 200, 200]
    # len(own) distinct posts read, one under the cap: one more page still passes...
    assert api.get(f"users/{USER}/mentions", max_results=100).status_code == 200
    # ...and now every post read is refused, whatever the rate window says
    capped = [
        api.get(f"users/{USER}/tweets"),
        api.get(f"users/{USER}/mentions"),
        api.get("tweets/search/recent", query=f"conversation_id:{own[0]}"),
    ]
    for resp in capped:
        assert resp.status_code == 429
        body = resp.json()
        assert body["title"] == "UsageCapExceeded" and body["period"] == "Monthly"
        assert body["type"].endswith("/2/problems/usage-capped")
        assert int(resp.headers["x-rate-limit-remaining"]) > 100  # not a window limit
    assert api.get(f"users/{USER}").status_code == 200  # a user lookup reads no post
    api.clock.set(date(2025, 11, 30))  # another month of the sandbox clock: a fresh cap
    assert api.get(f"users/{USER}/tweets").status_code == 200


def test_timelines_serve_only_the_newest_posts_and_mentions(
    api: Api, world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    all_own = newest(world, OWN, [USER], TODAY)
    all_mentions = newest(world, MENTIONS, [USER, USER], TODAY)
    assert api.pages(f"users/{USER}/tweets") == all_own  # under the reach: everything
    monkeypatch.setenv("SANDBOX_X_TIMELINE_CAP", "30")
    monkeypatch.setenv("SANDBOX_X_MENTIONS_CAP", "20")
    assert api.pages(f"users/{USER}/tweets") == all_own[:30]
    assert api.pages(f"users/{USER}/mentions") == all_mentions[:20]
    far = (START - timedelta(days=1)).isoformat() + "T00:00:00Z"
    assert api.pages(f"users/{USER}/tweets", start_time=far) == all_own[:30]  # no way around
    assert api.pages(f"users/{USER}/tweets", until_id=all_own[29]) == []  # older: unreachable


def test_long_posts_quotes_and_reposts_are_served_as_x_does(api: Api, world: Path) -> None:
    now = now_of(TODAY)
    rows = world_rows(
        world,
        f"SELECT tweet_id, text, quoted_id, retweeted_id, kind FROM x_tweets "
        f"WHERE author_id = ? AND {VISIBLE}",
        [USER, now, now],
    )
    world_of = {r[0]: r[1:] for r in rows}
    served: dict[str, Any] = {}
    params: dict[str, Any] = {"tweet.fields": "note_tweet,referenced_tweets", "max_results": 100}
    while True:
        body = api.get(f"users/{USER}/tweets", **params).json()
        served.update({t["id"]: t for t in body["data"]})
        if "next_token" not in body["meta"]:
            break
        params["pagination_token"] = body["meta"]["next_token"]
    assert set(served) == set(world_of)
    kinds = {"long": 0, "quoted": 0, "retweeted": 0}
    for tid, (text, quoted, reposted, kind) in world_of.items():
        got = served[tid]
        assert got["text"] == text[:280]
        if len(text) > 280:  # a long post: the whole text only in note_tweet
            kinds["long"] += 1
            assert got["note_tweet"]["text"] == text
        else:
            assert "note_tweet" not in got
        refs = {r["type"]: r["id"] for r in got.get("referenced_tweets", [])}
        if quoted:
            kinds["quoted"] += 1
            assert refs["quoted"] == quoted
        if reposted:
            kinds["retweeted"] += 1
            assert refs == {"retweeted": reposted} and kind == "repost"
            assert text.startswith("RT @")
    assert min(kinds.values()) >= 1, kinds  # the world has each of them
    plain = api.get(f"users/{USER}/tweets", max_results=100, exclude="retweets").json()
    assert not any(world_of[t["id"]][2] for t in plain["data"])


def test_long_texts_add_no_rule_keyword() -> None:
    """The sentences that lengthen long posts name no pillar keyword, disclosure marker or
    partner of the seeds, so a long post classifies as its short text did."""
    seeds = Path(__file__).parents[2] / "dbt_project" / "seeds"

    def column(name: str, key: str) -> list[str]:
        with open(seeds / name, encoding="utf-8") as handle:
            return [row[key] for row in csv.DictReader(handle)]

    words = column("pillar_rules.csv", "pattern") + column("disclosure_markers.csv", "marker")
    words += column("partners.csv", "partner_name")
    for sentence in (s for sentences in MORE.values() for s in sentences):
        assert not [w for w in words if w.lower() in sentence.lower()], sentence
