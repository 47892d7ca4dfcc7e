"""``contacts.total`` and ``deals.total``: the source asks HubSpot's search for every record of
each object (an unfiltered search of one result) and stores its ``total``, which the
completeness check compares with the rows loaded (orchestration/defs/completeness.py).

Oracle: the world's manifest (``vendor_truth``: the contacts and deals a complete load holds).
"""

from __future__ import annotations

from pathlib import Path

from tests.sources.support import TODAY, Sandbox, load_source, query, vendor_truth


def test_the_source_stores_each_portals_totals(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = load_source("hubspot", sandbox.url, tmp_path, "hs_totals", search_interval_s=0.0)
    stored = {
        (row[0], row[1]): row[2:]
        for row in query(
            db,
            "select account, entity, loaded_table, reported_total, cast(observed_at as date) "
            "from raw_hubspot.reported_totals",
        )
    }
    portals = vendor_truth(world, "hubspot", TODAY)["portals"]
    assert len(portals) == 2
    assert stored == {
        (portal, f"{obj}.total"): (obj, len(truth[obj]), TODAY)
        for portal, truth in portals.items()
        for obj in ("contacts", "deals")
    }
