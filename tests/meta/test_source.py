"""The Meta source against the sandbox world, compared with the generator's ground truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
import requests

from ingestion.meta import meta_source
from sandbox import server
from sandbox.credentials import source_env
from sandbox.world import generator
from sandbox.world import manifest as manifest_mod
from tests.meta.conftest import query

# The sparse schedule these tests check (the default reads every day to D+28).
pytestmark = pytest.mark.usefixtures("sparse_snapshot_ages")

DAYS = 40
START = date(2025, 11, 1)
TODAY = START + timedelta(days=DAYS - 1)
# The re-list window, written by hand from its reason rather than imported from the source: the
# engagement marts read each post at D+28, and a post published at any hour of day D is still
# younger than 29 days at the end of day D+28 (docs/sources/meta.md, section 4).
WINDOW = timedelta(days=29)
# The snapshot schedule of issue 14, written by hand: every day of the first week, then the
# days the marts need (D+14, D+21, D+28); .dlt/config.toml sources.meta.snapshot_ages.
SCHEDULE = {0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28}
INSIGHTS = {"facebook": "facebook_post_insights", "instagram": "instagram_media_insights"}
ID_COLUMN = {"facebook": "post_id", "instagram": "media_id"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small world (40 days) for the committed registry."""
    path = tmp_path_factory.mktemp("world") / "world.duckdb"
    generator.generate(path, spec=generator.WorldSpec(start=START, days=DAYS))
    return path


def _run(url: str, tmp: Path) -> Path:
    """One load through the URL and token the sandbox hands every source (``source_env``)."""
    env = source_env(url)
    assert env["SOURCES__META__BASE_URL"] == f"{url}/meta"
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "meta_sb",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_meta",
    )
    source = meta_source(
        access_token=env["SOURCES__META__ACCESS_TOKEN"],
        pseudonymisation_key="meta-sandbox-test-key-0123456789abcdef",  # 32 bytes at least
        base_url=env["SOURCES__META__BASE_URL"],
        _http={"backoff_base_s": 0.01, "max_total_wait_s": 5.0},
    )
    pipeline.run(source).raise_on_failed_jobs()
    return db


def _ids(db: Path, sql: str) -> set[str]:
    return {r[0] for r in query(db, sql)}


def _check_ids(db: Path, manifest: dict[str, Any]) -> None:
    """Every post and comment id of the manifest, and nothing else, nothing quarantined."""
    accounts = manifest["accounts"]
    for account_id, acc in accounts.items():
        if acc["platform"] == "facebook":
            sql = f"select post_id from raw_meta.facebook_posts where page_id='{account_id}'"
        else:
            sql = f"select media_id from raw_meta.instagram_media where ig_user_id='{account_id}'"
        assert _ids(db, sql) == set(acc["post_ids"]), account_id
    comments = _ids(
        db,
        "select comment_id from raw_meta.facebook_comments union all "
        "select comment_id from raw_meta.instagram_comments",
    )
    assert comments == {c for acc in accounts.values() for c in acc["comment_ids"]}
    quarantine = query(
        db,
        "select count(*) from information_schema.tables where "
        "table_schema='raw_meta' and table_name='quarantine'",
    )
    if quarantine[0][0]:
        assert query(db, "select count(*) from raw_meta.quarantine") == [(0,)]


def _check_metrics(db: Path, manifest: dict[str, Any], day: date) -> None:
    """Every post's every metric snapshot of ``day`` equals the manifest's, key for key."""
    checked = 0
    for account_id, acc in manifest["accounts"].items():
        platform = acc["platform"]
        loaded: dict[str, dict[str, int]] = {}
        for post_id, metric, value in query(
            db,
            f"select {ID_COLUMN[platform]}, metric, value from raw_meta.{INSIGHTS[platform]} "
            f"where snapshot_date = date '{day}'",
        ):
            loaded.setdefault(post_id, {})[metric] = value
        for post_id, truth in acc["posts"].items():
            assert loaded.get(post_id) == truth, (account_id, post_id)
            checked += 1
    assert checked == manifest["totals"]["posts"]


def _check_texts(db: Path, world: Path) -> None:
    """Post texts and times as the generator wrote them (the world's ``posts`` table)."""
    with duckdb.connect(str(world), read_only=True) as con:
        truth = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "select post_id, text, created_time from posts where created_time <= ?",
                [datetime.combine(TODAY, time(23, 59, 59))],
            ).fetchall()
        }
    loaded = query(
        db,
        "select post_id, message, created_time from raw_meta.facebook_posts union all "
        "select media_id, caption, timestamp from raw_meta.instagram_media",
    )
    assert len(loaded) == len(truth)
    for post_id, text, created in loaded:
        got = (text, created.astimezone(UTC).replace(tzinfo=None))
        assert got == truth[post_id], post_id


def _window_posts(world: Path, now: datetime, day: date) -> dict[str, set[str]]:
    """Per platform, the posts the generator wrote between ``now - WINDOW`` and ``now`` that
    are ``SCHEDULE`` days old on ``day``."""
    with duckdb.connect(str(world), read_only=True) as con:
        found = con.execute(
            "select platform, post_id, created_time from posts "
            "where created_time >= ? and created_time <= ?",
            [now - WINDOW, now],
        ).fetchall()
    out: dict[str, set[str]] = {"facebook": set(), "instagram": set()}
    for platform, post_id, created in found:
        if (day - created.date()).days in SCHEDULE:
            out[platform].add(post_id)
    return out


def test_sandbox_load_matches_the_ground_truth_and_next_day_is_incremental(
    world: Path, tmp_path: Path
) -> None:
    with server.run_in_thread(world, today=TODAY) as url:
        db = _run(url, tmp_path)
        manifest = manifest_mod.build_manifest(world, TODAY)
        _check_ids(db, manifest)
        _check_metrics(db, manifest, TODAY)
        _check_texts(db, world)
        for acc_id, acc in manifest["accounts"].items():
            table, key = (
                ("facebook_pages", "page_id")
                if acc["platform"] == "facebook"
                else ("instagram_accounts", "ig_user_id")
            )
            assert query(
                db, f"select followers_count from raw_meta.{table} where {key}='{acc_id}'"
            ) == [(acc["followers_count"],)]
        before = query(db, "select count(*) from raw_meta.facebook_post_insights")[0][0]
        _run(url, tmp_path)  # same day: nothing new
        assert query(db, "select count(*) from raw_meta.facebook_post_insights")[0][0] == before

        requests.post(f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=10)
        _run(url, tmp_path)
        day = TODAY + timedelta(days=1)
        _check_ids(db, manifest_mod.build_manifest(world, day))
        # the next day, fresh snapshots for exactly the posts of the last 29 days whose age
        # (days since the UTC publication date) is on the snapshot schedule
        expected = _window_posts(world, datetime.combine(day, time(23, 59, 59)), day)
        for platform, table in INSIGHTS.items():
            fresh = _ids(
                db,
                f"select distinct {ID_COLUMN[platform]} from raw_meta.{table} "
                f"where snapshot_date = date '{day}'",
            )
            assert fresh == expected[platform], platform
            assert fresh, platform
