"""The emulated Search Analytics API against its published contract. Oracles: the world's
``search_rows`` queried here with the vendor's rules written out by hand, and the reference
pages cited in sandbox/vendors/search_console/api.py for the shapes."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
import requests

from sandbox.vendors.search_console import rows
from tests.search_console.test_source import SITE, expected, loaded
from tests.sources.support import TODAY, Sandbox, load_source, requests_seen, world_rows

TOKEN = {"Authorization": "Bearer sandbox-search-console-token"}


def ask(
    sandbox: Sandbox, body: dict[str, Any], site: str = SITE, fault: str = ""
) -> requests.Response:
    url = f"{sandbox.vendor('search_console')}/webmasters/v3/sites/{quote(site, safe='')}"
    headers = {**TOKEN, "X-Sandbox-Fault": fault} if fault else TOKEN
    return requests.post(f"{url}/searchAnalytics/query", json=body, headers=headers, timeout=60)


def rows_of(sandbox: Sandbox, body: dict[str, Any]) -> list[dict[str, Any]]:
    resp = ask(sandbox, body)
    assert resp.status_code == 200, resp.text
    return resp.json().get("rows", [])


WHOLE = {"startDate": "2025-01-01", "endDate": "2026-12-31"}


def test_pages_by_start_row_cover_every_row_in_click_order(sandbox: Sandbox) -> None:
    body = {**WHOLE, "dimensions": ["date", "page", "query"], "rowLimit": 25000}
    every = rows_of(sandbox, body)
    clicks = [r["clicks"] for r in every]
    assert clicks == sorted(clicks, reverse=True)  # "sorted by click count, descending"
    pages, start = [], 0
    while True:
        page = rows_of(sandbox, {**body, "rowLimit": 200, "startRow": start})
        pages += page
        start += len(page)
        if len(page) < 200:
            break
    assert pages == every and len(every) > 200


def test_final_data_lags_and_all_marks_the_first_incomplete_day(
    world: Path, sandbox: Sandbox
) -> None:
    """Pacific today is TODAY (the clock's now, 23:59:59 UTC, is 15:59 in Los Angeles)."""
    lags = dict(
        world_rows(
            world,
            "select distinct date, final_lag from search_rows where site_url = ? and date <= ?",
            [SITE, TODAY],
        )
    )
    final_days = sorted(d for d, lag in lags.items() if d + timedelta(days=lag) <= TODAY)
    got = rows_of(sandbox, {**WHOLE, "dimensions": ["date"]})
    assert sorted(date.fromisoformat(r["keys"][0]) for r in got) == final_days
    resp = ask(sandbox, {**WHOLE, "dimensions": ["date"], "dataState": "all"})
    first_incomplete = min(d for d, lag in lags.items() if d + timedelta(days=lag) > TODAY)
    assert resp.json()["metadata"] == {"first_incomplete_date": first_incomplete.isoformat()}
    assert max(r["keys"][0] for r in resp.json()["rows"]) == TODAY.isoformat()
    assert "metadata" not in ask(sandbox, {**WHOLE, "dimensions": ["date"]}).json()


def test_history_stops_sixteen_months_back(world: Path) -> None:
    """The sandbox clock stays inside the world's span, so the rule is read at a later now
    directly: on 2027-04-15 (Pacific) the oldest day left is 2025-12-15, by hand."""
    with duckdb.connect(str(world), read_only=True) as con:
        ask = rows.Ask(SITE, date(2025, 1, 1), date(2027, 4, 15), ("date",))
        got = rows.grouped(con.cursor(), ask, datetime(2027, 4, 15, 23, 59, 59))
    assert min(r[0] for r in got) == "2025-12-15"
    last = world_rows(world, "select max(date) from search_rows")[0][0]
    assert max(r[0] for r in got) == last.isoformat()


def test_totals_by_page_count_the_anonymized_queries(world: Path, sandbox: Sandbox) -> None:
    by_page = rows_of(sandbox, {**WHOLE, "dimensions": ["page"]})
    by_query = rows_of(sandbox, {**WHOLE, "dimensions": ["page", "query"]})
    hidden = world_rows(
        world,
        "select sum(impressions) from search_rows where site_url = ? and anonymized "
        "and date + final_lag <= ?",
        [SITE, TODAY],
    )[0][0]
    gap = sum(r["impressions"] for r in by_page) - sum(r["impressions"] for r in by_query)
    assert gap == hidden > 0
    row = by_page[0]
    assert row["ctr"] == row["clicks"] / row["impressions"]


@pytest.mark.parametrize(
    "body",
    [
        {**WHOLE, "rowLimit": 25001},
        {**WHOLE, "rowLimit": 0},
        {**WHOLE, "startRow": -1},
        {"startDate": "2025-12-02", "endDate": "2025-12-01"},
        {"endDate": "2025-12-01"},
        {**WHOLE, "dimensions": ["date", "hour"]},
        {**WHOLE, "dataState": "hourly_all"},
        {**WHOLE, "dimensions": ["page"], "aggregationType": "byProperty"},
        {**WHOLE, "dimensionFilterGroups": [{"filters": [{"dimension": "page"}]}]},
    ],
)
def test_invalid_requests_are_refused(sandbox: Sandbox, body: dict[str, Any]) -> None:
    resp = ask(sandbox, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_unknown_site_and_quota_errors_speak_googles_dialect(sandbox: Sandbox) -> None:
    resp = ask(sandbox, WHOLE, site="https://www.not-ours.example/")
    err = resp.json()["error"]
    assert (resp.status_code, err["status"], err["errors"][0]["reason"]) == (
        403,
        "PERMISSION_DENIED",
        "forbidden",
    )
    assert "does not have sufficient permission for site" in err["message"]
    seen = []
    for _ in range(2):
        resp = ask(sandbox, WHOLE, fault="throttle")
        err = resp.json()["error"]
        seen.append((resp.status_code, err["errors"][0]["domain"], err["errors"][0]["reason"]))
    assert sorted(seen) == [
        (403, "usageLimits", "rateLimitExceeded"),
        (429, "usageLimits", "rateLimitExceeded"),
    ]


@pytest.mark.long  # the shared Google token code is covered by GA4's default tests
def test_token_expiring_mid_run_is_renewed_once(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.expire_token("search_console", "sandbox-search-console-token", after=3)
    caplog.set_level(logging.DEBUG)
    with requests_seen("/search_console/") as seen:
        db = load_source(
            "search_console", sandbox.url, tmp_path, "gsc_tok", page_size=2000, site_urls=[SITE]
        )
    assert sandbox.token_grants("search_console") == 1
    assert seen.index(f"{sandbox.url}/search_console/token") == 4  # 3 answers, one 401
    assert loaded(db)[SITE] == expected(world, TODAY)[SITE]
    assert "sandbox-search-console-token" not in caplog.text
