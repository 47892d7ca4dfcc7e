"""The YouTube source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

import ingestion.youtube.context as context_mod
import ingestion.youtube.helpers as helpers_mod
from ingestion.http import SourceAuthError
from ingestion.youtube.settings import (
    ANALYTICS_LAG_DAYS,
    ANALYTICS_REFETCH_DAYS,
    STATS_WINDOW_DAYS,
)
from tests.sources.support import TODAY, Sandbox, cause, query, requests_seen, world_rows
from tests.youtube.truth import CHANNELS, check_channel_daily, counts, load, manifest_of

# The sparse schedule these tests check (the default reads every day to D+28).
pytestmark = pytest.mark.usefixtures("sparse_snapshot_ages")

SCHEDULE = {0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28}
"""The snapshot schedule of issue 14, by hand: the first week daily, then D+14, D+21, D+28."""

SUMMED = ("views", "estimatedMinutesWatched", "likes", "comments", "shares")


def _check_full(
    db: Path, truth: dict[str, Any], day: Any, older: dict[str, Any] | None = None
) -> None:
    """Every id of the manifest exactly once; today's statistics and analytics equal."""
    ids = [r[0] for r in query(db, "select video_id from raw_youtube.videos")]
    assert sorted(ids) == sorted(truth["video_ids"])
    items = [r[0] for r in query(db, "select video_id from raw_youtube.playlist_items")]
    assert sorted(items) == sorted(truth["video_ids"])
    got_comments = [r[0] for r in query(db, "select comment_id from raw_youtube.comments")]
    assert sorted(got_comments) == sorted(truth["comment_ids"])
    disabled = [r[0] for r in query(db, "select video_id from raw_youtube.comments_disabled")]
    assert sorted(disabled) == truth["comments_disabled"]
    replies = query(db, "select count(*) from raw_youtube.comments where is_from_channel")
    assert replies == [(truth["totals"]["channel_replies"],)]
    shorts = query(db, "select count(*) from raw_youtube.videos where is_short")
    assert shorts == [(truth["totals"]["shorts"],)]
    for channel_id, ch in truth["channels"].items():
        snap = query(
            db,
            "select subscriber_count, view_count, video_count, uploads_playlist_id, brand_id "
            f"from raw_youtube.channels where channel_id = '{channel_id}' "
            f"and snapshot_date = date '{day}'",
        )
        assert snap == [
            (
                ch["subscriber_count"],
                ch["view_count"],
                ch["video_count"],
                ch["uploads_playlist_id"],
                ch["brand_id"],
            )
        ]
    stats = {
        r[0]: {
            "view_count": r[1],
            "like_count": r[2],
            "favorite_count": r[3],
            "comment_count": r[4],
        }
        for r in query(
            db,
            "select video_id, view_count, like_count, favorite_count, comment_count "
            f"from raw_youtube.video_stats where snapshot_date = date '{day}'",
        )
    }
    for video_id, got in stats.items():
        want = truth["videos"][video_id]
        assert got == {k: want[k] for k in got}, video_id
    _check_daily(db, truth, older)
    check_channel_daily(db, truth)


def _check_daily(db: Path, truth: dict[str, Any], older: dict[str, Any] | None) -> None:
    """video_daily: per video the manifest's row count and sums. After a later run, a video
    published before the follow window of the previous run (``older`` = its manifest) is not
    asked again and keeps what that run loaded."""
    want = dict(truth["daily"]["videos"])
    if older is not None:
        follow = STATS_WINDOW_DAYS + ANALYTICS_REFETCH_DAYS + ANALYTICS_LAG_DAYS
        since = TODAY - timedelta(days=follow)
        for video_id, meta in truth["videos"].items():
            if date.fromisoformat(meta["published_at"][:10]) < since:
                want.pop(video_id, None)
                if video_id in older["daily"]["videos"]:
                    want[video_id] = older["daily"]["videos"][video_id]
    daily = query(
        db,
        "select video_id, count(*), sum(views), sum(estimated_minutes_watched), sum(likes), "
        "sum(comments), sum(shares) from raw_youtube.video_daily group by 1",
    )
    assert sum(r[1] for r in daily) == sum(w["rows"] for w in want.values())
    for video_id, n, *sums in daily:
        assert [n, *sums] == [want[video_id]["rows"], *(want[video_id][m] for m in SUMMED)]


