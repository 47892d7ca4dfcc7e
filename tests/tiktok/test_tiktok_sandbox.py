"""The TikTok source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.tiktok.settings import METRICS_WINDOW_DAYS
from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from sandbox.world.manifest import build_manifest
from tests.tiktok.support import DAYS, OPEN_IDS, START, TODAY, TOKENS, count, load, pipeline, query


@pytest.fixture(autouse=True)
def _no_ambient_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("SOURCES__TIKTOK__"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiktok_world") / "world.duckdb"
    generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


@pytest.fixture(scope="module")
def url(world: Path) -> Iterator[str]:
    with run_in_thread(world, today=TODAY, faults="") as base:
        yield base


@pytest.fixture()
def clock(url: str) -> Iterator[None]:
    """Every test starts and ends on TODAY with no faults."""
    requests.post(f"{url}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)
    yield
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10)
    requests.post(f"{url}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)


_TRUTH: dict[tuple[Path, Any], dict[str, Any]] = {}


def truth(world: Path, day: Any) -> dict[str, Any]:
    """The ground truth of the tiktok vendor as of ``day`` (cached: the world is read-only)."""
    if (world, day) not in _TRUTH:
        _TRUTH[world, day] = build_manifest(world, day)["sources"]["tiktok"]
    return _TRUTH[world, day]


def check_complete(db: Path, manifest: dict[str, Any], day: Any) -> None:
    """Every video once, every account snapshot and every count of ``day`` as the API says."""
    for open_id, acc in manifest["accounts"].items():
        got = query(
            db, "select video_id from raw_tiktok.tiktok_videos where open_id = ?", [open_id]
        )
        assert sorted(r[0] for r in got) == sorted(acc["video_ids"])
        snap = query(
            db,
            "select video_id, view_count, like_count, comment_count, share_count "
            "from raw_tiktok.tiktok_video_metrics where open_id = ? and snapshot_date = ?",
            [open_id, day],
        )
        assert {
            r[0]: dict(
                zip(
                    ("view_count", "like_count", "comment_count", "share_count"), r[1:], strict=True
                )
            )
            for r in snap
        } == {vid: acc["videos"][vid] for vid in {r[0] for r in snap}}
        user = query(
            db,
            "select brand_id, follower_count, following_count, likes_count, video_count "
            "from raw_tiktok.tiktok_accounts where open_id = ? and snapshot_date = ?",
            [open_id, day],
        )
        assert user == [
            (
                acc["brand_id"],
                acc["follower_count"],
                acc["following_count"],
                acc["likes_count"],
                acc["video_count"],
            )
        ]
    assert count(db, "tiktok_videos") == manifest["totals"]["videos"]


def test_full_load_equals_manifest_then_incremental(
    world: Path, url: str, clock: None, tmp_path: Path
) -> None:
    manifest = truth(world, TODAY)
    assert set(manifest["accounts"]) == set(OPEN_IDS) and manifest["totals"]["videos"] > 40
    pipe = pipeline(tmp_path)
    load(pipe, url, page_size=7)  # odd page size: several pages per account, none lost
    db = tmp_path / "w.duckdb"
    check_complete(db, manifest, TODAY)
    # first run: a snapshot of every video, nothing else
    assert count(db, "tiktok_video_metrics") == manifest["totals"]["videos"]
    assert query(db, "select max(fetched_at) from raw_tiktok.tiktok_videos")[0][0].hour == 23
    before = {t: count(db, t) for t in ("tiktok_accounts", "tiktok_videos", "tiktok_video_metrics")}

    load(pipe, url)  # same sandbox day: nothing new
    assert {t: count(db, t) for t in before} == before

    requests.post(
        f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=10
    ).raise_for_status()
    nxt = TODAY + timedelta(days=1)
    later = truth(world, nxt)
    load(pipe, url)
    check_complete(db, later, nxt)
    new_ids = {v for a in later["accounts"].values() for v in a["video_ids"]} - {
        v for a in manifest["accounts"].values() for v in a["video_ids"]
    }
    assert count(db, "tiktok_videos") == before["tiktok_videos"] + len(new_ids)
    assert count(db, "tiktok_accounts") == before["tiktok_accounts"] + len(OPEN_IDS)
    # next day: snapshots only for videos younger than the window (new ones included)
    window_start = f"{nxt - timedelta(days=METRICS_WINDOW_DAYS)} 23:59:59+00"
    recent = query(
        db,
        "select video_id from raw_tiktok.tiktok_videos where create_time >= ?::timestamptz",
        [window_start],
    )
    snapped = query(
        db,
        "select video_id from raw_tiktok.tiktok_video_metrics where snapshot_date = ?",
        [nxt],
    )
    assert {r[0] for r in snapped} == {r[0] for r in recent} and new_ids <= {r[0] for r in snapped}
    assert len(snapped) < later["totals"]["videos"]
    old = query(
        db, "select count(*) from raw_tiktok.tiktok_video_metrics where snapshot_date = ?", [TODAY]
    )
    assert old[0][0] == before["tiktok_video_metrics"]


def test_throttling_is_retried_to_a_complete_load(
    world: Path, url: str, clock: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    requests.put(
        f"{url}/_sandbox/faults", data="throttle=0.3,seed=3", timeout=10
    ).raise_for_status()
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        load(pipeline(tmp_path), url, page_size=10, max_attempts=10)
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10).raise_for_status()
    assert any("rate_limit_exceeded" in r.getMessage() for r in caplog.records)
    check_complete(tmp_path / "w.duckdb", truth(world, TODAY), TODAY)


def test_server_errors_and_truncated_pages_are_retried(
    world: Path, url: str, clock: None, tmp_path: Path
) -> None:
    spec = "server_error=0.2,corrupt=0.15,seed=5"
    requests.put(f"{url}/_sandbox/faults", data=spec, timeout=10).raise_for_status()
    load(pipeline(tmp_path), url, max_attempts=10)
    requests.put(f"{url}/_sandbox/faults", data="off", timeout=10).raise_for_status()
    check_complete(tmp_path / "w.duckdb", truth(world, TODAY), TODAY)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"access_tokens": {OPEN_IDS[0]: "not-a-token"}},
            f"tiktok: account {OPEN_IDS[0]}: TikTok error 'access_token_invalid' (HTTP 401): "
            "'The access token is invalid or not found in the request.'",
        ),
        (
            {"access_tokens": {}, "access_token": TOKENS[OPEN_IDS[1]]},
            f"tiktok: account {OPEN_IDS[0]}: the access token belongs to open_id "
            f"'{OPEN_IDS[1]}', not to this account",
        ),
        (
            {"access_tokens": {OPEN_IDS[0]: TOKENS[OPEN_IDS[0]] + ".basic"}},
            f"tiktok: account {OPEN_IDS[0]}: TikTok error 'scope_not_authorized' (HTTP 401)",
        ),
        ({"access_tokens": None}, f"tiktok: account {OPEN_IDS[0]}: no access token"),
    ],
    ids=["bad-token", "wrong-account", "missing-scope", "no-token"],
)
def test_auth_errors_fail_the_source_clearly(
    url: str, clock: None, tmp_path: Path, kwargs: dict[str, Any], expected: str
) -> None:
    with pytest.raises(Exception) as info:
        load(pipeline(tmp_path), url, **kwargs)
    assert expected in str(info.value)


def test_malformed_records_are_quarantined(
    world: Path, url: str, clock: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = truth(world, TODAY)
    wrong_type, no_id = manifest["accounts"][OPEN_IDS[0]]["video_ids"][2:4]
    real = requests.Session.request

    def corrupting(self: requests.Session, *args: Any, **kw: Any) -> Any:
        resp = real(self, *args, **kw)
        if "/v2/video/list/" in resp.url and resp.status_code == 200:
            body = resp.json()
            for video in body["data"]["videos"]:
                if video.get("id") == wrong_type:
                    video["like_count"] = "beaucoup"
                elif video.get("id") == no_id:
                    del video["id"]
            resp._content = json.dumps(body).encode()
        return resp

    monkeypatch.setattr(requests.Session, "request", corrupting)
    pipe = pipeline(tmp_path)
    fields = ["id", "create_time", "like_count", "view_count", "embed_link"]
    load(pipe, url, video_fields=fields)
    db = tmp_path / "w.duckdb"
    rows = query(db, "select resource, record_id, reason, payload from raw_tiktok.quarantine")
    by_id = {r[1]: r for r in rows}
    assert len(rows) == 2
    assert by_id[wrong_type][0] == "tiktok_videos"
    assert "'like_count' is not an integer: 'beaucoup'" in by_id[wrong_type][2]
    missing = next(r for r in rows if r[1].startswith("missing-id:"))
    assert "missing required 'id'" in missing[2] and '"create_time"' in missing[3]
    assert count(db, "tiktok_videos") == manifest["totals"]["videos"] - 2
    # a field beyond the known ones evolves the schema as a new column
    links = query(db, "select count(embed_link) from raw_tiktok.tiktok_videos")
    assert links[0][0] == manifest["totals"]["videos"] - 2
    load(pipe, url, video_fields=fields)  # the same bad records, same day: not duplicated
    assert count(db, "quarantine") == 2


def test_api_contract(url: str, clock: None) -> None:
    """Paths, envelope, max_count limit, cursor paging and video/query as the real API."""
    api = f"{url}/tiktok/v2"
    auth = {"Authorization": f"Bearer {TOKENS[OPEN_IDS[1]]}"}
    too_many = requests.post(
        f"{api}/video/list/", params={"fields": "id"}, json={"max_count": 21}, headers=auth
    )
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_params"
    first = requests.post(
        f"{api}/video/list/",
        params={"fields": "id,create_time"},
        json={"max_count": 5},
        headers=auth,
    ).json()
    assert first["error"]["code"] == "ok" and first["data"]["has_more"] is True
    times = [v["create_time"] for v in first["data"]["videos"]]
    assert times == sorted(times, reverse=True) and first["data"]["cursor"] == times[-1] * 1000
    second = requests.post(
        f"{api}/video/list/",
        params={"fields": "id,create_time"},
        json={"max_count": 5, "cursor": first["data"]["cursor"]},
        headers=auth,
    ).json()
    assert second["data"]["videos"][0]["create_time"] < times[-1]
    ids = [v["id"] for v in first["data"]["videos"]]
    queried = requests.post(
        f"{api}/video/query/",
        params={"fields": "id,view_count"},
        json={"filters": {"video_ids": ids}},
        headers=auth,
    ).json()
    assert [v["id"] for v in queried["data"]["videos"]] == ids
    other = requests.post(
        f"{api}/video/query/",
        params={"fields": "id"},
        json={"filters": {"video_ids": ids}},
        headers={"Authorization": f"Bearer {TOKENS[OPEN_IDS[0]]}"},
    ).json()
    assert other["data"]["videos"] == []  # another account's videos are not visible
