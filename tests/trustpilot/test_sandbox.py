"""The emulated Trustpilot API: paths, auth, paging, errors and faults in its own dialect."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from pulse_config.registry import load_registry
from sandbox.vendors.trustpilot import VENDOR
from sandbox.vendors.trustpilot import world as tp_world
from sandbox.world.generator import WorldSpec
from sandbox.world.store import StoreWriter
from tests.sources.support import TODAY, Sandbox, vendor_truth

BU = "5f1e0a0b0c0d0e0f10111201"
API_KEY = "sandbox-trustpilot-key"
H = {"apikey": API_KEY}


@pytest.fixture()
def api(sandbox: Sandbox) -> str:
    return f"{sandbox.vendor('trustpilot')}/v1/business-units/{BU}"


def test_reviews_page_by_next_page_links_newest_first(api: str) -> None:
    body = requests.get(f"{api}/reviews", params={"perPage": 50}, headers=H, timeout=10).json()
    seen = []
    while True:
        seen += body["reviews"]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next-page"]
        if not nxt:
            break
        assert "apikey" not in nxt[0]
        body = requests.get(nxt[0], headers=H, timeout=10).json()
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids)) > 100
    created = [r["createdAt"] for r in seen]
    assert created == sorted(created, reverse=True)
    assert max(created) <= f"{TODAY}T23:59:59Z"  # nothing after the clock's now
    first = seen[0]
    assert set(first) >= {"id", "stars", "consumer", "businessUnit", "createdAt", "updatedAt"}
    assert any("companyReply" in r for r in seen) and any("companyReply" not in r for r in seen)
    beyond = requests.get(f"{api}/reviews", params={"page": 999}, headers=H, timeout=10)
    assert beyond.status_code == 200 and beyond.json()["reviews"] == []


def test_default_page_size_filters_and_limits(api: str) -> None:
    assert len(requests.get(f"{api}/reviews", headers=H, timeout=10).json()["reviews"]) == 20
    low = requests.get(f"{api}/reviews", params={"stars": [1, 2]}, headers=H, timeout=10).json()
    assert low["reviews"] and {r["stars"] for r in low["reviews"]} <= {1, 2}
    too_big = requests.get(f"{api}/reviews", params={"perPage": 101}, headers=H, timeout=10)
    assert too_big.status_code == 400 and "perPage" in too_big.json()["details"]


def test_auth_and_unknown_unit_errors(api: str) -> None:
    bad = requests.get(f"{api}/reviews", params={"apikey": "nope"}, timeout=10)
    assert bad.status_code == 401
    assert bad.json() == {
        "fault": {
            "faultstring": "Invalid ApiKey",
            "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
        }
    }
    missing = requests.get(f"{api}/reviews", timeout=10)
    assert missing.json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"
    assert requests.get(f"{api}/reviews", params={"apikey": API_KEY}, timeout=10).ok
    unknown = requests.get(api.replace(BU, "000000000000000000000000"), headers=H, timeout=10)
    assert unknown.status_code == 404


def test_business_unit_snapshot(api: str) -> None:
    unit = requests.get(api, headers=H, timeout=10).json()
    counts = unit["numberOfReviews"]
    stars = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
    assert counts["total"] == sum(counts[k] for k in stars) > 0
    assert 1.0 <= unit["score"]["trustScore"] <= 5.0
    assert unit["score"]["stars"] * 2 == int(unit["score"]["stars"] * 2)


def test_faults_in_the_gateway_dialect(api: str) -> None:
    throttled = requests.get(api, headers={**H, "X-Sandbox-Fault": "throttle"}, timeout=10)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert throttled.json()["fault"]["detail"]["errorcode"].startswith("policies.ratelimit.")
    down = requests.get(api, headers={**H, "X-Sandbox-Fault": "server_error"}, timeout=10)
    assert down.status_code in (502, 503) and "fault" in down.json()


def test_generation_is_deterministic_with_late_replies_and_edits(tmp_path: Path) -> None:
    spec = WorldSpec(start=TODAY.replace(day=1), days=30)
    registry = load_registry()
    dumps = []
    for name in ("a", "b"):
        writer = StoreWriter(tmp_path / f"{name}.duckdb")
        writer.con.execute(VENDOR.ddl)
        totals = VENDOR.generate(writer, registry, spec, lambda _m: None)
        dumps.append(
            writer.con.execute("SELECT * FROM trustpilot_reviews ORDER BY review_id").fetchall()
        )
        writer.con.close()
    assert dumps[0] == dumps[1] and totals["reviews"] == len(dumps[0])
    assert totals["business_units"] == len(registry.accounts("trustpilot"))
    cols = tp_world.DDL  # columns: created_at (3), edited_at (9), reply_at (19)
    assert "reply_at" in cols
    late = [r for r in dumps[0] if r[19] is not None and (r[19] - r[3]).days >= 3]
    edited = [r for r in dumps[0] if r[9] is not None]
    assert late and edited
    assert all(isinstance(r[3], datetime) for r in dumps[0])
    assert all((r[19] - r[3]) < tp_world.REPLY_WITHIN for r in dumps[0] if r[19] is not None)
    assert all((r[9] - r[3]) < tp_world.EDIT_WITHIN for r in edited)


def _walk(api: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every review of a query, following next-page links; and the links followed."""
    body = requests.get(f"{api}/reviews", params=params, headers=H, timeout=10).json()
    seen, links = body["reviews"], []
    while nxt := [link["href"] for link in body["links"] if link["rel"] == "next-page"]:
        links.append(nxt[0])
        body = requests.get(nxt[0], headers=H, timeout=10).json()
        seen += body["reviews"]
    return seen, links