def _check_comment_reads(
    before: dict[str, Any],
    after: dict[str, Any],
    day: date,
    urls: list[str],
    schedule: set[int] = SCHEDULE,
) -> set[str]:
    """The next day asks the comments of a video only when the world's ``commentCount`` of
    the video moved since the previous day, or its age is on the snapshot schedule: every
    video with a new comment is asked, and fewer than the listed videos with comments
    (docs/sources/youtube.md, "Comments")."""
    asked = {parse_qs(urlsplit(url).query)["videoId"][0] for url in urls}
    moved, scheduled, with_comments = set(), set(), set()
    for video_id, meta in after["videos"].items():
        published = datetime.fromisoformat(meta["published_at"].rstrip("Z"))
        if (day - published.date()).days >= STATS_WINDOW_DAYS:
            continue  # not listed again
        old = before["videos"].get(video_id, {}).get("comment_count")
        if meta["comment_count"] != old:
            moved.add(video_id)
        if (day - published.date()).days in schedule:
            scheduled.add(video_id)
        if meta["comment_count"]:
            with_comments.add(video_id)
    moved -= {v for v in moved if after["videos"][v]["comment_count"] == 0}
    assert moved and moved <= asked, moved - asked
    assert asked <= moved | scheduled, asked - moved - scheduled
    assert len(asked) < len(with_comments), (len(asked), len(with_comments))
    return moved - scheduled


