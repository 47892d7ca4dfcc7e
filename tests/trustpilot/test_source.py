"""The Trustpilot source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
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

TABLES = ("business_units", "reviews", "review_snapshots")


def load(sandbox: Sandbox, tmp: Path, **kwargs: Any) -> Path:
    """The whole source once into ``tmp/w.duckdb`` (state in ``tmp/pipelines``)."""
    return load_source("trustpilot", sandbox.url, tmp, "trustpilot_test", **kwargs)


def truth(world: Path, day: Any) -> dict[str, Any]:
    return vendor_truth(world, "trustpilot", day)


def iso(ts: Any) -> str | None:
    """A loaded timestamp in the API's ``...Z`` shape, to compare with the manifest."""
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_trustpilot.{t}")[0][0] for t in TABLES}


def check_equals_manifest(db: Path, want: dict[str, Any], day: Any) -> None:
    """Every review id once, with the values the API returns today; unit snapshots of today."""
    for bu_id, unit in want["business_units"].items():
        got = query(
            db,
            "select review_id, stars, updated_at, reply_created_at, number_of_likes "
            f"from raw_trustpilot.reviews where business_unit_id = '{bu_id}'",
        )
        assert len(got) == len(unit["review_ids"]), bu_id  # no page lost, nothing twice
        loaded = {
            rid: {
                "stars": stars,
                "updated_at": iso(updated),
                "replied_at": iso(replied),
                "number_of_likes": likes,
            }
            for rid, stars, updated, replied, likes in got
        }
        assert loaded == unit["reviews"], bu_id
        snap = query(
            db,
            "select trust_score, stars, number_of_reviews, one_star, five_stars, "
            "used_for_trust_score from raw_trustpilot.business_units "
            f"where business_unit_id = '{bu_id}' and snapshot_date = date '{day}'",
        )
        n = unit["numberOfReviews"]
        assert snap == [
            (
                unit["score"]["trustScore"],
                unit["score"]["stars"],
                n["total"],
                n["oneStar"],
                n["fiveStars"],
                n["usedForTrustScoreCalculation"],
            )
        ]
    assert not has_table(db, "raw_trustpilot", "quarantine") or query(
        db, "select count(*) from raw_trustpilot.quarantine"
    ) == [(0,)]


def late_change_day(world: Path) -> tuple[Any, set[str]]:
    """The last day before TODAY after which an older review gets its reply or edit."""
    for back in range(1, 20):
        day0 = TODAY - timedelta(days=back)
        want0, want1 = truth(world, day0), truth(world, day0 + timedelta(days=1))
        late = {
            rid
            for bu, unit in want0["business_units"].items()
            for rid, r in unit["reviews"].items()
            if r != want1["business_units"][bu]["reviews"][rid]
            and (r["replied_at"], r["updated_at"])
            != (
                want1["business_units"][bu]["reviews"][rid]["replied_at"],
                want1["business_units"][bu]["reviews"][rid]["updated_at"],
            )
            and rid not in unit["review_ids"][:20]  # not among the newest: a late change
        }
        if late:
            return day0, late
    raise AssertionError("the world must have late replies or edits")


def assert_consumers_are_keyed_hashes(db: Path, world: Path) -> None:
    """Consumer ids and names are HMAC-SHA256 under the test key of what the world gave them
    (computed here from the world's table: an unkeyed hash or a NULL fails)."""

    people = {
        review: (consumer_id, name)
        for review, consumer_id, name in world_rows(
            world, "select review_id, consumer_id, consumer_name from trustpilot_reviews"
        )
    }
    stored = query(
        db, "select review_id, consumer_id_hash, consumer_name_hash from raw_trustpilot.reviews"
    )
    assert stored
    for review, id_hash, name_hash in stored:
        consumer_id, name = people[review]
        assert (id_hash, name_hash) == (
            keyed_hash(consumer_id, "trustpilot"),
            keyed_hash(name, "trustpilot"),
        ), review


def test_full_load_same_day_and_next_day(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    """Full load == manifest; same day adds nothing; next day adds the new reviews and
    updates the older ones whose reply or edit arrived (merge on review id)."""
    day0, late = late_change_day(world)
    day1 = day0 + timedelta(days=1)
    want0, want1 = truth(world, day0), truth(world, day1)
    assert want0["totals"]["reviews"] > 200 and want0["totals"]["replied"] > 0
    sandbox.set_today(day0)
    db = load(sandbox, tmp_path, page_size=40)
    check_equals_manifest(db, want0, day0)
    assert counts(db)["review_snapshots"] == want0["totals"]["reviews"]  # all on run 1
    assert_consumers_are_keyed_hashes(db, world)

    before = counts(db)
    load(sandbox, tmp_path, page_size=40)  # same sandbox day: adds nothing
    assert counts(db) == before

    sandbox.advance()
    load(sandbox, tmp_path, page_size=40)
    check_equals_manifest(db, want1, day1)  # late replies/edits included
    after = counts(db)
    new_ids = {rid for u in want1["business_units"].values() for rid in u["review_ids"]} - {
        rid for u in want0["business_units"].values() for rid in u["review_ids"]
    }
    assert new_ids and after["reviews"] == before["reviews"] + len(new_ids)
    assert after["business_units"] == before["business_units"] + len(want1["business_units"])
    # Only the lookback window was re-listed: fewer snapshots than reviews, none older.
    window = query(
        db,
        "select count(*), min(r.created_at) from raw_trustpilot.review_snapshots s "
        f"join raw_trustpilot.reviews r using (review_id) where snapshot_date = date '{day1}'",
    )[0]
    assert 0 < window[0] < after["reviews"]
    assert window[1].date() >= day0 - timedelta(days=36)
    ids = "', '".join(late)
    refetched = query(
        db,
        "select count(*) from raw_trustpilot.review_snapshots "
        f"where review_id in ('{ids}') and snapshot_date = date '{day1}'",
    )
    assert refetched == [(len(late),)]  # the late ones were re-listed and updated


def test_loaded_reviews_are_the_worlds_own(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    """Review ids, units and stars against the generator's table read directly (not the
    manifest the sandbox computes): every review written by now, with the stars of its last
    edit made by now."""
    db = load(sandbox, tmp_path)
    now = f"{TODAY} 23:59:59"
    want = world_rows(
        world,
        "select review_id, business_unit_id, "
        "case when edited_at <= ? then coalesce(edited_stars, stars) else stars end "
        "from trustpilot_reviews where created_at <= ? order by 1",
        [now, now],
    )
    got = query(
        db, "select review_id, business_unit_id, stars from raw_trustpilot.reviews order by 1"
    )
    assert want and got == want


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.set_faults("throttle=0.3,seed=3")
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = load(sandbox, tmp_path, page_size=25)
    assert sandbox.fired()["throttle"] > 0
    assert "policies.ratelimit" in caplog.text  # the gateway's 429s were seen and retried
    check_equals_manifest(db, truth(world, TODAY), TODAY)


def test_bad_api_key_fails_once_with_the_gateway_error(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/trustpilot/") as seen, pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, api_key="not-a-key")
    message = str(info.value)
    for part in (
        "trustpilot",
        "5f1e0a0b0c0d0e0f10111201",
        "oauth.v2.InvalidApiKey",
        "Invalid ApiKey",
        "sources.trustpilot.api_key",
    ):
        assert part in message, part
    assert isinstance(cause(info.value, SourceAuthError), SourceAuthError)
    assert len(seen) == 1, seen  # refused once, not retried


def test_missing_api_key_fails_at_extract_time(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed, match="sources.trustpilot.api_key"):
        load(sandbox, tmp_path, api_key=None)
