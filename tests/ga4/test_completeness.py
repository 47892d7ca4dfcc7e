"""``rowCount``: the sandbox reports every row of the report whatever ``limit`` and ``offset``
(developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/RunReportResponse:
"rowCount is independent of the number of rows returned in the response, the limit request
parameter, and the offset request parameter"), and the source stores it with its date range.

Oracle: the world's manifest (``vendor_truth``: one row per property, date, source, medium and
campaign as runReport returns them today).
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

TOKEN = {"Authorization": "Bearer sandbox-ga4-token"}
DIMENSIONS = ["date", "sessionSource", "sessionMedium", "sessionCampaignName"]


def test_row_count_is_the_whole_report_on_every_page(sandbox: Sandbox, world: Path) -> None:
    truth = vendor_truth(world, "ga4", TODAY)["properties"]
    for prop, expected in truth.items():
        url = f"{sandbox.vendor('ga4')}/v1beta/properties/{prop}:runReport"
        for limit, offset in ((1, 0), (7, 3), (250_000, 0)):
            body = {
                "dateRanges": [{"startDate": "2020-01-01", "endDate": "today"}],
                "dimensions": [{"name": d} for d in DIMENSIONS],
                "metrics": [{"name": "sessions"}],
                "limit": limit,
                "offset": offset,
            }
            data = requests.post(url, json=body, headers=TOKEN, timeout=60).json()
            assert data["rowCount"] == len(expected["rows"]), (prop, limit, offset)


def test_the_source_stores_each_propertys_row_count_and_range(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = load_source("ga4", sandbox.url, tmp_path, "ga4_totals", dimensions=DIMENSIONS)
    stored = {
        row[0]: row[1:]
        for row in query(
            db,
            "select account, entity, loaded_table, reported_total, period_start <= ? "
            "and period_end >= ? from raw_ga4.reported_totals",
            [min_day(world), TODAY],
        )
    }
    truth = vendor_truth(world, "ga4", TODAY)["properties"]
    assert stored == {
        prop: ("rowCount", "traffic_daily", len(p["rows"]), True) for prop, p in truth.items()
    }


def min_day(world: Path) -> object:
    """The world's first day: the stored range covers the whole report."""
    return world_rows(world, "select min(visit_date) from web_visits")[0][0]