def _truth(world: Path) -> dict[str, Any]:
    return vendor_truth(world, "trustpilot", TODAY)["business_units"][BU]


def test_stars_filter_is_an_array_of_repeated_parameters(api: str, world: Path) -> None:
    """developers.trustpilot.com/business-units-api: `stars` is an array of 1-5, sent as
    `stars=1&stars=2`; the next-page links keep every value."""
    unit = _truth(world)
    want = [rid for rid in unit["review_ids"] if unit["reviews"][rid]["stars"] in (1, 2)]
    got, links = _walk(api, {"stars": [1, 2], "perPage": 5})
    assert [r["id"] for r in got] == want and want
    assert links and all("stars=1&stars=2" in link for link in links)
    for bad in ("1,2", "6", "0", "one"):
        refused = requests.get(f"{api}/reviews", params={"stars": bad}, headers=H, timeout=10)
        assert refused.status_code == 400 and "stars" in refused.json()["details"], bad


def test_documented_sort_orders_are_accepted(api: str, world: Path) -> None:
    """`orderBy` is an array of createdat.asc, createdat.desc, stars.asc, stars.desc; the
    ground truth orders stars by the manifest, ties newest first unless createdat.asc."""
    unit = _truth(world)
    newest = unit["review_ids"]  # the manifest's newest-first order
    stars = {rid: unit["reviews"][rid]["stars"] for rid in newest}
    expected = {
        ("createdat.desc",): newest,
        ("createdat.asc",): newest[::-1],
        ("stars.desc",): sorted(newest, key=lambda rid: -stars[rid]),
        ("stars.asc",): sorted(newest, key=lambda rid: stars[rid]),
        ("stars.asc", "createdat.asc"): sorted(newest[::-1], key=lambda rid: stars[rid]),
    }
    for order, want in expected.items():
        got, _ = _walk(api, {"orderBy": list(order), "perPage": 7})
        assert [r["id"] for r in got] == want, order
    for bad in (["rating"], ["stars.desc,createdat.desc"], ["createdat.asc", "createdat.desc"]):
        refused = requests.get(f"{api}/reviews", params={"orderBy": bad}, headers=H, timeout=10)
        assert refused.status_code == 400, bad


def test_language_filter_is_an_array(api: str, world: Path) -> None:
    total = len(_truth(world)["review_ids"])
    french, _ = _walk(api, {"language": "fr", "perPage": 100})
    english, _ = _walk(api, {"language": "en", "perPage": 100})
    both, _ = _walk(api, {"language": ["fr", "en"], "perPage": 100})
    assert {r["language"] for r in french} == {"fr"} and {r["language"] for r in english} == {"en"}
    assert len(french) + len(english) == len(both) == total
