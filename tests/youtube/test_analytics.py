"""YouTube Analytics: the sandbox serves only what the real Reports API serves, channel
subscribers follow the world's history, a 3-day lag; the source's per-video and channel reports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import ingestion.youtube.analytics as analytics_mod
import ingestion.youtube.context as context_mod
import ingestion.youtube.helpers as helpers_mod
import ingestion.youtube.settings as settings_mod
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
        {"dimensions": "video", "sort": "-likes", "maxResults": "10"},
        {"dimensions": "video", "sort": "-views", "maxResults": "200", "startIndex": "2"},
        {"dimensions": "video", "sort": "-views", "maxResults": "10", "filters": "video==abc"},
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
    # Google's sentence, as live answers quote it (developers.google.com/youtube/analytics)
    message = (
        "The query is not supported. Check the documentation at "
        "https://developers.google.com/youtube/analytics/v2/available_reports "
        "for a list of supported queries."
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "code": 400,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": "badRequest"}],
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


def test_top_videos_of_each_day_add_up_to_each_videos_truth(world: Path, sandbox: Sandbox) -> None:
    """One top-videos report per served day (startDate = endDate): every video active that
    day, one row each; summed over the days, each video's row count and sums are its truth."""
    truth = manifest_of(world, TODAY)
    got: dict[str, list[int]] = {}
    for day in days_between(START, SERVED):
        answer = report(
            sandbox.url,
            ids=f"channel=={CHANNELS[0]}",
            startDate=day.isoformat(),
            endDate=day.isoformat(),
            metrics="views,likes,shares",
            dimensions="video",
            sort="-views",
            maxResults=200,
        )
        assert answer.status_code == 200, answer.text
        for video_id, views, likes, shares in answer.json().get("rows", []):
            agg = got.setdefault(video_id, [0, 0, 0, 0])
            for i, value in enumerate((1, views, likes, shares)):
                agg[i] += value
    want = {
        v: [w["rows"], w["views"], w["likes"], w["shares"]]
        for v, w in truth["daily"]["videos"].items()
        if truth["videos"][v]["channel_id"] == CHANNELS[0]
    }
    assert got == want


def _record_reports(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Params of every Analytics report request the source makes."""
    seen: list[dict[str, Any]] = []
    real_get = helpers_mod.get

    def recording_get(client: Any, path: str, params: dict[str, Any], account: str) -> Any:
        if path == "reports":
            seen.append(dict(params))
        return real_get(client, path, params, account)

    monkeypatch.setattr(helpers_mod, "get", recording_get)
    monkeypatch.setattr(analytics_mod, "get", recording_get)
    return seen


def _published(truth: dict[str, Any], video_id: str) -> date:
    return date.fromisoformat(truth["videos"][video_id]["published_at"][:10])


def _check_loaded(db: Path, truth: dict[str, Any], older: dict[str, Any], since: date) -> None:
    """Each video's loaded row count and sums are the world's truth: ``truth`` for a video
    published on or after ``since`` (still followed), ``older`` (the previous run's) otherwise."""
    got = query(
        db,
        "select video_id, count(*), sum(views), sum(estimated_minutes_watched), sum(likes), "
        "sum(comments), sum(shares), sum(subscribers_gained) from raw_youtube.video_daily "
        "group by 1",
    )
    want = {
        v: (truth if _published(truth, v) >= since else older)["daily"]["videos"].get(v)
        for v in truth["daily"]["videos"]
    }
    want = {v: w for v, w in want.items() if w}
    assert {r[0] for r in got} == set(want)
    for video_id, n, *sums in got:
        w = want[video_id]
        assert [n, *sums] == [w["rows"], *(w[m] for m in (*SUMMED, "subscribersGained"))]


def test_video_daily_first_run_asks_one_report_per_served_upload(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First run: one ``filters=video==ID`` report per upload, from its publication day (a
    report a day would cost one per day of the backfill); an upload too new to have a served
    day (after TODAY - 3) is not asked yet."""
    seen = _record_reports(monkeypatch)
    db = load(sandbox.url, tmp_path, resources=("video_daily",))
    truth = manifest_of(world, TODAY)
    asked = [p["filters"].removeprefix("video==") for p in seen]
    served = [v for v in truth["video_ids"] if _published(truth, v) <= SERVED]
    assert sorted(asked) == sorted(served) and len(served) < len(truth["video_ids"])
    for video_id, params in zip(asked, seen, strict=True):
        assert params["dimensions"] == "day"
        assert params["startDate"] == _published(truth, video_id).isoformat()
    assert query(db, "select count(*) from raw_youtube.video_daily") == [(truth["daily"]["rows"],)]


def _next_day_run(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[dict[str, Any]], dict[str, Any]]:
    """A first run at TODAY, then the run of TODAY + 1: (warehouse, its report requests,
    the videos it follows: published since TODAY + 1 - 35 days = 29 + 3 refetch + 3 lag)."""
    load(sandbox.url, tmp_path, resources=("video_daily",))
    truth = manifest_of(world, TODAY)
    seen = _record_reports(monkeypatch)
    sandbox.advance()
    db = load(sandbox.url, tmp_path, resources=("video_daily",))
    truth2 = manifest_of(world, TODAY + timedelta(days=1))
    since = TODAY + timedelta(days=1 - 35)
    _check_loaded(db, truth2, truth, since)
    followed = {v: m for v, m in truth2["videos"].items() if _published(truth2, v) >= since}
    return db, seen, followed


def test_video_daily_later_run_asks_a_top_videos_report_per_day(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next day: one top-videos report per channel and day, consecutive days up to the
    newly served TODAY - 2 and from at least 3 days (the refetch) before the last loaded day
    TODAY - 3, instead of one report per followed video; the loaded series equal the world's."""
    _, seen, followed = _next_day_run(world, sandbox, tmp_path, monkeypatch)
    for channel_id in CHANNELS:
        mine = [p for p in seen if p["ids"] == f"channel=={channel_id}"]
        top = [p for p in mine if p["dimensions"] == "video"]
        days = [date.fromisoformat(p["startDate"]) for p in top]
        assert days == days_between(days[0], TODAY - timedelta(days=2))
        assert days[0] <= TODAY - timedelta(days=6)
        assert all(p["endDate"] == p["startDate"] for p in top)
        assert all(p["sort"] == "-views" and int(p["maxResults"]) == 200 for p in top)
        mine_followed = [v for v, m in followed.items() if m["channel_id"] == channel_id]
        assert len(mine) < len(mine_followed)  # fewer requests than videos followed


def test_video_daily_full_top_videos_day_falls_back_to_per_video_reports(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A top-videos day that comes back full may have dropped videos (it cannot page): with a
    2-row cap every day is full, the videos missing from one are asked by their own report,
    and the loaded series still equal the world's."""
    monkeypatch.setattr(settings_mod, "TOP_VIDEOS_MAX", 2)
    _, seen, _ = _next_day_run(world, sandbox, tmp_path, monkeypatch)
    assert any(p["dimensions"] == "video" for p in seen)
    assert any(p.get("filters", "").startswith("video==") for p in seen)


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
    assert asked == sorted(v for v in truth["video_ids"] if _published(truth, v) <= SERVED)
    assert query(db, "select count(*) from raw_youtube.video_daily") == [(truth["daily"]["rows"],)]
