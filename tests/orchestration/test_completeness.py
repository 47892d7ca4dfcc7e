"""The completeness checks as Dagster runs them: after a full load of each source every check
passes; after a load whose paging ended early (the "next page" signal dropped from an answer,
as a lost page token or a truncated page would) the check of that total fails with ERROR and
its metadata shows both numbers.

Oracle: the loads themselves differ only in the planted fault, and the reported totals are
shown equal to the world's in tests/<source>/test_completeness.py. The tolerance rules are
checked on hand-computed numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dagster import AssetCheckKey, AssetCheckSeverity, AssetSelection, materialize

from orchestration.definitions import defs
from orchestration.defs.completeness import TOTALS, Total
from orchestration.defs.warehouse import Warehouse
from tests.sources.support import Sandbox, load_source, patched_json

LOADS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    # source: (resources that observe and load the totals, page sizes giving several pages)
    "ga4": (("traffic_daily",), {"page_size": 100}),
    "google_business": (("reviews",), {"page_size": 10}),
    "trustpilot": (("business_units", "reviews"), {"page_size": 20}),
    "youtube": (("channels", "playlist_items"), {"playlist_page_size": 5}),
    "x": (("accounts", "posts"), {"page_size": 10}),
    "hubspot": (("contacts", "deals"), {"page_size": 100, "search_interval_s": 0.0}),
}


def last_page_first(url: str, kwargs: dict[str, Any], body: Any) -> Any:
    """Every answer reads as the last page: its "next page" signal is gone (GA4 pages by
    offset, so there a page past the first comes back empty)."""
    if not isinstance(body, dict):
        return body
    body.pop("nextPageToken", None)  # Google Business Profile, YouTube
    if isinstance(body.get("meta"), dict):
        body["meta"].pop("next_token", None)  # X
    if isinstance(body.get("links"), list):  # Trustpilot
        body["links"] = [link for link in body["links"] if link.get("rel") != "next-page"]
    body.pop("paging", None)  # HubSpot's search (paging.next.after)
    if ":runReport" in url and (kwargs.get("json") or {}).get("offset"):
        body.pop("rows", None)  # GA4
    return body


def check_keys(source: str) -> list[AssetCheckKey]:
    return [
        key
        for check in defs.asset_checks or []
        for key in check.check_keys
        if key.name.startswith("completeness_") and key.asset_key.path[0] == f"raw_{source}"
    ]


def run_checks(db: Path, source: str) -> dict[AssetCheckKey, Any]:
    keys = check_keys(source)
    checks = [c for c in defs.asset_checks or [] if set(c.check_keys) & set(keys)]
    result = materialize(
        checks,
        selection=AssetSelection.checks(*keys),
        resources={"warehouse": Warehouse(path=str(db))},
        raise_on_error=False,
    )
    return {e.asset_check_key: e for e in result.get_asset_check_evaluations()}


def load(sandbox: Sandbox, tmp: Path, source: str) -> Path:
    resources, pages = LOADS[source]
    return load_source(source, sandbox.url, tmp, f"{source}_c", resources, **pages)


def test_every_reported_total_has_a_check_in_the_code_location() -> None:
    names = {(k.asset_key.path[0], k.name) for s in LOADS for k in check_keys(s)}
    assert names == {(t.dataset, t.check_name) for t in TOTALS}
    assert len(names) == 8


@pytest.mark.parametrize("source", sorted(LOADS))
def test_a_full_load_passes_and_paging_that_ends_early_fails(
    source: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    full = run_checks(load(sandbox, tmp_path / "full", source), source)
    assert set(full) == set(check_keys(source))
    for key, evaluation in full.items():
        meta = evaluation.metadata
        assert evaluation.passed, (key, evaluation.description)
        assert meta["loaded"].value >= meta["reported_total"].value > 0, key

    with patched_json(last_page_first):
        short = run_checks(load(sandbox, tmp_path / "short", source), source)
    for key, evaluation in short.items():
        meta = evaluation.metadata
        assert not evaluation.passed, key
        assert evaluation.severity == AssetCheckSeverity.ERROR
        assert meta["loaded"].value < meta["reported_total"].value, key
        assert meta["reported_total"].value == full[key].metadata["reported_total"].value
        accounts = meta["accounts"].value
        assert any(a["loaded"] < a["expected_at_least"] for a in accounts), accounts


def test_without_a_stored_total_the_check_warns(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw_trustpilot")
        con.execute("create table raw_trustpilot.reviews (review_id text, business_unit_id text)")
    (evaluation,) = run_checks(db, "trustpilot").values()
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.WARN


@pytest.mark.parametrize(
    ("tolerance", "reach", "reported", "least"),
    [
        (0.0, None, 1605, 1605.0),  # GA4: every row
        (0.02, None, 50, 49.0),  # 2% of 50: one record may be missing
        (0.02, None, 22, 21.56),  # ... of 22: none (21 < 21.56)
        (0.01, 3200, 5000, 3168.0),  # X: only the 3,200 newest are reachable
        (0.01, 3200, 133, 131.67),
    ],
)
def test_expected_minimum(tolerance: float, reach: int | None, reported: int, least: float) -> None:
    total = Total("s", "e", "t", "count(*)", "a", tolerance, reach=reach)
    assert total.expected_min(reported) == pytest.approx(least)
