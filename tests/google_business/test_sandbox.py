"""The Google Business source and API against the running sandbox and its ground-truth manifest."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from sandbox.world.manifest import build_manifest
from tests.google_business.support import (
    DAYS,
    LOC1,
    START,
    TODAY,
    TOKEN,
    has_table,
    query,
    run_source,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gbp_world") / "world.duckdb"
    generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


@pytest.fixture(scope="module")
def server(world: Path) -> Iterator[str]:
    with run_in_thread(world, today=TODAY, faults="") as url:
        yield url


@pytest.fixture()
def url(server: str) -> Iterator[str]:
    """The source's base URL; the clock and faults are reset after each test."""
    yield server + "/google_business"
    requests.put(server + "/_sandbox/faults", data="off", timeout=10)
    requests.post(server + "/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=10)


def truth(world: Path, day: Any) -> dict[str, Any]:
    return build_manifest(world, day)["sources"]["google_business"]


def check_complete(db: Path, expected: dict[str, Any]) -> None:
    """Loaded reviews and snapshots equal the manifest: no page lost, no review twice."""
    loaded = {
        r[0]: r[1:]
        for r in query(
            db,
            "select review_name, location_name, strftime(update_time at time zone 'UTC', "
            "'%Y-%m-%dT%H:%M:%S.%gZ'), reply_update_time is not null, rating "
            "from raw_google_business.reviews",
        )
    }
    total = query(db, "select count(*) from raw_google_business.reviews")[0][0]
    assert total == len(loaded) == expected["totals"]["reviews"]
    for location, loc in expected["locations"].items():
        got = {name for name, row in loaded.items() if row[0] == location}
        assert got == set(loc["review_names"]), location
    for name, want in expected["reviews"].items():
        assert loaded[name][1:] == (want["update_time"], want["has_reply"], want["star_rating"])
    stats = {
        r[0]: (r[1], r[2])
        for r in query(
            db,
            "select location_name, average_rating, total_review_count "
            "from raw_google_business.location_review_stats "
            "where snapshot_date = (select max(snapshot_date) "
            "from raw_google_business.location_review_stats)",
        )
    }
    assert stats == {
        loc: (v["average_rating"], v["total_review_count"])
        for loc, v in expected["locations"].items()
    }
    if has_table(db, "quarantine"):
        assert query(db, "select count(*) from raw_google_business.quarantine") == [(0,)]


# --- the emulated API ------------------------------------------------------------------------


def _get(url: str, location: str = LOC1, token: str | None = TOKEN, **params: Any):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{url}/v4/{location}/reviews", headers=headers, params=params, timeout=10)


def test_api_pages_follow_update_time_and_match_the_manifest(url: str, world: Path) -> None:
    names, times, token = [], [], None
    while True:
        body = _get(url, pageSize=7, **({"pageToken": token} if token else {})).json()
        names += [r["name"] for r in body["reviews"]]
        times += [r["updateTime"] for r in body["reviews"]]
        token = body.get("nextPageToken")
        if not token:
            break
    loc = truth(world, TODAY)["locations"][LOC1]
    assert names == loc["review_names"]
    assert times == sorted(times, reverse=True)
    assert body["totalReviewCount"] == loc["total_review_count"]
    assert body["averageRating"] == loc["average_rating"]


def test_api_errors_speak_google_rpc(url: str) -> None:
    bad = _get(url, token="nope")
    assert bad.status_code == 401
    assert bad.json()["error"]["status"] == "UNAUTHENTICATED"
    assert _get(url, token=None).json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    big = _get(url, pageSize=51)
    assert big.status_code == 400 and big.json()["error"]["status"] == "INVALID_ARGUMENT"
    missing = _get(url, location=LOC1.replace("2100000000000000001", "2100000000000000999"))
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
    scoped = _get(url, token=f"{TOKEN}@110000000000000000002")
    assert scoped.status_code == 403 and scoped.json()["error"]["status"] == "PERMISSION_DENIED"
    assert _get(url, pageToken="garbage").status_code == 400
    old = requests.get(f"{url}/v3/{LOC1}/reviews", headers={"Authorization": f"Bearer {TOKEN}"})
    assert old.status_code == 404


def test_api_throttle_fault_is_google_quota(url: str) -> None:
    resp = requests.get(
        f"{url}/v4/{LOC1}/reviews",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Sandbox-Fault": "throttle"},
        timeout=10,
    )
    err = resp.json()["error"]
    assert resp.status_code == 429 and err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"].startswith("Quota exceeded for quota metric 'Requests'")
    assert "Retry-After" in resp.headers


def test_world_has_a_crisis_and_late_replies(world: Path) -> None:
    m = truth(world, TODAY)
    assert len(m["crises"]) == 1 and m["crises"][0]["reviews"] > 0
    assert 0.55 < m["totals"]["answered"] / m["totals"]["reviews"] < 0.85
    assert m["totals"]["rating_only"] > 0
    assert truth(world, TODAY) == m  # deterministic


# --- the dlt source --------------------------------------------------------------------------


def test_full_load_then_same_day_then_next_day(url: str, world: Path, tmp_path: Path) -> None:
    db = run_source(url, tmp_path)
    today = truth(world, TODAY)
    check_complete(db, today)
    assert query(
        db, "select count(distinct reviewer_name_hash) > 0 from raw_google_business.reviews"
    )[0][0]

    before = query(db, "select count(*) from raw_google_business.location_review_stats")
    run_source(url, tmp_path)  # same sandbox day: nothing new
    check_complete(db, today)
    assert query(db, "select count(*) from raw_google_business.location_review_stats") == before

    requests.post(url.rsplit("/", 1)[0] + "/_sandbox/clock/advance", params={"days": 1})
    tomorrow = truth(world, TODAY + timedelta(days=1))
    run_source(url, tmp_path)
    check_complete(db, tomorrow)
    new = set(tomorrow["reviews"]) - set(today["reviews"])
    answered_late = {
        n
        for n, r in tomorrow["reviews"].items()
        if n in today["reviews"] and r["has_reply"] and not today["reviews"][n]["has_reply"]
    }
    assert new and answered_late  # the world exercises both
    refetched = {
        r[0]
        for r in query(
            db,
            "select review_name from raw_google_business.reviews "
            f"where fetched_at::date = '{TODAY + timedelta(days=1)}'",
        )
    }
    assert new | answered_late <= refetched
    assert len(refetched) < len(tomorrow["reviews"]) / 2  # incremental, not a reload
    assert query(
        db, "select count(distinct snapshot_date) from raw_google_business.location_review_stats"
    ) == [(2,)]


def test_throttling_is_retried_to_a_complete_load(
    url: str, world: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = url.rsplit("/", 1)[0]
    assert requests.put(base + "/_sandbox/faults", data="throttle=0.3,seed=3").ok
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = run_source(url, tmp_path, page_size=20)
    requests.put(base + "/_sandbox/faults", data="off")
    assert "RESOURCE_EXHAUSTED" in caplog.text
    check_complete(db, truth(world, TODAY))


def test_bad_token_fails_with_google_message(url: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        run_source(url, tmp_path, access_token="revoked-token")
    message = str(info.value)
    assert f"google_business: account {LOC1}: access token rejected" in message
    assert "HTTP 401 UNAUTHENTICATED" in message
    assert "Request had invalid authentication credentials" in message
    assert "SOURCES__GOOGLE_BUSINESS__ACCESS_TOKEN" in message


def test_location_without_permission_fails_loudly(url: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        run_source(url, tmp_path, access_token=f"{TOKEN}@110000000000000000002")
    message = str(info.value)
    assert f"account {LOC1}: permission denied on this location" in message
    assert "PERMISSION_DENIED" in message and "The caller does not have permission" in message
