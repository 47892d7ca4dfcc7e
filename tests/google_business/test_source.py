"""The Google Business dlt source against the running sandbox and its ground-truth manifest."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.google_business.stub import LOC1
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    has_table,
    keyed_hash,
    load_source,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)

TOKEN = "sandbox-google-business-token"


def run_source(sandbox: Sandbox, tmp: Path, **kwargs: Any) -> Path:
    """One run into ``tmp/w.duckdb`` (pipeline state kept in ``tmp``)."""
    return load_source("google_business", sandbox.url, tmp, "gbp_test", **kwargs)


def truth(world: Path, day: Any) -> dict[str, Any]:
    return vendor_truth(world, "google_business", day)


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
    if has_table(db, "raw_google_business", "quarantine"):
        assert query(db, "select count(*) from raw_google_business.quarantine") == [(0,)]


def assert_reviewers_are_keyed_hashes(db: Path, world: Path) -> None:
    """Each reviewer's name is HMAC-SHA256 under the test key of the name the world gave the
    review (computed here from the world's table): a clear name, an unkeyed hash or a NULL
    fails; an anonymous reviewer (Google shows no name) stays NULL."""
    names = dict(world_rows(world, "select review_name, reviewer_name from gbp_reviews"))
    stored = query(db, "select review_name, reviewer_name_hash from raw_google_business.reviews")
    assert stored
    for review, hashed in stored:
        name = names[review]
        assert hashed == (None if name is None else keyed_hash(name, "google_business")), review


def assert_original_texts(db: Path, world: Path, expected: dict[str, Any]) -> None:
    """`comment` holds what the reviewer wrote (the manifest's text, never Google's envelope),
    the translation sits apart and is flagged exactly for the reviews Google translated; a
    reply keeps the words the brand wrote (the world's reply text)."""
    replies = dict(world_rows(world, "select review_name, reply_comment from gbp_reviews"))
    loaded = query(
        db,
        "select review_name, comment, comment_translation, comment_is_translated, reply_comment "
        "from raw_google_business.reviews",
    )
    translated = 0
    for name, comment, translation, is_translated, reply in loaded:
        want = expected["reviews"][name]
        assert comment == want["comment"], name
        assert is_translated == want["translated"], name
        assert (translation is not None) == want["translated"], name
        assert "(Translated by Google)" not in (comment or "") + (reply or ""), name
        assert reply is None or reply == replies[name], name
        translated += bool(is_translated)
    assert translated == expected["totals"]["translated"] > 0


def test_full_load_then_same_day_then_next_day(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = run_source(sandbox, tmp_path)
    today = truth(world, TODAY)
    check_complete(db, today)
    assert_reviewers_are_keyed_hashes(db, world)
    assert_original_texts(db, world, today)

    before = query(db, "select count(*) from raw_google_business.location_review_stats")
    run_source(sandbox, tmp_path)  # same sandbox day: nothing new
    check_complete(db, today)
    assert query(db, "select count(*) from raw_google_business.location_review_stats") == before

    sandbox.advance()
    tomorrow = truth(world, TODAY + timedelta(days=1))
    with requests_seen("/reviews") as seen:
        run_source(sandbox, tmp_path)
    check_complete(db, tomorrow)
    # A location's first reviews page serves both tables: read once a run, whichever of
    # the reviews and the daily stats dlt runs first.
    first_pages = sorted(url.split("/reviews")[0] for url in seen if "pageToken" not in url)
    assert first_pages == sorted(
        f"{sandbox.url}/google_business/v4/{loc}" for loc in tomorrow["locations"]
    )
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
    sandbox: Sandbox, world: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.set_faults("throttle=0.3,seed=3")
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = run_source(sandbox, tmp_path, page_size=20)
    assert sandbox.fired()["throttle"] > 0
    assert "RESOURCE_EXHAUSTED" in caplog.text
    check_complete(db, truth(world, TODAY))


def test_bad_token_fails_once_with_google_message(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/google_business/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox, tmp_path, access_token="revoked-token", refresh_token=None)
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    message = str(error)
    assert message.startswith(f"google_business: account {LOC1}: Google OAuth access token")
    assert "access token rejected" in message and "no refresh token is configured" in message
    assert "HTTP 401 UNAUTHENTICATED" in message
    assert "Request had invalid authentication credentials" in message
    assert "SOURCES__GOOGLE_BUSINESS__ACCESS_TOKEN" in message
    assert len(seen) == 1, seen  # refused once, not retried


def test_location_without_permission_fails_once_loudly(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/google_business/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox, tmp_path, access_token=f"{TOKEN}@110000000000000000002")
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    message = str(error)
    assert f"account {LOC1}: permission denied on this location" in message
    assert "PERMISSION_DENIED" in message and "The caller does not have permission" in message
    assert len(seen) == 1, seen
