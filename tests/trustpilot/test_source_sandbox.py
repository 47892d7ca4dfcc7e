"""The Trustpilot source against the running sandbox, compared with the ground-truth manifest."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from sandbox.server import run_in_thread
from sandbox.vendors.trustpilot import VENDOR
from sandbox.world.manifest import build_manifest
from sandbox.world.store import open_readonly
from tests.trustpilot.support import PSEUDO_KEY, TODAY, has_table, iso, load, query

TABLES = ("business_units", "reviews", "review_snapshots")


def truth(world: Path, day: Any) -> dict[str, Any]:
    """The vendor's ground truth (what ``build_manifest(...)["sources"]["trustpilot"]`` holds,
    without computing every other source's part)."""
    con = open_readonly(world)
    try:
        return VENDOR.manifest(con.cursor(), day)
    finally:
        con.close()


def test_manifest_section_is_the_vendor_manifest(world: Path) -> None:
    assert build_manifest(world, TODAY)["sources"]["trustpilot"] == truth(world, TODAY)


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
    assert not has_table(db, "quarantine") or query(
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

    def keyed(value: str) -> str:
        return hmac.new(PSEUDO_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()

    con = open_readonly(world)
    try:
        people = {
            review: (consumer_id, name)
            for review, consumer_id, name in con.execute(
                "select review_id, consumer_id, consumer_name from trustpilot_reviews"
            ).fetchall()
        }
    finally:
        con.close()
    stored = query(
        db, "select review_id, consumer_id_hash, consumer_name_hash from raw_trustpilot.reviews"
    )
    assert stored
    for review, id_hash, name_hash in stored:
        consumer_id, name = people[review]
        assert (id_hash, name_hash) == (keyed(consumer_id), keyed(name)), review


def test_full_load_same_day_and_next_day(world: Path, tmp_path: Path) -> None:
    """Full load == manifest; same day adds nothing; next day adds the new reviews and
    updates the older ones whose reply or edit arrived (merge on review id)."""
    day0, late = late_change_day(world)
    day1 = day0 + timedelta(days=1)
    want0, want1 = truth(world, day0), truth(world, day1)
    assert want0["totals"]["reviews"] > 200 and want0["totals"]["replied"] > 0
    with run_in_thread(world, today=day0, faults="") as url:
        base = f"{url}/trustpilot"
        db = load(base, tmp_path, page_size=40)
        check_equals_manifest(db, want0, day0)
        assert counts(db)["review_snapshots"] == want0["totals"]["reviews"]  # all on run 1
        assert_consumers_are_keyed_hashes(db, world)

        before = counts(db)
        load(base, tmp_path, page_size=40)  # same sandbox day: adds nothing
        assert counts(db) == before

        requests.post(f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=10)
        load(base, tmp_path, page_size=40)
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


def test_throttling_is_retried_to_a_complete_load(
    world: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with run_in_thread(world, today=TODAY, faults="") as url:
        r = requests.put(f"{url}/_sandbox/faults", data="throttle=0.3,seed=3", timeout=10)
        assert r.status_code == 200
        try:
            with caplog.at_level(logging.WARNING, logger="ingestion.http"):
                db = load(f"{url}/trustpilot", tmp_path, page_size=25)
        finally:
            requests.put(f"{url}/_sandbox/faults", data="off", timeout=10)
    assert "policies.ratelimit" in caplog.text  # the gateway's 429s were seen and retried
    check_equals_manifest(db, truth(world, TODAY), TODAY)


def test_bad_api_key_fails_with_the_gateway_error(world: Path, tmp_path: Path) -> None:
    with (
        run_in_thread(world, today=TODAY, faults="") as url,
        pytest.raises(PipelineStepFailed) as info,
    ):
        load(f"{url}/trustpilot", tmp_path, api_key="not-a-key")
    message = str(info.value)
    for part in (
        "trustpilot",
        "5f1e0a0b0c0d0e0f10111201",
        "oauth.v2.InvalidApiKey",
        "Invalid ApiKey",
        "sources.trustpilot.api_key",
    ):
        assert part in message, part
    cause: BaseException | None = info.value
    while cause is not None and not isinstance(cause, SourceAuthError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, SourceAuthError)


def test_missing_api_key_fails_at_extract_time(world: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed, match="sources.trustpilot.api_key"):
        load("http://127.0.0.1:9/trustpilot", tmp_path, api_key=None)
