"""The Meta source against a stub Graph server over real loopback HTTP, loaded into DuckDB.

The stub serves at the root, as graph.facebook.com does; the edge cases the sandbox does not
plant (malformed records, paging loops, queued faults) are set up here request by request.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import dlt
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import RetriesExhausted, SourceAuthError
from ingestion.meta import meta_source
from ingestion.meta.errors import MetaAuthError
from ingestion.privacy import PseudonymisationKeyMissing
from tests.meta.conftest import fb_post, query
from tests.meta.graph_stub import IG_ID, PAGE_ID, TOKEN, Fault, GraphStub, throttle
from tests.sources.support import keyed_hash

KEY = "test-key-1-for-the-meta-graph-stub-0123456789"  # 32 bytes at least


HTTP = {
    "page_size": 2,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "max_total_wait_s": 5.0,
    "max_attempts": 4,
}
"""Small pages and fast retries; a test overrides one with ``_http={...}``."""


def load(stub: GraphStub, tmp: Path, registry: Path, **kwargs: Any) -> Path:
    """Run the whole source once into ``tmp/w.duckdb`` and return the database path."""
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "meta_test",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_meta",
    )
    options: dict[str, Any] = {
        "access_token": TOKEN,
        "pseudonymisation_key": KEY,
        "base_url": stub.base_url,
        "registry_path": str(registry),
    }
    options.update(kwargs)
    options["_http"] = {**HTTP, **kwargs.get("_http", {})}
    pipeline.run(meta_source(**options)).raise_on_failed_jobs()
    return db


def counts(db: Path) -> dict[str, int]:
    sql = (
        "select table_name from information_schema.tables "
        "where table_schema = 'raw_meta' and table_name not like '_dlt%'"
    )
    tables = [r[0] for r in query(db, sql)]
    return {t: query(db, f"select count(*) from raw_meta.{t}")[0][0] for t in tables}


def test_source_builds_without_secrets(registry_file: Path) -> None:
    """Dagster builds the source at definition time, before any secret is available."""
    source = meta_source(registry_path=str(registry_file))
    assert set(source.resources) == {
        "facebook_pages",
        "instagram_accounts",
        "facebook_posts",
        "instagram_media",
        "facebook_post_insights",
        "instagram_media_insights",
        "facebook_comments",
        "instagram_comments",
        "facebook_page_follows",
        "instagram_follower_gains",
    }


def test_first_load_follows_paging_and_fills_every_table(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    db = load(stub, tmp_path, registry_file)
    # 5 posts at 2 per page: 3 pages, the last without paging.next
    assert len(stub.requests_to("/published_posts")) == 3
    assert len(stub.requests_to("after=")) >= 2
    posts = {r[0] for r in query(db, "select post_id from raw_meta.facebook_posts")}
    assert posts == {f"{PAGE_ID}_{n}" for n in range(1, 6)}
    assert len(query(db, "select * from raw_meta.instagram_media")) == 3
    page = query(db, "select brand_id, snapshot_date, followers_count from raw_meta.facebook_pages")
    assert page == [("maison", stub.world.now.date(), 1200)]
    metrics = dict(
        query(
            db,
            "select metric, value from raw_meta.facebook_post_insights "
            f"where post_id='{PAGE_ID}_1'",
        )
    )
    assert metrics == {
        "reactions": 7,
        "comments": 2,
        "shares": 2,
        "post_media_view": 500,
        "post_reactions_by_type_total.like": 5,
        "post_reactions_by_type_total.love": 2,
    }
    # first run: insights for all posts, comments of all posts (incl. the 40-day-old one)
    sql = "select count(distinct post_id) from raw_meta.facebook_post_insights"
    assert query(db, sql) == [(5,)]
    fb = dict(query(db, "select comment_id, is_from_page from raw_meta.facebook_comments"))
    assert fb == {"c1": False, "c2": True, "c3": False}
    ig = query(
        db,
        "select comment_id, parent_id, is_from_owner from raw_meta.instagram_comments "
        "order by comment_id",
    )
    assert ig == [("ig1", None, False), ("ig2", "ig1", True)]
    follows = query(db, "select max(date), count(*) from raw_meta.facebook_page_follows")
    assert follows[0][0] == stub.world.now.date()
    assert follows[0][1] == 366
    assert query(db, "select count(*) from raw_meta.instagram_follower_gains")[0][0] == 29
    assert counts(db).get("quarantine", 0) == 0
    # the lookup is batched: one call for the 5 posts, one per IG metric set (FEED, REELS),
    # and one per platform for the comments of every post that has some (field expansion)
    assert len(stub.requests_to("ids=")) == 5
    assert not stub.requests_to("/comments")  # no comments edge needed a second page


def test_a_comments_edge_longer_than_a_page_is_followed(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    """With one comment a page, the lookup brings each post's first comment and the edge's
    ``paging.next`` the rest: every comment loaded once."""
    db = load(stub, tmp_path, registry_file, _http={"page_size": 1})
    fb = query(db, "select comment_id from raw_meta.facebook_comments order by 1")
    assert fb == [("c1",), ("c2",), ("c3",)]
    assert stub.requests_to(f"{PAGE_ID}_1/comments")  # the second page of post 1's edge
    assert not stub.requests_to(f"{PAGE_ID}_4/comments")  # post 4 has one comment: one page


def test_rerun_same_day_adds_nothing_and_next_day_adds_only_new(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    db = load(stub, tmp_path, registry_file)
    first = counts(db)
    load(stub, tmp_path, registry_file)
    assert counts(db) == first

    stub.world.log.clear()
    stub.world.now += timedelta(days=1)
    stub.world.posts.append(fb_post(6, 0.5))
    stub.world.comments[f"{PAGE_ID}_6"] = [
        {
            "id": "c6",
            "message": "Nice",
            "created_time": stub.world.posts[-1]["created_time"],
            "like_count": 0,
            "comment_count": 0,
            "from": {"id": "9003", "name": "Chloé Roux"},
        }
    ]
    load(stub, tmp_path, registry_file)
    after = counts(db)
    assert after["facebook_posts"] == first["facebook_posts"] + 1
    assert after["facebook_comments"] == first["facebook_comments"] + 1
    assert after["facebook_pages"] == first["facebook_pages"] + 1
    assert after["instagram_accounts"] == first["instagram_accounts"] + 1
    # new snapshots only for posts inside the 28-day window whose age is on the snapshot
    # schedule (0-7, 14, 21, 28): post 1 (D+2), 2 (D+4) and the new 6 (D+0); not 3 (D+11)
    fresh = query(
        db,
        "select distinct post_id from raw_meta.facebook_post_insights "
        f"where snapshot_date = date '{stub.world.now.date()}' order by 1",
    )
    assert [r[0] for r in fresh] == [f"{PAGE_ID}_{n}" for n in (1, 2, 6)]
    # comments were not re-read for posts outside the window
    comment_lookups = stub.requests_to("comments.filter")
    assert comment_lookups and not [p for p in comment_lookups if f"{PAGE_ID}_4" in p]
    assert after["facebook_page_follows"] == first["facebook_page_follows"] + 1


def test_expired_token_fails_fast_with_a_clear_message(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        load(stub, tmp_path, registry_file, access_token="expired-abc")
    message = str(info.value)
    for part in ("meta", "facebook", PAGE_ID, "code 190", "subcode 463", "Session has expired"):
        assert part in message, part
    cause: BaseException | None = info.value
    while cause is not None and not isinstance(cause, MetaAuthError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, MetaAuthError) and isinstance(cause, SourceAuthError)
    assert len(stub.world.log) == 1  # no retry


def test_throttling_is_retried_until_the_load_completes(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    stub.world.faults.extend(
        [
            throttle(17, path_contains="/published_posts"),
            throttle(80001, status=403, path_contains="/published_posts"),
            throttle(4, status=403),
            throttle(613),
        ]
    )
    db = load(stub, tmp_path, registry_file)
    assert not stub.world.faults
    assert query(db, "select count(*) from raw_meta.facebook_posts") == [(5,)]


def test_server_errors_are_retried(stub: GraphStub, tmp_path: Path, registry_file: Path) -> None:
    stub.world.faults.extend(
        [
            Fault(500, {"error": {"message": "boom", "code": 2}}),
            Fault(502, {}, path_contains="comments.filter"),  # the comments lookup
            Fault(200, '{"data": [{"id": "17', path_contains="/media"),
        ]
    )
    db = load(stub, tmp_path, registry_file)
    assert not stub.world.faults
    assert query(db, "select count(*) from raw_meta.facebook_comments") == [(3,)]
    assert query(db, "select count(*) from raw_meta.instagram_media") == [(3,)]


def test_retries_are_bounded(stub: GraphStub, tmp_path: Path, registry_file: Path) -> None:
    stub.world.faults.extend(Fault(503, {}) for _ in range(10))
    with pytest.raises(PipelineStepFailed) as info:
        load(stub, tmp_path, registry_file, _http={"max_attempts": 3})
    assert "failed 3 times" in str(info.value) and "HTTP 503" in str(info.value)
    assert len(stub.world.log) == 3
    cause: BaseException | None = info.value
    while cause is not None and not isinstance(cause, RetriesExhausted):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, RetriesExhausted) and cause.source == "meta"


def test_regain_time_beyond_budget_gives_up(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    stub.world.faults.append(throttle(80001, regain_minutes=30))
    with pytest.raises(PipelineStepFailed, match="beyond the retry budget") as info:
        load(stub, tmp_path, registry_file)
    assert "asks to wait 1800 s" in str(info.value)  # 30 minutes of regain time, not a backoff
    assert len(stub.world.log) == 1  # no sleep-and-retry inside the budget


def test_malformed_records_are_quarantined_and_good_ones_load(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    w = stub.world
    w.posts[1]["created_time"] = "yesterday-ish"
    w.posts.append({"id": 12345, "created_time": w.posts[0]["created_time"]})
    w.comments[f"{PAGE_ID}_1"][0]["like_count"] = "many"
    w.insights[f"{PAGE_ID}_3"] = {"shares": {"count": "lots"}}
    db = load(stub, tmp_path, registry_file)
    posts = {r[0] for r in query(db, "select post_id from raw_meta.facebook_posts")}
    assert posts == {f"{PAGE_ID}_{n}" for n in (1, 3, 4, 5)}
    rows = query(
        db,
        "select resource, record_id, reason, payload from raw_meta.quarantine "
        "order by resource, record_id",
    )
    got = {(r[0], r[1]): r[2] for r in rows}
    assert "'created_time' is not a parseable timestamp" in got[("facebook_posts", f"{PAGE_ID}_2")]
    assert "'id' is not a non-empty string id (got an int)" in got[("facebook_posts", "12345")]
    assert "'like_count' is not an integer" in got[("facebook_comments", "c1")]
    assert "'shares' is not an integer" in got[("facebook_post_insights", f"{PAGE_ID}_3/shares")]
    assert len(rows) == 4
    assert all("Alice Martin" not in r[3] for r in rows)  # quarantine payloads are redacted too
    # the bad comment is quarantined, its good sibling loads; the bad metric alone is held back
    assert query(db, "select comment_id from raw_meta.facebook_comments order by 1") == [
        ("c2",),
        ("c3",),
    ]
    assert query(
        db, f"select count(*) from raw_meta.facebook_post_insights where post_id = '{PAGE_ID}_3'"
    ) == [(5,)]
    load(stub, tmp_path, registry_file)  # same day again: no duplicate quarantine rows
    assert query(db, "select count(*) from raw_meta.quarantine") == [(4,)]


def test_pseudonymisation_is_keyed_and_hides_names(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    db1 = load(stub, tmp_path / "a", registry_file)
    db2 = load(stub, tmp_path / "b", registry_file, pseudonymisation_key=KEY + "-another")
    sql = (
        "select author_id_hash, author_name_hash from raw_meta.facebook_comments "
        "where comment_id='c1'"
    )
    (id1, name1), (id2, name2) = query(db1, sql)[0], query(db2, sql)[0]
    assert id1 == keyed_hash("9001", "meta", KEY)
    assert name1 == keyed_hash("Alice Martin", "meta", KEY)
    assert id1 != id2 and name1 != name2
    assert len(id1) == 64
    ig = query(
        db1, "select author_username_hash from raw_meta.instagram_comments where comment_id='ig1'"
    )
    assert ig == [(keyed_hash("carla_p", "meta", KEY),)]
    dump = " ".join(str(r) for t in counts(db1) for r in query(db1, f"select * from raw_meta.{t}"))
    for secret in ("Alice Martin", "Bob Durand", "carla_p", "9001", "7001"):
        assert secret not in dump
    assert PAGE_ID in dump and IG_ID in dump  # brand account ids stay in clear


def test_missing_pseudonymisation_key_fails_clearly(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        load(stub, tmp_path, registry_file, pseudonymisation_key=None)
    assert "PULSE_PSEUDONYMISATION_KEY" in str(info.value)
    cause: BaseException | None = info.value
    while cause is not None and not isinstance(cause, PseudonymisationKeyMissing):
        cause = cause.__cause__ or cause.__context__
    assert cause is not None


def test_key_from_environment(
    stub: GraphStub, tmp_path: Path, registry_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", KEY)
    db = load(stub, tmp_path, registry_file, pseudonymisation_key=None)
    got = query(db, "select author_id_hash from raw_meta.facebook_comments where comment_id='c1'")
    assert got == [(keyed_hash("9001", "meta", KEY),)]


def test_base_url_and_page_size_from_dlt_config(
    stub: GraphStub, tmp_path: Path, registry_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``[sources.meta]`` section reaches the source, its HTTP options included."""
    monkeypatch.setenv("SOURCES__META__BASE_URL", stub.base_url)
    monkeypatch.setenv("SOURCES__META__ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SOURCES__META__PSEUDONYMISATION_KEY", KEY)
    monkeypatch.setenv("SOURCES__META__PAGE_SIZE", "3")
    source = meta_source(registry_path=str(registry_file))
    pipeline = dlt.pipeline(
        "cfg",
        destination=dlt.destinations.duckdb(str(tmp_path / "c.duckdb")),
        pipelines_dir=str(tmp_path / "p"),
        dataset_name="raw_meta",
    )
    pipeline.run(source.with_resources("facebook_pages", "facebook_posts")).raise_on_failed_jobs()
    assert query(tmp_path / "c.duckdb", "select page_id from raw_meta.facebook_pages") == [
        (PAGE_ID,)
    ]
    listings = stub.requests_to("published_posts")
    assert listings and all(re.search(r"[?&]limit=3(&|$)", p) for p in listings), listings


def test_a_paging_link_served_twice_fails_as_a_loop(
    stub: GraphStub, tmp_path: Path, registry_file: Path
) -> None:
    """A ``paging.next`` that comes back to a page already read stops the load with a clear
    error instead of reading forever."""
    looping = f"{stub.base_url}/v23.0/{PAGE_ID}/published_posts?after=same"
    page = {"data": [], "paging": {"next": looping}}
    stub.world.faults.extend(Fault(200, page, path_contains="published_posts") for _ in range(2))
    with pytest.raises(PipelineStepFailed, match="paging loop"):
        load(stub, tmp_path, registry_file)
