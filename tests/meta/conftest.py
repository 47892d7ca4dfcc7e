"""Fixtures of the Meta tests: a stub Graph server (graph_stub.py) for the source's edge cases,
and the sandbox's small world served over HTTP (from tests/sandbox) for the contract tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.meta.graph_stub import IG_ID, PAGE_ID, GraphStub, World, ts
from tests.sandbox.conftest import base_url, graph, manifest, reset_clock, world

__all__ = ["base_url", "graph", "manifest", "reset_clock", "world"]  # sandbox fixtures, re-used

NOW = datetime(2025, 12, 10, 23, 59, 59, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_env(no_ambient_secrets: None) -> None:
    """Tests pass secrets explicitly; ambient ones must not leak in (tests/conftest.py)."""


def fb_post(n: int, days_ago: float, **extra: Any) -> dict[str, Any]:
    """A Facebook post ``days_ago`` before NOW."""
    created = NOW - timedelta(days=days_ago)
    return {
        "id": f"{PAGE_ID}_{n}",
        "message": f"post {n}",
        "created_time": ts(created),
        "permalink_url": f"https://fb.example/p/{n}",
        "status_type": "added_photos",
        "attachments": {
            "data": [
                {
                    "type": "share",
                    "media_type": "link",
                    "url": f"https://shop.example/?utm_content={n}",
                }
            ]
        },
        **extra,
    }


def ig_media(n: int, days_ago: float, product: str = "FEED") -> dict[str, Any]:
    """An Instagram media ``days_ago`` before NOW."""
    return {
        "id": f"1790000000000{n}",
        "caption": f"media {n}",
        "media_type": "IMAGE",
        "media_product_type": product,
        "timestamp": ts(NOW - timedelta(days=days_ago)),
        "username": "maison.ig",
        "owner": {"id": IG_ID},
        "is_comment_enabled": True,
        "permalink": f"https://ig.example/{n}",
        "shortcode": f"S{n}",
    }


def make_world() -> World:
    """Five posts (two outside the 28-day window), three media, comments incl. brand replies."""
    w = World(now=NOW)
    w.posts = [fb_post(1, 1), fb_post(2, 3), fb_post(3, 10), fb_post(4, 40), fb_post(5, 60)]
    w.media = [ig_media(1, 2), ig_media(2, 5, "REELS"), ig_media(3, 35)]
    t = ts(NOW - timedelta(hours=5))
    w.comments = {
        f"{PAGE_ID}_1": [
            {
                "id": "c1",
                "message": "Super !",
                "created_time": t,
                "like_count": 2,
                "comment_count": 1,
                "from": {"id": "9001", "name": "Alice Martin"},
            },
            {
                "id": "c2",
                "message": "Merci Alice",
                "created_time": t,
                "like_count": 0,
                "comment_count": 0,
                "parent": {"id": "c1"},
                "from": {"id": PAGE_ID, "name": "Maison"},
            },
        ],
        f"{PAGE_ID}_4": [
            {
                "id": "c3",
                "message": "Old",
                "created_time": ts(NOW - timedelta(days=39)),
                "like_count": 1,
                "comment_count": 0,
                "from": {"id": "9002", "name": "Bob Durand"},
            },
        ],
        "17900000000001": [
            {
                "id": "ig1",
                "text": "Love it",
                "timestamp": t,
                "username": "carla_p",
                "like_count": 3,
                "from": {"id": "7001", "username": "carla_p"},
                "replies": {
                    "data": [
                        {
                            "id": "ig2",
                            "text": "Merci",
                            "timestamp": t,
                            "username": "maison.ig",
                            "like_count": 0,
                            "from": {"id": IG_ID, "username": "maison.ig"},
                        },
                    ]
                },
            },
        ],
    }
    return w


@pytest.fixture
def stub() -> Iterator[GraphStub]:
    """A running stub Graph server over a fresh world."""
    with GraphStub(make_world()) as server:
        yield server


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    """A one-brand registry pointing at the stub's accounts."""
    path = tmp_path / "brands.yaml"
    path.write_text(
        "brands:\n  - id: maison\n    name: Maison\n    timezone: UTC\n    accounts:\n"
        f'      facebook: "{PAGE_ID}"\n      instagram: "{IG_ID}"\n',
        encoding="utf-8",
    )
    return path


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run one read-only query on the test warehouse and close it (DuckDB is single-writer)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def plant_conversion(path: Path, count: int = 3) -> tuple[str, list[str]]:
    """Move the first IG account's business conversion to its ``count + 1``-th oldest media, so
    its ``count`` oldest media were posted before it (Meta refuses their insights, subcode
    2108006). Returns the account and those media ids, read from the world's own tables."""
    with duckdb.connect(str(path)) as con:
        ig = con.execute(
            "select account_id from accounts where platform = 'instagram' order by account_id"
        ).fetchone()[0]
        media = con.execute(
            "select post_id, created_time from posts where account_id = ? "
            "order by created_time, post_id limit ?",
            [ig, count + 1],
        ).fetchall()
        assert media[count - 1][1] < media[count][1]  # a strict cut between the two groups
        con.execute(
            "update accounts set business_converted_at = ? where account_id = ?",
            [media[count][1], ig],
        )
    return ig, [m[0] for m in media[:count]]


@pytest.fixture(scope="module")
def planted(world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """A copy of the small sandbox world where one IG account converted after 3 of its media."""
    path = tmp_path_factory.mktemp("planted") / "world.duckdb"
    shutil.copyfile(world, path)
    ig, refused = plant_conversion(path)
    return path, ig, refused
