"""The X source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    has_table,
    keyed_hash,
    load_source,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)


def run_x(sandbox: Sandbox, tmp: Path, name: str = "x_test", **kwargs: Any) -> Path:
    """One run of the X source (same pipeline dir each call: state persists)."""
    return load_source("x", sandbox.url, tmp, name, **kwargs)


def ids(db: Path, sql: str) -> list[str]:
    return [r[0] for r in query(db, sql)]


def truth(world: Path, today: date) -> dict[str, Any]:
    return vendor_truth(world, "x", today)


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
    authors = dict(world_rows(world, "select tweet_id, author_id from x_tweets"))
    stored = query(db, "select tweet_id, author_id from raw_x.mentions where not is_from_brand")
    assert stored
    for tweet_id, author in stored:
        assert author == keyed_hash(authors[tweet_id], "x"), tweet_id


def assert_long_posts_quotes_and_reposts_as_in_the_world(db: Path, world: Path) -> None:
    """Each loaded own tweet has the world's whole text (a long post's ``note_tweet``) and the
    world's quoted and reposted ids; the world has some of each."""
    want = {
        r[0]: r[1:]
        for r in world_rows(world, "select tweet_id, text, quoted_id, retweeted_id from x_tweets")
    }
    got = query(db, "select tweet_id, text, quoted_id, retweeted_id from raw_x.posts")
    assert got and all(tuple(row[1:]) == want[row[0]] for row in got)
    assert sum(len(row[1]) > 280 for row in got) >= 3, "long posts"
    assert sum(row[2] is not None for row in got) >= 3, "quote posts"
    assert sum(row[3] is not None for row in got) >= 3, "reposts"


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    m = truth(world, TODAY)
    db = run_x(sandbox, tmp_path)
    check_full(db, m)
    assert_long_posts_quotes_and_reposts_as_in_the_world(db, world)
    want = {t: v for acc in m["accounts"].values() for t, v in acc["metrics"].items()}
    assert metrics_of(db, TODAY) == want  # every post snapshotted on the first run, exact values
    assert_authors_are_keyed_hashes(db, world)

    tables = ("posts", "post_metrics", "mentions", "replies", "accounts", "quarantine")
    before = {t: query(db, f"select count(*) from raw_x.{t}")[0][0] for t in tables}
    run_x(sandbox, tmp_path)  # same sandbox day: nothing new
    assert {t: query(db, f"select count(*) from raw_x.{t}")[0][0] for t in tables} == before

    sandbox.advance()
    nxt = TODAY + timedelta(days=1)
    m2 = truth(world, nxt)
    run_x(sandbox, tmp_path)
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
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("throttle=0.3,seed=3")
    db = run_x(sandbox, tmp_path, name="x_throttle")
    assert sandbox.fired()["throttle"] > 0  # the 429s were served, and retried
    check_full(db, truth(world, TODAY))


def test_bad_token_fails_once_with_the_apis_message(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/x/2/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_x(sandbox, tmp_path, name="x_badtoken", bearer_token="wrong")
    auth = cause(info.value, SourceAuthError)
    assert auth is not None, info.value
    text = str(auth)
    assert text.startswith("x: account 1460000000000000001:")
    assert "HTTP 401" in text and "Unauthorized" in text and "bearer_token" in text
    assert len(seen) == 1, seen  # a refused token is not retried
    db = tmp_path / "w.duckdb"
    assert not db.exists() or not has_table(db, "raw_x", "posts")