def test_comments_are_read_again_only_where_the_count_moved(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a schedule of the marts' ages only (1, 7, 28), the next day's comment reads are
    the videos whose comment count moved: every new comment is loaded, the others not asked."""
    monkeypatch.setenv("SOURCES__YOUTUBE__SNAPSHOT_AGES", "[1, 7, 28]")
    tables = ("video_stats", "comments")  # the statistics note the runs the schedule counts from
    db = load(sandbox.url, tmp_path, tables)
    truth = manifest_of(world, TODAY)
    sandbox.advance()
    day2 = TODAY + timedelta(days=1)
    with requests_seen("/commentThreads") as seen:
        load(sandbox.url, tmp_path, tables)
    truth2 = manifest_of(world, day2)
    got = [r[0] for r in query(db, "select comment_id from raw_youtube.comments")]
    assert sorted(got) == sorted(truth2["comment_ids"])
    assert _check_comment_reads(truth, truth2, day2, seen, {1, 7, 28})  # read for the count


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    url = sandbox.url
    db = load(url, tmp_path)
    truth = manifest_of(world, TODAY)
    _check_full(db, truth, TODAY)
    assert len(query(db, "select * from raw_youtube.video_stats")) == len(truth["video_ids"])
    assert query(
        db,
        "select count(*) from raw_youtube.comments where author_channel_id_hash "
        "like 'UC%' or author_display_name_hash like '@%'",
    ) == [(0,)]

    before = counts(db)
    load(url, tmp_path)  # same sandbox day: nothing new
    assert counts(db) == before

    sandbox.advance()
    day2 = TODAY + timedelta(days=1)
    with requests_seen("/commentThreads") as seen:
        load(url, tmp_path)
    truth2 = manifest_of(world, day2)
    _check_full(db, truth2, day2, older=truth)  # every comment of the world: none lost
    _check_comment_reads(truth, truth2, day2, seen)
    after = counts(db)
    new_videos = len(truth2["video_ids"]) - len(truth["video_ids"])
    assert after["videos"] - before["videos"] == new_videos
    assert after["comments"] - before["comments"] == len(truth2["comment_ids"]) - len(
        truth["comment_ids"]
    )
    assert after["channels"] - before["channels"] == len(CHANNELS)
    # a fresh snapshot for the uploads inside the window whose age (days since the UTC
    # publication date) is on the snapshot schedule only
    window_start = datetime.combine(day2, datetime.max.time()) - timedelta(days=STATS_WINDOW_DAYS)
    recent = {
        v
        for v, meta in truth2["videos"].items()
        if (published := datetime.fromisoformat(meta["published_at"].rstrip("Z")))
        >= window_start.replace(microsecond=0)
        and (day2 - published.date()).days in SCHEDULE
    }
    snapped = {
        r[0]
        for r in query(
            db, f"select video_id from raw_youtube.video_stats where snapshot_date = '{day2}'"
        )
    }
    assert snapped == recent and 0 < len(recent) < len(truth2["video_ids"])
    assert after["video_stats"] - before["video_stats"] == len(recent)
    assert after["channel_daily"] - before["channel_daily"] == len(CHANNELS)  # one new day


def test_loaded_ids_are_the_worlds_own(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    """The loaded videos and comments against the generator's tables read directly (not the
    manifest the sandbox computes): every public video of the brands' channels published by
    now, and every comment on them written by now."""
    db = load(sandbox.url, tmp_path, resources=("videos", "comments"))
    now = f"{TODAY} 23:59:59"
    videos = world_rows(
        world,
        "select video_id from yt_videos where published_at <= ?",
        [now],
    )
    assert {r[0] for r in query(db, "select video_id from raw_youtube.videos")} == {
        r[0] for r in videos
    }
    comments = world_rows(
        world,
        "select c.comment_id from yt_comments c join yt_videos v using (video_id) "
        "where c.published_at <= ? and v.published_at <= ? "
        "and not v.comments_disabled",
        [now, now],
    )
    loaded = query(db, "select comment_id from raw_youtube.comments")
    assert sorted(r[0] for r in loaded) == sorted(r[0] for r in comments)


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("throttle=0.3,seed=3")
    db = load(sandbox.url, tmp_path)
    assert sandbox.fired()["throttle"] > 0  # quota errors were served, and retried
    _check_full(db, manifest_of(world, TODAY), TODAY)


def test_bad_token_fails_once_naming_source_channel_and_google_error(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    with requests_seen("/youtube/") as seen, pytest.raises(PipelineStepFailed) as failure:
        load(sandbox.url, tmp_path, access_token="not-a-token", max_attempts=2, refresh_token=None)
    error = cause(failure.value, SourceAuthError)
    assert error is not None, failure.value
    message = str(error)
    assert "youtube: account UCmaisonlumiere0000000a1" in message
    assert "access token rejected" in message
    assert "authError" in message and "invalid authentication credentials" in message
    assert "SOURCES__YOUTUBE__ACCESS_TOKEN" in message
    assert len(seen) == 1, seen  # refused once, not retried (max_attempts would allow 2)


def test_malformed_records_are_quarantined_not_dropped(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_get = helpers_mod.get
    broken: dict[str, str] = {}

    def corrupting_get(client: Any, path: str, params: dict[str, Any], account: str) -> Any:
        page = real_get(client, path, params, account)
        items = page.data.get("items") or []
        if path == "videos" and len(items) >= 2 and not broken:
            broken["typed"] = items[0]["id"]
            items[0]["statistics"]["viewCount"] = "lots"  # wrong type
            broken["missing"] = items[1].pop("id")  # missing key
        return page

    monkeypatch.setattr(helpers_mod, "get", corrupting_get)
    monkeypatch.setattr(context_mod, "get", corrupting_get)
    db = load(sandbox.url, tmp_path, resources=("videos", "video_stats"))
    truth = manifest_of(world, TODAY)
    loaded = {r[0] for r in query(db, "select video_id from raw_youtube.videos")}
    assert loaded == set(truth["video_ids"]) - set(broken.values())
    rows = query(
        db,
        "select source, resource, record_id, reason from raw_youtube.quarantine order by reason",
    )
    assert len(rows) == 2
    assert rows[0][:3] == ("youtube", "videos", broken["typed"])
    assert "'viewCount' is not an integer: 'lots'" in rows[0][3]
    assert rows[1][2].startswith("missing-id:") and "missing required 'id'" in rows[1][3]
