"""The Matomo source against the sandbox (ground truth: the matomo manifest) and unit tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from ingestion.matomo import matomo_source
from tests.sources.support import (
    START,
    TODAY,
    Sandbox,
    cause,
    has_table,
    keyed_hash,
    load_source,
    patched_json,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)

COUNTS = (
    "select count(*) from raw_matomo.visits union all select count(*) from raw_matomo.conversions"
)


def run(sandbox: Sandbox, tmp: Path, name: str, **kwargs: Any) -> Path:
    """One run of the Matomo source from the world's first day (not a 400-day backfill)."""
    options = {"start_date": START.isoformat(), **kwargs}
    return load_source("matomo", sandbox.url, tmp, name, **options)


def assert_visitors_are_keyed_hashes(db: Path, world: Path) -> None:
    """visitorId and userId are HMAC-SHA256 under the test key of the ids the world gave each
    visit (computed here from ``web_visits``): a clear id, an unkeyed hash or a NULL fails."""
    ids = {
        visit: (visitor, user)
        for visit, visitor, user in world_rows(
            world, "select visit_id, visitor_id, user_id from web_visits"
        )
    }
    stored = query(db, "select visit_id, visitor_id_hash, user_id_hash from raw_matomo.visits")
    assert stored and any(user for _v, _h, user in stored)
    for visit, visitor_hash, user_hash in stored:
        visitor, user = ids[int(visit)]
        assert visitor_hash == keyed_hash(visitor, "matomo"), visit
        # userId under the web identity purpose HubSpot's web_user_id shares (docs/identity.md)
        assert user_hash == (None if user is None else keyed_hash(user, "web_identity")), visit


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
    sites = vendor_truth(world, "matomo", day)["sites"]
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


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = run(sandbox, tmp_path, "mt")
    check(db, world, TODAY)
    assert not has_table(db, "raw_matomo", "quarantine")
    assert_visitors_are_keyed_hashes(db, world)
    counts = query(db, COUNTS)

    run(sandbox, tmp_path, "mt")  # same day: nothing new
    assert query(db, COUNTS) == counts

    sandbox.advance()
    run(sandbox, tmp_path, "mt")
    check(db, world, TODAY + timedelta(days=1))
    old = query(
        db,
        f"select count(*) from raw_matomo.visits where visit_date < '{TODAY}' "
        f"and fetched_at > '{TODAY} 23:59:59+00'",
    )
    assert old == [(0,)]  # only the last loaded day and the new day were read again


def test_throttling_and_transient_errors_are_retried(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    first = (TODAY - timedelta(days=6)).isoformat()
    sandbox.set_faults("throttle=0.3,server_error=0.1,seed=3")
    db = run(sandbox, tmp_path, "mt_th", start_date=first, page_size=40)
    fired = sandbox.fired()
    assert fired["throttle"] > 0 and fired["server_error"] > 0, fired
    check(db, world, TODAY, first)


def test_bad_token_fails_once_with_the_api_error(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/matomo/") as seen, pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "mt_bad", token_auth="wrong")
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert len(seen) == 1, seen  # refused once, not retried
    text = str(error)
    assert "matomo: account site 1" in text
    # Matomo 5 refuses an unknown token before any access check (plugins/Login/Login.php)
    assert "Unable to authenticate with the provided token. It is either invalid or expired." in (
        text
    )


def test_malformed_visits_are_quarantined(sandbox: Sandbox, tmp_path: Path) -> None:
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
        db = run(sandbox, tmp_path, "mt_q", start_date=day)
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


def test_source_builds_without_secrets(no_ambient_secrets: None) -> None:
    assert list(matomo_source().resources) == ["visits"]
