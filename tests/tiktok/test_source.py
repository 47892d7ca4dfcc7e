"""The TikTok source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from ingestion.tiktok.settings import METRICS_WINDOW_DAYS
from pulse_config.registry import load_registry
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    count,
    load_source,
    query,
    requests_seen,
    vendor_truth,
)

# The sparse schedule these tests check (the default reads every day to D+28).
pytestmark = pytest.mark.usefixtures("sparse_snapshot_ages")

OPEN_IDS = [open_id for _brand, open_id in load_registry().accounts("tiktok")]
TOKENS = {open_id: f"sandbox-tiktok-token-{open_id}" for open_id in OPEN_IDS}
VIDEOS = "raw_tiktok.tiktok_videos"
METRICS = "raw_tiktok.tiktok_video_metrics"
ACCOUNTS = "raw_tiktok.tiktok_accounts"


def load(sandbox: Sandbox, tmp: Path, **kwargs: Any) -> Path:
    """One run of the source into ``tmp/w.duckdb`` (state kept under ``tmp``)."""
    return load_source("tiktok", sandbox.url, tmp, "tiktok_test", **kwargs)


def truth(world: Path, day: Any) -> dict[str, Any]:
    """The ground truth of the tiktok vendor as of ``day``."""
    return vendor_truth(world, "tiktok", day)


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
    assert count(db, VIDEOS) == manifest["totals"]["videos"]


def test_full_load_equals_manifest_then_incremental(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    manifest = truth(world, TODAY)
    assert set(manifest["accounts"]) == set(OPEN_IDS) and manifest["totals"]["videos"] > 40
    db = load(sandbox, tmp_path, page_size=7)  # odd page size: several pages, none lost
    check_complete(db, manifest, TODAY)
    # first run: a snapshot of every video, nothing else
    assert count(db, METRICS) == manifest["totals"]["videos"]
    assert query(db, "select max(fetched_at) from raw_tiktok.tiktok_videos")[0][0].hour == 23
    before = {t: count(db, t) for t in (ACCOUNTS, VIDEOS, METRICS)}

    load(sandbox, tmp_path)  # same sandbox day: nothing new
    assert {t: count(db, t) for t in before} == before

    sandbox.advance()
    nxt = TODAY + timedelta(days=1)
    later = truth(world, nxt)
    load(sandbox, tmp_path)
    check_complete(db, later, nxt)
    new_ids = {v for a in later["accounts"].values() for v in a["video_ids"]} - {
        v for a in manifest["accounts"].values() for v in a["video_ids"]
    }
    assert count(db, VIDEOS) == before[VIDEOS] + len(new_ids)
    assert count(db, ACCOUNTS) == before[ACCOUNTS] + len(OPEN_IDS)
    # next day: snapshots only for videos younger than the window (new ones included) whose
    # age (days since the UTC creation date) is on the snapshot schedule (issue 14, by hand)
    window_start = f"{nxt - timedelta(days=METRICS_WINDOW_DAYS)} 23:59:59+00"
    recent = query(
        db,
        "select video_id from raw_tiktok.tiktok_videos where create_time >= ?::timestamptz "
        "and date_diff('day', (create_time at time zone 'UTC')::date, ?::date) "
        "in (0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28)",
        [window_start, nxt],
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
    assert old[0][0] == before[METRICS]


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.set_faults("throttle=0.3,seed=3")
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = load(sandbox, tmp_path, page_size=10, max_attempts=10)
    assert sandbox.fired()["throttle"] > 0
    assert any("rate_limit_exceeded" in r.getMessage() for r in caplog.records)
    check_complete(db, truth(world, TODAY), TODAY)


def test_server_errors_and_truncated_pages_are_retried(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    # seed 4: a corrupt page and a 500 among the first requests (seed 5 served none in the
    # few requests of this small world: the test passed without a fault)
    sandbox.set_faults("server_error=0.2,corrupt=0.15,seed=4")
    db = load(sandbox, tmp_path, page_size=10, max_attempts=10)
    fired = sandbox.fired()
    assert fired["server_error"] > 0 and fired["corrupt"] > 0, fired
    check_complete(db, truth(world, TODAY), TODAY)


@pytest.mark.parametrize(
    ("kwargs", "expected", "asked"),
    [
        (
            {"access_tokens": {OPEN_IDS[0]: "not-a-token"}, "refresh_tokens": None},
            f"tiktok: account {OPEN_IDS[0]}: TikTok user access token rejected (TikTok error "
            "'access_token_invalid' (HTTP 401): "
            "'The access token is invalid or not found in the request.'",
            1,
        ),
        (
            {"access_tokens": {}, "access_token": TOKENS[OPEN_IDS[1]]},
            f"tiktok: account {OPEN_IDS[0]}: the access token belongs to open_id "
            f"'{OPEN_IDS[1]}', not to this account",
            1,
        ),
        (
            {"access_tokens": {OPEN_IDS[0]: TOKENS[OPEN_IDS[0]] + ".basic"}},
            f"tiktok: account {OPEN_IDS[0]}: TikTok error 'scope_not_authorized' (HTTP 401)",
            1,
        ),
        (
            {"access_tokens": None, "refresh_tokens": None},
            f"tiktok: account {OPEN_IDS[0]}: no access token",
            0,
        ),
    ],
    ids=["bad-token", "wrong-account", "missing-scope", "no-token"],
)
def test_auth_errors_fail_the_source_clearly_without_retry(
    sandbox: Sandbox, tmp_path: Path, kwargs: dict[str, Any], expected: str, asked: int
) -> None:
    with requests_seen("/tiktok/") as seen, pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, **kwargs)
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert expected in str(error)
    assert len(seen) == asked, seen  # refused once, not retried


def test_malformed_records_are_quarantined(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
    fields = ["id", "create_time", "like_count", "view_count", "embed_link"]
    db = load(sandbox, tmp_path, video_fields=fields)
    rows = query(db, "select resource, record_id, reason, payload from raw_tiktok.quarantine")
    by_id = {r[1]: r for r in rows}
    assert len(rows) == 2
    assert by_id[wrong_type][0] == "tiktok_videos"
    assert "'like_count' is not an integer: 'beaucoup'" in by_id[wrong_type][2]
    missing = next(r for r in rows if r[1].startswith("missing-id:"))
    assert "missing required 'id'" in missing[2] and '"create_time"' in missing[3]
    assert count(db, VIDEOS) == manifest["totals"]["videos"] - 2
    # a field beyond the known ones evolves the schema as a new column
    links = query(db, "select count(embed_link) from raw_tiktok.tiktok_videos")
    assert links[0][0] == manifest["totals"]["videos"] - 2
    load(sandbox, tmp_path, video_fields=fields)  # the same bad records, same day: not duplicated
    assert count(db, "raw_tiktok.quarantine") == 2
