"""The X source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.http import SourceAuthError
from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from sandbox.world.manifest import build_manifest
from tests.x.support import KEY, has_table, ids, query, run_x

START, DAYS = date(2025, 11, 1), 40
TODAY = START + timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xworld") / "world.duckdb"
    generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


@pytest.fixture(scope="module")
def url(world: Path) -> Iterator[str]:
    old = os.environ.get("SANDBOX_X_RATE_RESET_S")
    os.environ["SANDBOX_X_RATE_RESET_S"] = "0"  # 429s then say "retry now": fast tests
    try:
        with run_in_thread(world, today=TODAY, faults="") as base:
            yield base
    finally:
        if old is None:
            os.environ.pop("SANDBOX_X_RATE_RESET_S", None)
        else:
            os.environ["SANDBOX_X_RATE_RESET_S"] = old


@pytest.fixture()
def clock(url: str) -> Iterator[None]:
    requests.post(f"{url}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)
    yield
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10)
    requests.post(f"{url}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)


def truth(world: Path, today: date) -> dict[str, Any]:
    return build_manifest(world, today)["sources"]["x"]


def check_full(db: Path, m: dict[str, Any]) -> None:
    """Exactly the manifest: no page lost, no record twice."""
    for user_id, acc in m["accounts"].items():
        posts = ids(db, f"select tweet_id from raw_x.posts where user_id = '{user_id}'")
        assert sorted(posts) == sorted(acc["post_ids"]), user_id
        mentions = ids(db, f"select tweet_id from raw_x.mentions where user_id = '{user_id}'")
        assert sorted(mentions) == sorted(acc["mention_ids"]), user_id
        replies = ids(db, f"select tweet_id from raw_x.replies where user_id = '{user_id}'")
        assert sorted(replies) == sorted(acc["reply_ids"]), user_id
        snap = query(
            db,
            "select followers_count, tweet_count from raw_x.accounts "
            f"where user_id = '{user_id}' order by snapshot_date desc limit 1",
        )
        assert snap == [(acc["followers_count"], acc["tweet_count"])]
    missing = ids(db, "select record_id from raw_x.quarantine where resource = 'posts'")
    want = [i for acc in m["accounts"].values() for i in acc["missing_referenced_ids"]]
    assert sorted(missing) == sorted(want) and want, "partial errors quarantined by id"


def metrics_of(db: Path, day: date) -> dict[str, dict[str, int]]:
    cols = "retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count"
    out = {}
    for row in query(
        db, f"select tweet_id, {cols} from raw_x.post_metrics where snapshot_date = '{day}'"
    ):
        out[row[0]] = dict(zip([c.strip() for c in cols.split(",")], row[1:], strict=True))
    return out


def assert_authors_are_keyed_hashes(db: Path, world: Path) -> None:
    """Every fan's author id is HMAC-SHA256 under the source's key of the id the world gave it
    (computed here from the world, so an unkeyed hash or a NULL fails)."""
    import duckdb

    with duckdb.connect(str(world), read_only=True) as con:
        authors = dict(con.execute("select tweet_id, author_id from x_tweets").fetchall())
    stored = query(db, "select tweet_id, author_id from raw_x.mentions where not is_from_brand")
    assert stored
    for tweet_id, author in stored:
        expected = hmac.new(KEY.encode(), authors[tweet_id].encode(), hashlib.sha256).hexdigest()
        assert author == expected, tweet_id


def test_full_load_then_same_day_then_next_day(
    world: Path, url: str, tmp_path: Path, clock: None
) -> None:
    m = truth(world, TODAY)
    db = run_x(f"{url}/x", tmp_path)
    check_full(db, m)
    want = {t: v for acc in m["accounts"].values() for t, v in acc["metrics"].items()}
    assert metrics_of(db, TODAY) == want  # every post snapshotted on the first run, exact values
    assert_authors_are_keyed_hashes(db, world)

    tables = ("posts", "post_metrics", "mentions", "replies", "accounts", "quarantine")
    before = {t: query(db, f"select count(*) from raw_x.{t}")[0][0] for t in tables}
    run_x(f"{url}/x", tmp_path)  # same sandbox day: nothing new
    assert {t: query(db, f"select count(*) from raw_x.{t}")[0][0] for t in tables} == before

    requests.post(f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=10)
    nxt = TODAY + timedelta(days=1)
    m2 = truth(world, nxt)
    run_x(f"{url}/x", tmp_path)
    for user_id, acc in m2["accounts"].items():
        posts = ids(db, f"select tweet_id from raw_x.posts where user_id = '{user_id}'")
        assert sorted(posts) == sorted(acc["post_ids"])
        mentions = set(ids(db, f"select tweet_id from raw_x.mentions where user_id='{user_id}'"))
        assert mentions == set(acc["mention_ids"]) | set(m["accounts"][user_id]["mention_ids"])
        replies = set(ids(db, f"select tweet_id from raw_x.replies where user_id = '{user_id}'"))
        assert replies == set(acc["reply_ids"]) | set(m["accounts"][user_id]["reply_ids"])
    got = metrics_of(db, nxt)
    all_metrics = {t: v for acc in m2["accounts"].values() for t, v in acc["metrics"].items()}
    assert got and all(got[t] == all_metrics[t] for t in got)
    created = dict(query(db, "select tweet_id, created_at from raw_x.posts"))
    oldest = min(created[t] for t in got)
    assert (nxt - oldest.date()).days <= 8  # only the window was re-snapshotted
    assert query(db, "select count(*) from raw_x.accounts")[0][0] == 2 * len(m2["accounts"])


def test_throttling_is_retried_to_a_complete_load(
    world: Path, url: str, tmp_path: Path, clock: None
) -> None:
    requests.put(f"{url}/_sandbox/faults", data="throttle=0.3,seed=3", timeout=10)
    db = run_x(f"{url}/x", tmp_path, name="x_throttle")
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10)
    check_full(db, truth(world, TODAY))


def test_bad_token_fails_with_the_apis_message(url: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        run_x(f"{url}/x", tmp_path, name="x_badtoken", bearer_token="wrong")
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    auth = next(e for e in chain if isinstance(e, SourceAuthError))
    text = str(auth)
    assert text.startswith("x: account 1460000000000000001:")
    assert "HTTP 401" in text and "Unauthorized" in text and "bearer_token" in text
    assert (
        not has_table(tmp_path / "w.duckdb", "posts") if (tmp_path / "w.duckdb").exists() else True
    )
