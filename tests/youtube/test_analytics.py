"""YouTube Analytics: the sandbox serves only what the real Reports API serves, channel
subscribers follow the world's history, a 3-day lag; the source's per-video and channel reports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import ingestion.youtube.context as context_mod
import ingestion.youtube.helpers as helpers_mod
from ingestion.youtube.settings import (
    ANALYTICS_LAG_DAYS,
    ANALYTICS_REFETCH_DAYS,
)
from sandbox.world.store import days_between, followers_on, open_readonly
from tests.sources.support import START, TODAY, Sandbox, query
from tests.youtube.truth import CHANNELS, check_channel_daily, load, manifest_of, report

METRICS = (
    "views,estimatedMinutesWatched,averageViewDuration,likes,comments,shares,"
    "subscribersGained,subscribersLost"
)
SUMMED = ("views", "estimatedMinutesWatched", "likes", "comments", "shares")
SUBS = ("subscribersGained", "subscribersLost")
SERVED = TODAY - timedelta(days=3)  # the last day served at TODAY (lag 3)


def _day_report(url: str, channel_id: str, **params: Any) -> dict[str, Any]:
    base = {"startDate": START.isoformat(), "endDate": TODAY.isoformat(), "metrics": METRICS}
    answer = report(url, ids=f"channel=={channel_id}", dimensions="day", **{**base, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _by_name(body: dict[str, Any]) -> list[dict[str, Any]]:
    names = [h["name"] for h in body["columnHeaders"]]
    return [dict(zip(names, row, strict=True)) for row in body.get("rows", [])]


@pytest.mark.parametrize(
    "shape",
    [
        {"dimensions": "day,video", "sort": "day"},
        {"dimensions": "video,day"},
        {"dimensions": "video", "sort": "-views", "maxResults": "201"},
        {"dimensions": "video", "sort": "views", "maxResults": "10"},
        {"dimensions": "video", "maxResults": "10"},
        {"dimensions": "video", "sort": "-views"},
        {"dimensions": "day", "filters": "country==FR"},
        {"dimensions": "day", "filters": "video==" + ",".join(["abcdefghijk"] * 501)},
        {"dimensions": "day", "sort": "-views"},
    ],
)
def test_reports_refuse_what_the_real_api_refuses(sandbox: Sandbox, shape: dict) -> None:
    answer = report(
        sandbox.url,
        ids=f"channel=={CHANNELS[0]}",
        startDate=START.isoformat(),
        endDate=TODAY.isoformat(),
        metrics="views,likes",
        **shape,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "code": 400,
            "message": "The query is not supported.",
            "errors": [
                {
                    "message": "The query is not supported.",
                    "domain": "global",
                    "reason": "badRequest",
                }
            ],
            "status": "INVALID_ARGUMENT",
        }
    }


def test_video_filter_day_report_is_the_videos_daily_truth(world: Path, sandbox: Sandbox) -> None:
    truth = manifest_of(world, TODAY)
    assert truth["daily"]["videos"]
    for video_id, want in truth["daily"]["videos"].items():
        channel_id = truth["videos"][video_id]["channel_id"]
        body = _day_report(sandbox.url, channel_id, filters=f"video=={video_id}", sort="day")
        assert [h["name"] for h in body["columnHeaders"]][0] == "day"
        got = _by_name(body)
        assert len(got) == want["rows"], video_id
        for metric in (*SUMMED, *SUBS):
            assert sum(r[metric] for r in got) == want[metric], (video_id, metric)


def test_video_filter_list_sums_the_videos_per_day(world: Path, sandbox: Sandbox) -> None:
    truth = manifest_of(world, TODAY)
    mine = [v for v in truth["daily"]["videos"] if truth["videos"][v]["channel_id"] == CHANNELS[0]]
    first, second = mine[:2]
    per_day: dict[str, int] = {}
    for video_id in (first, second):
        for row in _by_name(_day_report(sandbox.url, CHANNELS[0], filters=f"video=={video_id}")):
            per_day[row["day"]] = per_day.get(row["day"], 0) + row["views"]
    both = _by_name(_day_report(sandbox.url, CHANNELS[0], filters=f"video=={first},{second}"))
    assert {r["day"]: r["views"] for r in both} == per_day  # one row a day, not one per video


def test_channel_subscribers_follow_the_world_history(world: Path, sandbox: Sandbox) -> None:
    """gained - lost of each channel day = followers_on(d) - followers_on(d - 1), computed here
    from the generator's tables; a row for every served day from the world's start only."""
    with open_readonly(world) as con:
        start = con.execute("select start_date from world").fetchone()[0]
        channels = con.execute(
            "select channel_id, subscribers_start, daily_gain from yt_channels order by 1"
        ).fetchall()
    truth = manifest_of(world, TODAY)
    assert [c[0] for c in channels] == sorted(CHANNELS)
    for channel_id, subscribers_start, daily_gain in channels:
        account = {
            "account_id": channel_id,
            "followers_start": subscribers_start,
            "daily_gain": daily_gain,
        }
        early = (start - timedelta(days=30)).isoformat()
        got = _by_name(_day_report(sandbox.url, channel_id, startDate=early))
        assert [r["day"] for r in got] == [d.isoformat() for d in days_between(start, SERVED)]
        for row in got:
            day = date.fromisoformat(row["day"])
            net = followers_on(account, start, day) - followers_on(
                account, start, day - timedelta(days=1)
            )
            assert row["subscribersGained"] - row["subscribersLost"] == net, row
            assert min(row["subscribersGained"], row["subscribersLost"]) >= 0
            assert truth["channel_daily"][channel_id]["net_subscribers"][row["day"]] == net
        assert sum(r["views"] for r in got) == truth["channel_daily"][channel_id]["views"]


def test_analytics_lag_three_days(sandbox: Sandbox) -> None:
    def served(day: date) -> int:
        body = _day_report(
            sandbox.url, CHANNELS[0], startDate=day.isoformat(), endDate=day.isoformat()
        )
        return len(body.get("rows", []))

    assert served(TODAY - timedelta(days=3)) == 1
    assert served(TODAY - timedelta(days=2)) == 0
    assert served(TODAY) == 0
    sandbox.advance()
    assert served(TODAY - timedelta(days=2)) == 1


def test_top_videos_sorted_by_a_metric_and_capped(world: Path, sandbox: Sandbox) -> None:
    truth = manifest_of(world, TODAY)
    views = {
        v: agg["views"]
        for v, agg in truth["daily"]["videos"].items()
        if truth["videos"][v]["channel_id"] == CHANNELS[1]
    }
    answer = report(
        sandbox.url,
        ids=f"channel=={CHANNELS[1]}",
        startDate=START.isoformat(),
        endDate=TODAY.isoformat(),
        metrics="views,likes",
        dimensions="video",
        sort="-views",
        maxResults=3,
    )
    assert answer.status_code == 200, answer.text
    got = [(r[0], r[1]) for r in answer.json()["rows"]]
    assert got == sorted(views.items(), key=lambda kv: (-kv[1], kv[0]))[:3]


def _record_reports(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Params of every Analytics report request the source makes."""
    seen: list[dict[str, Any]] = []
    real_get = helpers_mod.get

    def recording_get(client: Any, path: str, params: dict[str, Any], account: str) -> Any:
        if path == "reports":
            seen.append(dict(params))
        return real_get(client, path, params, account)

    monkeypatch.setattr(helpers_mod, "get", recording_get)
    return seen


