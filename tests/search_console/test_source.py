"""The Search Console source against the sandbox. Oracle: the search_console manifest (the
world's rows through the vendor's visibility rules) and, for the anonymized queries and the
final-data delay, the world's own ``search_rows`` queried here with the rules written out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from ingestion.search_console import search_console_source
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    has_table,
    load_source,
    patched_json,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)

SITE = "https://www.maison-lumiere.example/"
PAGE_SIZE = 2000  # several startRow pages per site on the small world


def run(sandbox: Sandbox, tmp: Path, name: str, **kwargs: Any) -> Path:
    kwargs.setdefault("page_size", PAGE_SIZE)
    return load_source("search_console", sandbox.url, tmp, name, **kwargs)


def loaded(db: Path, table: str = "search_analytics") -> dict[str, dict[str, Any]]:
    """Rows per site keyed like the manifest."""
    keys = "date, page, query, country, device" if table == "search_analytics" else "date, page"
    cols = ", ".join(f"cast({k} as varchar)" for k in keys.split(", "))
    out: dict[str, dict[str, Any]] = {}
    for site, key, clicks, impressions, position in query(
        db,
        f"select site_url, concat_ws('|', {cols}), clicks, impressions, position "
        f"from raw_search_console.{table}",
    ):
        out.setdefault(site, {})[key] = {
            "clicks": clicks,
            "impressions": impressions,
            "position": position,
        }
    return out


def expected(world: Path, day: Any, part: str = "rows") -> dict[str, dict[str, Any]]:
    sites = vendor_truth(world, "search_console", day)["sites"]
    return {url: site[part] for url, site in sites.items()}


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = run(sandbox, tmp_path, "gsc_t", page_size=25000)  # one page: paging is tested below
    assert loaded(db) == expected(world, TODAY)
    assert loaded(db, "page_daily") == expected(world, TODAY, "pages")
    assert not has_table(db, "raw_search_console", "quarantine")
    before = query(
        db, "select count(*), sum(clicks), max(fetched_at) from raw_search_console.search_analytics"
    )

    run(sandbox, tmp_path, "gsc_t", page_size=25000)  # same day: nothing new, nothing changed
    again = query(db, "select count(*), sum(clicks) from raw_search_console.search_analytics")
    assert again == [before[0][:2]]

    sandbox.advance()
    with requests_seen("/search_console/") as seen:
        run(sandbox, tmp_path, "gsc_t", page_size=25000)
    assert loaded(db) == expected(world, TODAY + timedelta(days=1))
    assert loaded(db, "page_daily") == expected(world, TODAY + timedelta(days=1), "pages")
    # only the restatement window was asked for: 4 days before the previous run's day
    bodies = [u for u in seen if u.endswith("/searchAnalytics/query")]
    assert bodies, seen
    # each site's today (sites.get) is asked once a run, for both tables
    site_reads = sorted(u for u in seen if not u.endswith("/searchAnalytics/query"))
    assert len(site_reads) == len(set(site_reads)) == len({u.split("/sites/")[1] for u in bodies})
    stale = TODAY - timedelta(days=10)
    assert query(
        db,
        "select count(*) from raw_search_console.search_analytics "
        f"where date <= '{stale}' and fetched_at > '{before[0][2]}'",
    ) == [(0,)]


@pytest.mark.long  # the API-level twin stays in the default run (test_sandbox)
def test_anonymized_queries_make_page_totals_exceed_the_sum_over_queries(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Hand-written rule: the by-page table counts the world's anonymized rows, the by-query
    table does not; final days only (date + final_lag <= the Pacific today, TODAY itself)."""
    db = run(sandbox, tmp_path, "gsc_anon", site_urls=[SITE])
    hidden = world_rows(
        world,
        "select sum(clicks), sum(impressions) from search_rows where site_url = ? "
        "and anonymized and date + final_lag <= ?",
        [SITE, TODAY],
    )[0]
    by_query = query(
        db, "select sum(clicks), sum(impressions) from raw_search_console.search_analytics"
    )[0]
    by_page = query(db, "select sum(clicks), sum(impressions) from raw_search_console.page_daily")[
        0
    ]
    assert hidden[1] > 0
    assert (by_page[0] - by_query[0], by_page[1] - by_query[1]) == (hidden[0], hidden[1])
    # the delay: the last day loaded is the last final day of the world, not TODAY
    last_final = world_rows(
        world,
        "select max(date) from search_rows where site_url = ? and date + final_lag <= ?",
        [SITE, TODAY],
    )[0][0]
    assert query(db, "select max(date) from raw_search_console.page_daily") == [(last_final,)]
    assert last_final <= TODAY - timedelta(days=2)


