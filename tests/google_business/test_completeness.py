"""``totalReviewCount``: the sandbox reports every review of a location (rating-only ones
included, as reviews.list lists them), and the source stores it in ``reported_totals``.

Oracles: the world's manifest (``vendor_truth``: the review names a complete load holds) and the
world's own ``gbp_reviews`` table, never the source or the check.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import requests

from sandbox.world.store import now_of
from tests.sources.support import TODAY, Sandbox, load_source, query, vendor_truth, world_rows

TOKEN = {"Authorization": "Bearer sandbox-google-business-token"}


def test_total_review_count_counts_every_review_with_or_without_text(
    sandbox: Sandbox, world: Path
) -> None:
    """developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list:
    ``totalReviewCount`` is "the total number of reviews for this location", whatever the page."""
    truth = vendor_truth(world, "google_business", TODAY)["locations"]
    rating_only = 0
    for location, loc in truth.items():
        url = f"{sandbox.vendor('google_business')}/v4/{location}/reviews"
        first = requests.get(url, params={"pageSize": 1}, headers=TOKEN, timeout=30).json()
        assert first["totalReviewCount"] == len(loc["review_names"]), location
        rating_only += world_rows(
            world,
            "select count(*) from gbp_reviews where location_name = ? and comment is null "
            "and create_time <= ?",
            [location, now_of(TODAY)],
        )[0][0]
    assert rating_only > 0  # the counts above include reviews without a comment


def test_the_source_stores_each_locations_total_and_refreshes_it(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    sql = (
        "select account, entity, loaded_table, reported_total, cast(observed_at as date) "
        "from raw_google_business.reported_totals"
    )
    for day in (TODAY, TODAY + timedelta(days=1)):  # the second run stops at its cursor
        sandbox.set_today(day)
        db = load_source("google_business", sandbox.url, tmp_path, "gbp_totals")
        truth = vendor_truth(world, "google_business", day)["locations"]
        stored = {row[0]: row[1:] for row in query(db, sql)}
        assert stored == {
            loc: ("totalReviewCount", "reviews", len(v["review_names"]), day)
            for loc, v in truth.items()
        }
