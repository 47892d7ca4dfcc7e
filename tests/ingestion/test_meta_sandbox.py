"""The Meta source against the real sandbox world, compared with its ground-truth manifest."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
import requests

from ingestion.meta import meta_source
from ingestion.meta.settings import INSIGHTS_WINDOW_DAYS
from sandbox import server
from sandbox.world import generator
from sandbox.world import manifest as manifest_mod
from tests.ingestion.conftest import query

DAYS = 40
START = date(2025, 11, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small world (40 days) for the committed registry."""
    path = tmp_path_factory.mktemp("world") / "world.duckdb"
    generator.generate(path, spec=generator.WorldSpec(start=START, days=DAYS))
    return path


def _run(url: str, tmp: Path) -> Path:
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "meta_sb",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_meta",
    )
    source = meta_source(
        access_token="sandbox-meta-token",
        pseudonymisation_key="k",
        base_url=url,
        backoff_base_s=0.01,
        max_total_wait_s=5.0,
    )
    pipeline.run(source).raise_on_failed_jobs()
    return db


def _ids(db: Path, sql: str) -> set[str]:
    return {r[0] for r in query(db, sql)}


def _check(db: Path, manifest: dict[str, Any]) -> None:
    accounts = manifest["accounts"]
    for account_id, acc in accounts.items():
        if acc["platform"] == "facebook":
            got = _ids(
                db, f"select post_id from raw_meta.facebook_posts where page_id='{account_id}'"
            )
        else:
            got = _ids(
                db, f"select media_id from raw_meta.instagram_media where ig_user_id='{account_id}'"
            )
        assert got == set(acc["post_ids"]), account_id
    comments = _ids(
        db,
        "select comment_id from raw_meta.facebook_comments union all "
        "select comment_id from raw_meta.instagram_comments",
    )
    assert comments == {c for acc in accounts.values() for c in acc["comment_ids"]}
    if _has_quarantine(db):
        assert query(db, "select count(*) from raw_meta.quarantine") == [(0,)]


def _has_quarantine(db: Path) -> bool:
    return bool(
        query(
            db,
            "select 1 from information_schema.tables where "
            "table_schema='raw_meta' and table_name='quarantine'",
        )
    )


def test_sandbox_load_matches_manifest_and_next_day_is_incremental(
    world: Path, tmp_path: Path
) -> None:
    today = START + timedelta(days=DAYS - 1)
    with server.run_in_thread(world, today=today) as url:
        db = _run(url, tmp_path)
        _check(db, manifest_mod.build_manifest(world, today))
        acc_id, acc = next(
            (k, a)
            for k, a in manifest_mod.build_manifest(world, today)["accounts"].items()
            if a["platform"] == "facebook"
        )
        post_id = acc["post_ids"][0]
        got = dict(
            query(
                db,
                "select metric, value from raw_meta.facebook_post_insights "
                f"where post_id='{post_id}'",
            )
        )
        want = acc["posts"][post_id]
        assert {k: v for k, v in got.items() if k in want} == {
            k: v for k, v in want.items() if k in got
        }
        assert query(
            db, f"select followers_count from raw_meta.facebook_pages where page_id='{acc_id}'"
        ) == [(acc["followers_count"],)]
        before = query(db, "select count(*) from raw_meta.facebook_post_insights")[0][0]
        _run(url, tmp_path)  # same day: nothing new
        assert query(db, "select count(*) from raw_meta.facebook_post_insights")[0][0] == before

        requests.post(f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=10)
        _run(url, tmp_path)
        _check(db, manifest_mod.build_manifest(world, today + timedelta(days=1)))
        new_day = query(
            db,
            "select count(distinct post_id), min(p.created_time) "
            "from raw_meta.facebook_post_insights i join raw_meta.facebook_posts p "
            f"using (post_id) where snapshot_date = date '{today + timedelta(1)}'",
        )
        assert new_day[0][0] > 0
        assert new_day[0][1].date() >= today + timedelta(days=1) - timedelta(
            days=INSIGHTS_WINDOW_DAYS
        )


@pytest.mark.parametrize(
    ("platform", "fields", "params"),
    [
        ("facebook", "id,message,parent{id}", {"filter": "stream", "order": "chronological"}),
        ("instagram", "id,text,replies{id,text}", {}),
    ],
)
def test_the_comments_edge_expands_like_the_edge_itself(
    world: Path, platform: str, fields: str, params: dict[str, str]
) -> None:
    """``?ids=...&fields=comments.limit(2){...}`` nests, per post, the first page the edge
    ``/{post}/comments?limit=2`` answers, and its ``paging.next`` leads to the second page."""
    today = START + timedelta(days=DAYS - 1)
    token = {"access_token": "sandbox-meta-token"}
    with duckdb.connect(str(world), read_only=True) as con:  # posts with most comments
        posts = [
            r[0]
            for r in con.execute(
                "select post_id from comments where platform = ? and created_time < ? "
                "group by 1 order by count(*) desc, 1 limit 5",
                [platform, today],
            ).fetchall()
        ]
    modifiers = "".join(f".{k}({v})" for k, v in params.items())
    with server.run_in_thread(world, today=today) as url:
        base = f"{url}/v23.0"
        lookup = requests.get(
            f"{base}/",
            params={"ids": ",".join(posts), "fields": f"comments{modifiers}.limit(2){{{fields}}}"}
            | token,
            timeout=30,
        ).json()
        followed = 0
        for post_id in posts:
            edge = requests.get(
                f"{base}/{post_id}/comments",
                params={"fields": fields, "limit": 2, **params} | token,
                timeout=30,
            ).json()
            nested = lookup[post_id]["comments"]
            assert nested["data"] == edge["data"], post_id
            if "next" in edge.get("paging", {}):
                second = requests.get(nested["paging"]["next"], timeout=30).json()
                assert (
                    second["data"]
                    == requests.get(edge["paging"]["next"], timeout=30).json()["data"]
                )
                followed += 1
        assert followed > 0  # some post had more than one page