@pytest.mark.long  # two runs four days apart
def test_fresh_data_is_flagged_and_replaced_when_final(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = run(sandbox, tmp_path, "gsc_all", site_urls=[SITE], data_state="all")
    fresh = query(
        db,
        "select min(date), max(date), bool_or(is_final) from "
        "raw_search_console.page_daily where not is_final",
    )[0]
    assert fresh[1] == TODAY and fresh[2] is False  # today (Pacific) is in, flagged
    sandbox.advance(4)  # every fresh day is final now
    run(sandbox, tmp_path, "gsc_all", site_urls=[SITE], data_state="all")
    day = TODAY + timedelta(days=4)
    truth = expected(world, day, "pages")[SITE]
    got = loaded(db, "page_daily")[SITE]
    assert {k: v for k, v in got.items() if k in truth} == truth
    assert query(
        db,
        "select count(*) from raw_search_console.page_daily "
        f"where not is_final and date <= '{fresh[1]}'",
    ) == [(0,)]


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("throttle=0.3,server_error=0.1,seed=3")
    db = run(sandbox, tmp_path, "gsc_th", site_urls=[SITE])
    fired = sandbox.fired()
    assert fired["throttle"] > 1 and fired["server_error"] > 0, fired  # 429 and 403 both
    assert loaded(db)[SITE] == expected(world, TODAY)[SITE]


def test_bad_token_fails_once_with_the_api_error(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/search_console/") as seen, pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "gsc_bad", access_token="wrong", refresh_token=None)
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert len(seen) == 1, seen  # refused once, not retried
    text = str(error)
    assert f"search_console: account site {SITE}" in text
    assert "UNAUTHENTICATED" in text and "invalid authentication credentials" in text


def test_site_without_permission_fails_naming_it(sandbox: Sandbox, tmp_path: Path) -> None:
    other = "https://www.not-ours.example/"
    with pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "gsc_perm", site_urls=[other])
    error = cause(info.value, SourceAuthError)
    assert error is not None and f"site {other}" in str(error)
    assert "sufficient permission" in str(error)


def test_malformed_rows_are_quarantined(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        asked = kwargs.get("json") or {}
        by_page = asked.get("dimensions") == ["date", "page"]
        if body.get("rows") and by_page and asked["startRow"] == 0:  # once: the first page
            body["rows"][0]["clicks"] = "n/a"
            del body["rows"][1]["keys"][1]
        return body

    with patched_json(mutate):
        db = run(sandbox, tmp_path, "gsc_q", site_urls=[SITE])
    bad = query(db, "select resource, record_id, reason from raw_search_console.quarantine")
    assert len(bad) == 2 and all(r[0] == "page_daily" for r in bad), bad
    assert any("'clicks' is not an integer" in r[2] for r in bad)
    assert any("expected 2 keys" in r[2] for r in bad)
    truth = expected(world, TODAY, "pages")[SITE]
    assert len(loaded(db, "page_daily")[SITE]) == len(truth) - 2  # missing, not zeroed


def test_source_builds_without_secrets(no_ambient_secrets: None) -> None:
    src = search_console_source(base_url="http://127.0.0.1:1/search_console")
    assert list(src.resources) == ["search_analytics", "page_daily"]