def test_video_daily_asks_one_report_per_video_of_the_window(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First run: every upload from its publication; later: the follow window only (shortened
    here to 10 + 3 + 3 days so that the 40-day world has videos on both sides)."""
    seen = _record_reports(monkeypatch)
    opts: dict[str, Any] = {"resources": ("video_daily",), "stats_window_days": 10}
    db = load(sandbox.url, tmp_path, **opts)
    truth = manifest_of(world, TODAY)
    first = [p["filters"].removeprefix("video==") for p in seen]
    assert sorted(first) == sorted(truth["video_ids"])  # every upload, once
    for params in seen:
        published = truth["videos"][params["filters"].removeprefix("video==")]["published_at"]
        published = published[:10]
        assert params["startDate"] == published and params["dimensions"] == "day"
    loaded = query(db, "select count(*) from raw_youtube.video_daily")
    assert loaded == [(truth["daily"]["rows"],)]

    seen.clear()
    load(sandbox.url, tmp_path, **opts)  # same day: nothing new
    assert 0 < len(seen) < len(first)
    assert query(db, "select count(*) from raw_youtube.video_daily") == loaded

    last = dict(query(db, "select video_id, max(day) from raw_youtube.video_daily group by 1"))
    seen.clear()
    sandbox.advance()
    load(sandbox.url, tmp_path, **opts)
    follow = 10 + ANALYTICS_REFETCH_DAYS + ANALYTICS_LAG_DAYS
    since = (TODAY + timedelta(days=1 - follow)).isoformat()
    truth2 = manifest_of(world, TODAY + timedelta(days=1))
    recent = {v for v, m in truth2["videos"].items() if m["published_at"][:10] >= since}
    asked = [p["filters"].removeprefix("video==") for p in seen]
    assert set(asked) == recent and 0 < len(recent) < len(truth2["video_ids"])
    assert len(asked) == len(recent)  # one request per video of the window
    for video_id, params in zip(asked, seen, strict=True):
        published = date.fromisoformat(truth2["videos"][video_id]["published_at"][:10])
        start = published
        if video_id in last:
            start = max(published, last[video_id] - timedelta(days=ANALYTICS_REFETCH_DAYS))
        assert params["startDate"] == start.isoformat(), video_id


def test_channel_daily_loads_every_served_day_then_one_a_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = load(sandbox.url, tmp_path, resources=("channel_daily",))
    truth = manifest_of(world, TODAY)
    check_channel_daily(db, truth)
    count = "select count(*), max(day) from raw_youtube.channel_daily"
    before = query(db, count)
    assert before == [(truth["totals"]["channel_daily_rows"], SERVED)]

    load(sandbox.url, tmp_path, resources=("channel_daily",))  # same day: nothing new
    assert query(db, count) == before

    sandbox.advance()
    load(sandbox.url, tmp_path, resources=("channel_daily",))
    assert query(db, count) == [(before[0][0] + len(CHANNELS), SERVED + timedelta(days=1))]
    check_channel_daily(db, manifest_of(world, TODAY + timedelta(days=1)))


def test_bad_channel_daily_row_is_quarantined(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_get = helpers_mod.get
    broken: list[str] = []

    def corrupting_get(client: Any, path: str, params: dict[str, Any], account: str) -> Any:
        page = real_get(client, path, params, account)
        if path == "reports" and "filters" not in params and not broken:
            row = page.data["rows"][5]
            broken.append(f"{params['ids'].removeprefix('channel==')}/{row[0]}")
            row[1] = "lots"  # views is the first metric
        return page

    monkeypatch.setattr(helpers_mod, "get", corrupting_get)
    db = load(sandbox.url, tmp_path, resources=("channel_daily",))
    truth = manifest_of(world, TODAY)
    loaded = query(db, "select count(*) from raw_youtube.channel_daily")
    assert loaded == [(truth["totals"]["channel_daily_rows"] - 1,)]
    rows = query(db, "select source, resource, record_id, reason from raw_youtube.quarantine")
    assert len(rows) == 1
    assert rows[0][:3] == ("youtube", "channel_daily", broken[0])
    assert "'views' is not an integer: 'lots'" in rows[0][3]


def test_video_daily_first_run_after_the_playlist_cursor_lists_every_upload(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipeline whose uploads cursor predates the per-video reports (its listing now covers
    the stats window only) still gets every upload's series on their first run."""
    load(sandbox.url, tmp_path, resources=("playlist_items",), stats_window_days=10)
    calls: list[str] = []
    real_get = helpers_mod.get

    def recording_get(client: Any, path: str, params: dict[str, Any], account: str) -> Any:
        calls.append(params.get("filters", path))
        return real_get(client, path, params, account)

    monkeypatch.setattr(helpers_mod, "get", recording_get)
    monkeypatch.setattr(context_mod, "get", recording_get)
    db = load(sandbox.url, tmp_path, resources=("video_daily",), stats_window_days=10)
    truth = manifest_of(world, TODAY)
    asked = sorted(c.removeprefix("video==") for c in calls if c.startswith("video=="))
    assert asked == sorted(truth["video_ids"])
    assert query(db, "select count(*) from raw_youtube.video_daily") == [(truth["daily"]["rows"],)]
