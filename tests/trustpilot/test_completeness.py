"""``numberOfReviews.total``: the sandbox's business unit counts every visible review (all
languages and stars, which the source lists without filters), and the source stores it.

Oracle: the world's manifest (``vendor_truth``: the review ids a complete load holds).
"""

from __future__ import annotations

from pathlib import Path

import requests

from tests.sources.support import (
    TODAY,
    Sandbox,
    load_source,
    query,
    vendor_truth,
    world_rows,
)

KEY = {"apikey": "sandbox-trustpilot-key"}


def test_number_of_reviews_counts_every_language_and_star(sandbox: Sandbox, world: Path) -> None:
    units = vendor_truth(world, "trustpilot", TODAY)["business_units"]
    for bu_id, unit in units.items():
        url = f"{sandbox.vendor('trustpilot')}/v1/business-units/{bu_id}"
        body = requests.get(url, headers=KEY, timeout=30).json()
        assert body["numberOfReviews"]["total"] == len(unit["review_ids"]), bu_id
        languages = world_rows(
            world,
            "select count(distinct language) from trustpilot_reviews where business_unit_id = ?",
            [bu_id],
        )[0][0]
        assert languages > 1  # the total spans languages: the listing must not filter them


def test_the_source_stores_each_business_units_total(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = load_source("trustpilot", sandbox.url, tmp_path, "tp_totals")
    stored = {
        row[0]: row[1:]
        for row in query(
            db,
            "select account, entity, loaded_table, reported_total, cast(observed_at as date) "
            "from raw_trustpilot.reported_totals",
        )
    }
    units = vendor_truth(world, "trustpilot", TODAY)["business_units"]
    assert stored == {
        bu: ("numberOfReviews.total", "reviews", len(u["review_ids"]), TODAY)
        for bu, u in units.items()
    }
