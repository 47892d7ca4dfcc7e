"""The Matomo source against the sandbox (ground truth: the matomo manifest) and unit tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.http import SourceAuthError
from ingestion.matomo import helpers as h
from ingestion.matomo import matomo_source
from ingestion.privacy import Pseudonymiser
from pulse_config.registry import MatomoSite
from sandbox.world.manifest import build_manifest
from tests.ga4.support import (
    START,
    TODAY,
    advance,
    has_table,
    patched_json,
    query,
    run,
    set_faults,
)

TOKEN = "sandbox-matomo-token"
COUNTS = (
    "select count(*) from raw_matomo.visits union all select count(*) from raw_matomo.conversions"
)


def source(url: str, **kw: Any) -> Any:
    return matomo_source(
        token_auth=kw.pop("token_auth", TOKEN),
        pseudonymisation_key="test-key",
        base_url=f"{url}/matomo",
        start_date=kw.pop("start_date", START.isoformat()),
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        max_total_wait_s=10.0,
        **kw,
    )


def window(want: dict[str, Any], first: str) -> dict[str, Any]:
    """The manifest of one site restricted to the days from ``first`` (YYYY-MM-DD)."""
    rows = {k: v for k, v in want["rows"].items() if k[:10] >= first}
    return {
        "visit_ids": sorted(i for r in rows.values() for i in r["visit_ids"]),
        "conversion_ids": sorted(i for r in rows.values() for i in r["conversion_ids"]),
        "revenue": round(sum(r["revenue"] for r in rows.values()), 2),
        "rows": rows,
    }


def check(db: Path, world: Path, day: Any, first: str | None = None) -> None:
    """Visits and conversions equal the manifest exactly (ids, revenue, campaign labels)."""
    sites = build_manifest(world, day)["sources"]["matomo"]["sites"]
    for site, want in sites.items():
        if first:
            want = window(want, first)
        visits = query(db, f"select visit_id from raw_matomo.visits where site_id = '{site}'")
        assert sorted(v[0] for v in visits) == want["visit_ids"], site
        convs = query(
            db, f"select conversion_id from raw_matomo.conversions where site_id = '{site}'"
        )
        assert sorted(c[0] for c in convs) == want["conversion_ids"], site
        revenue = query(db, f"select sum(revenue) from raw_matomo.visits where site_id='{site}'")
        assert round(revenue[0][0], 2) == want["revenue"]
        consented = query(
            db,
            f"select count(*) from raw_matomo.visits where site_id='{site}' "
            "and consent = 'granted'",
        )
        assert first or consented[0][0] == want["consented"]
        labels = {  # plugin fields on site 1, referrerName alone on stock site 3
            r[0]: r[1:]
            for r in query(
                db,
                "select visit_id, strftime(visit_date, '%Y-%m-%d'), "
                "coalesce(campaign_source, '-'), coalesce(campaign_medium, '-'), "
                f"referrer_name from raw_matomo.visits where site_id='{site}' "
                "and referrer_type = 'campaign'",
            )
        }
        plugin = site == "1"
        for key, row in want["rows"].items():
            day, source, medium, campaign = key.lower().split("|")
            expected = (day, source, medium) if plugin else (day, "-", "-")
            for vid in row["visit_ids"]:
                if vid in labels:  # Matomo lower-cases campaign values (core and plugin)
                    assert labels[vid] == (*expected, campaign), (site, vid, key)


def test_full_load_then_same_day_then_next_day(world: Path, sandbox: str, tmp_path: Path) -> None:
    db = run(source(sandbox), tmp_path, "mt", "raw_matomo")
    check(db, world, TODAY)
    assert not has_table(db, "raw_matomo", "quarantine")
    ids = query(db, "select visitor_id_hash, user_id_hash from raw_matomo.visits limit 500")
    assert all(v is None or len(v) == 64 for row in ids for v in row)  # HMAC hex, never raw
    counts = query(
        db,
        COUNTS,
    )

    run(source(sandbox), tmp_path, "mt", "raw_matomo")  # same day: nothing new
    assert (
        query(
            db,
            COUNTS,
        )
        == counts
    )

    advance(sandbox)
    run(source(sandbox), tmp_path, "mt", "raw_matomo")
    check(db, world, TODAY + timedelta(days=1))
    old = query(
        db,
        f"select count(*) from raw_matomo.visits where visit_date < '{TODAY}' "
        f"and fetched_at > '{TODAY} 23:59:59+00'",
    )
    assert old == [(0,)]  # only the last loaded day and the new day were read again


def test_throttling_and_transient_errors_are_retried(
    world: Path, sandbox: str, tmp_path: Path
) -> None:
    first = (TODAY - timedelta(days=6)).isoformat()
    set_faults(sandbox, "throttle=0.3,server_error=0.1,seed=3")
    db = run(source(sandbox, start_date=first, page_size=40), tmp_path, "mt_th", "raw_matomo")
    set_faults(sandbox, "off")
    check(db, world, TODAY, first)


def test_bad_token_fails_with_the_api_error(sandbox: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        run(source(sandbox, token_auth="wrong"), tmp_path, "mt_bad", "raw_matomo")
    text = str(info.value)
    assert "matomo: account site 1" in text
    assert "You can't access this resource as it requires 'view' access for the website id = 1" in (
        text
    )


def test_malformed_visits_are_quarantined(sandbox: str, tmp_path: Path) -> None:
    day = TODAY.isoformat()

    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        params = kwargs.get("params") or {}
        first_page = params.get("filter_offset") == 0 and params.get("idSite") == "1"
        if isinstance(body, list) and params.get("date") == day and first_page and len(body) > 2:
            body[0]["idVisit"] = "not-a-number"
            del body[1]["firstActionTimestamp"]
            body[2]["visitorNickname"] = "Jeanne"  # a field Matomo adds: possibly personal
        return body

    with patched_json(mutate):
        db = run(source(sandbox, start_date=day), tmp_path, "mt_q", "raw_matomo")
    bad = query(db, "select record_id, reason, payload from raw_matomo.quarantine order by 1")
    assert len(bad) == 2
    assert any("'idVisit' is not an integer" in r[1] for r in bad)
    assert any("missing required 'firstActionTimestamp'" in r[1] for r in bad)
    for _rid, _reason, payload in bad:
        record = json.loads(payload)
        assert "visitIp" not in record
        assert record.get("visitorId") is None or len(record["visitorId"]) == 64
    # The new field evolves the schema, as a keyed hash: the column exists, the name does not.
    added = query(
        db, "select visitor_nickname from raw_matomo.visits where visitor_nickname is not null"
    )
    assert len(added) == 1 and len(added[0][0]) == 64 and "Jeanne" not in added[0][0]


def test_source_builds_without_secrets() -> None:
    assert list(matomo_source().resources) == ["visits"]


# --- unit tests ---------------------------------------------------------------------------


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.headers.update(headers or {})
    return resp


def test_classifier() -> None:
    err = {"result": "error", "message": "Mysql error: SQLSTATE[40001]: Deadlock found"}
    assert h.classify(response(200, err), "1").action == "retry"
    v = h.classify(response(429, {"result": "error", "message": "slow"}, {"Retry-After": "4"}), "1")
    assert v.action == "retry" and v.wait_s == 4.0
    assert h.classify(response(503, b"<html>busy</html>"), "1").action == "retry"
    assert h.classify(response(200, b'[{"idVisit": 1'), "1").action == "retry"
    denied = {
        "result": "error",
        "message": "You can't access this resource as it requires 'view' access for the "
        "website id = 7.",
    }
    bad = h.classify(response(200, denied), "7")
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert "matomo: account site 7" in str(bad.error)
    expired = {"result": "error", "message": "Unable to authenticate with the provided token."}
    assert isinstance(h.classify(response(401, expired), "7").error, SourceAuthError)
    other = {"result": "error", "message": "The method 'x' does not exist"}
    assert h.classify(response(200, other), "7").action == "fail"
    assert h.classify(response(200, []), "7").action == "ok"


class FakeAnswer:
    def __init__(self, page: list) -> None:
        self.page = page

    def json(self) -> list:
        return self.page


def test_day_paging_stops_on_a_short_page(monkeypatch: pytest.MonkeyPatch) -> None:
    offsets: list[int] = []

    def call(client: Any, token: str, site: str, params: dict) -> FakeAnswer:
        offsets.append(params["filter_offset"])
        return FakeAnswer([{"idVisit": i} for i in range(params["filter_offset"], 25)][:10])

    monkeypatch.setattr(h, "call", call)
    pages = list(h.visits_of_day(None, "t", "1", TODAY, 10))  # type: ignore[arg-type]
    assert [len(p) for _a, p in pages] == [10, 10, 5] and offsets == [0, 10, 20]


def test_visit_rows_children_and_pseudonyms() -> None:
    hasher = Pseudonymiser("k")
    raw = {
        "idVisit": 42,
        "visitorId": "abcdef0123456789",
        "userId": "cust-1",
        "firstActionTimestamp": 1764547200,
        "actionDetails": [
            {"type": "action", "url": "https://x/blog", "timestamp": 1764547200},
            {"type": "goal", "goalId": "1", "goalName": "Newsletter", "timestamp": 1764547260},
            {
                "type": "ecommerceOrder",
                "orderId": "O-1",
                "revenue": 59.9,
                "items": 2,
                "timestamp": 1764547300,
            },
        ],
    }
    visit, convs = h.visit_rows(raw, MatomoSite("1"), "b", None, hasher)  # type: ignore[arg-type]
    assert visit["visitor_id_hash"] == hasher("abcdef0123456789")
    assert visit["consent"] == "unknown" and visit["consent_dimension"] is None
    assert visit["entry_url"] == "https://x/blog" and visit["revenue"] == 59.9
    assert [c["conversion_id"] for c in convs] == ["42-1-1764547260", "42-0-1764547300"]
