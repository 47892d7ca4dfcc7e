"""The HubSpot source against the running sandbox, compared with the ground-truth manifest and
the world's own tables."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.support import (
    TODAY,
    Sandbox,
    cause,
    keyed_hash,
    load_source,
    patched_json,
    query,
    requests_seen,
    vendor_truth,
    world_rows,
)

TABLES = ("contacts", "deals", "deal_contacts")
FAST = {"search_interval_s": 0.0}  # the sandbox's secondly limit is then met by retries


def load(sandbox: Sandbox, tmp: Path, **kwargs: Any) -> Path:
    """The whole source once into ``tmp/w.duckdb`` (state in ``tmp/pipelines``)."""
    return load_source("hubspot", sandbox.url, tmp, "hubspot_test", **{**FAST, **kwargs})


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_hubspot.{t}")[0][0] for t in TABLES}


def iso(ts: Any) -> str | None:
    """A loaded timestamp in HubSpot's ``...000Z`` shape, to compare with the manifest."""
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def check_equals_manifest(db: Path, want: dict[str, Any]) -> None:
    """Every contact and deal once, with today's properties; every deal's contact."""
    for portal, truth in want["portals"].items():
        got = query(
            db,
            "select contact_id, updated_at, lifecycle_stage, analytics_source, utm_campaign, "
            "web_user_key is not null from raw_hubspot.contacts where portal_id = ?",
            [portal],
        )
        loaded = {
            cid: {
                "lastmodifieddate": iso(updated),
                "lifecyclestage": stage,
                "hs_analytics_source": source,
                "utm_campaign": campaign,
                "has_web_user_id": keyed,
            }
            for cid, updated, stage, source, campaign, keyed in got
        }
        assert len(got) == len(truth["contacts"]) and loaded == truth["contacts"], portal
        got = query(
            db,
            "select d.deal_id, d.updated_at, d.deal_stage, d.amount, d.currency, d.close_date, "
            "d.is_closed_won, c.contact_id from raw_hubspot.deals d "
            "left join raw_hubspot.deal_contacts c using (portal_id, deal_id) "
            "where d.portal_id = ?",
            [portal],
        )
        loaded = {
            did: {
                "hs_lastmodifieddate": iso(updated),
                "dealstage": stage,
                "amount": f"{amount:.2f}".rstrip("0").rstrip("."),
                "deal_currency_code": currency,
                "closedate": iso(closed),
                "hs_is_closed_won": won,
                "contact_id": contact,
            }
            for did, updated, stage, amount, currency, closed, won, contact in got
        }
        assert len(got) == len(truth["deals"]) and loaded == truth["deals"], portal


def no_quarantine(db: Path) -> bool:
    tables = query(
        db, "select count(*) from information_schema.tables where table_schema = 'raw_hubspot' "
        "and table_name = 'quarantine'",
    )[0][0]  # fmt: skip
    return not tables or query(db, "select count(*) from raw_hubspot.quarantine") == [(0,)]


@pytest.fixture()
def search_cap(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The sandbox's 10,000-results-per-query limit lowered to 300 (the small world's portals
    hold about 1,200 contacts each), read by the sandbox at each request."""
    monkeypatch.setenv("SANDBOX_HUBSPOT_SEARCH_CAP", "300")
    yield 300


def test_full_load_same_day_and_next_day(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    """Full load == manifest; same day adds nothing; the next day searches only from the
    cursor (minus the lookback) and adds or updates what changed."""
    day0 = TODAY - timedelta(days=1)
    want0, want1 = vendor_truth(world, "hubspot", day0), vendor_truth(world, "hubspot", TODAY)
    assert want0["totals"]["contacts"] > 1000 and want0["totals"]["closed_won"] > 0
    sandbox.set_today(day0)
    db = load(sandbox, tmp_path)
    check_equals_manifest(db, want0)
    assert no_quarantine(db)
    before = counts(db)
    load(sandbox, tmp_path)  # same sandbox day: adds nothing
    assert counts(db) == before

    sandbox.advance()
    bodies: list[dict[str, Any]] = []

    def keep(url: str, kwargs: dict[str, Any], body: Any) -> Any:
        if url.endswith("/search") and "sorts" in kwargs["json"]:  # not the unsorted count
            bodies.append(kwargs["json"])
        return body

    with patched_json(keep):
        load(sandbox, tmp_path)
    check_equals_manifest(db, want1)
    new = {
        obj: sum(len(set(want1["portals"][p][obj]) - set(want0["portals"][p][obj]))
                 for p in want1["portals"])
        for obj in ("contacts", "deals")
    }  # fmt: skip
    after = counts(db)
    assert new["contacts"] > 0 and after["contacts"] == before["contacts"] + new["contacts"]
    assert after["deals"] == before["deals"] + new["deals"]
    # Every search of the second day starts at most an hour (the documented lookback) before
    # the newest change the first day loaded of its portal and object, per the manifest.
    floors = [int(f["value"]) for b in bodies for g in b["filterGroups"] for f in g["filters"]
              if f["operator"] == "GTE"]  # fmt: skip
    newest = [
        max(datetime.fromisoformat(r[key]) for r in want0["portals"][p][obj].values())
        for p in want0["portals"]
        for obj, key in (("contacts", "lastmodifieddate"), ("deals", "hs_lastmodifieddate"))
    ]
    assert bodies and len(floors) == len(bodies)
    assert min(floors) >= (min(newest) - timedelta(hours=1)).timestamp() * 1000
    assert min(floors) <= min(newest).timestamp() * 1000  # the lookback overlaps the last run


def test_people_are_keyed_hashes_of_the_worlds_values(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    """E-mail, names, phone under the source's key; the web user id under the web identity
    purpose (computed here from the world's table, not by the source's code)."""
    db = load(sandbox, tmp_path, resources=("contacts",))
    people = {
        str(cid): (email, first, web)
        for cid, email, first, web in world_rows(
            world, "select contact_id, email, firstname, web_user_id from hubspot_contacts"
        )
    }
    stored = query(db, "select contact_id, email_hash, firstname_hash, web_user_key "
                   "from raw_hubspot.contacts")  # fmt: skip
    assert stored
    for cid, email, first, web in stored:
        w_email, w_first, w_web = people[cid]
        assert email == keyed_hash(w_email, "hubspot") and first == keyed_hash(w_first, "hubspot")
        assert web == (keyed_hash(w_web, "web_identity") if w_web else None)
    assert sum(1 for row in stored if row[3]) > 100  # the web members carry their key


def test_windows_narrow_below_the_result_cap(
    world: Path, sandbox: Sandbox, tmp_path: Path, search_cap: int,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """With a cap of 300 results per query the source splits its date windows until each
    fits, and still loads everything."""
    with caplog.at_level(logging.INFO, logger="ingestion.hubspot.helpers"):
        db = load(sandbox, tmp_path, result_cap=search_cap)
    assert "split at" in caplog.text
    check_equals_manifest(db, vendor_truth(world, "hubspot", TODAY))


def test_a_source_ignoring_the_cap_meets_the_vendors_400(
    sandbox: Sandbox, tmp_path: Path, search_cap: int
) -> None:
    """The sandbox is no kinder than HubSpot: paging one query past the cap is refused."""
    with pytest.raises(PipelineStepFailed, match="Paging beyond 300 results"):
        load(sandbox, tmp_path, result_cap=10_000, resources=("contacts",))


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Planted 429s (HubSpot's body) are retried to a load equal to the manifest."""
    sandbox.set_faults("throttle=0.3,seed=3")
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = load(sandbox, tmp_path, page_size=100)
    assert sandbox.fired()["throttle"] > 0
    assert "RATE_LIMITS" in caplog.text and "secondly limit" in caplog.text
    check_equals_manifest(db, vendor_truth(world, "hubspot", TODAY))


def test_server_errors_and_truncated_bodies_are_retried(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("server_error=0.2,corrupt=0.3,seed=5")
    db = load(sandbox, tmp_path, page_size=50, resources=("deals", "deal_contacts"))
    fired = sandbox.fired()
    assert fired["server_error"] > 0 and fired["corrupt"] > 0
    want = vendor_truth(world, "hubspot", TODAY)["totals"]["deals"]
    assert counts_of(db, "deals") == counts_of(db, "deal_contacts") == want


def test_the_secondly_search_limit_is_met_by_waiting(
    world: Path, sandbox: Sandbox, tmp_path: Path, secondly_limit: int,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Unpaced, the source meets HubSpot's 5 searches a second: each 429 waits for the next
    second (the 429 names no wait) and the deals still load whole."""
    one_portal = tmp_path / "brands.yaml"  # one portal: each wait costs a real second
    one_portal.write_text(
        "brands:\n  - id: maison-lumiere\n    name: Maison Lumiere\n    timezone: Europe/Paris\n"
        "    accounts:\n      hubspot: '146000001'\n"
    )
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = load(sandbox, tmp_path, page_size=18, resources=("deals",),
                  registry_path=str(one_portal))  # fmt: skip
    assert "secondly limit" in caplog.text and "retrying in 1.0 s" in caplog.text
    want = vendor_truth(world, "hubspot", TODAY)["portals"]["146000001"]["deals"]
    assert counts_of(db, "deals") == len(want)


def test_bad_token_fails_once_with_hubspots_error(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/hubspot/") as seen, pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, access_tokens={"146000001": "pat-eu1-wrong"})
    message = str(info.value)
    for part in ("hubspot", "146000001", "INVALID_AUTHENTICATION", "access_tokens"):
        assert part in message, part
    assert "pat-eu1-wrong" not in message  # the token is masked
    assert isinstance(cause(info.value, SourceAuthError), SourceAuthError)
    assert len(seen) == 1, seen  # refused once, not retried


def test_a_bad_record_is_quarantined_and_the_rest_loaded(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    """A contact whose last-modified date is not a date is set aside with the reason, its
    e-mail hashed in the quarantine payload; every other contact is loaded."""
    victim: list[str] = []

    def break_one(url: str, kwargs: dict[str, Any], body: Any) -> Any:
        listing = "sorts" in kwargs["json"]  # not the unsorted count search
        if url.endswith("/contacts/search") and listing and body.get("results") and not victim:
            record = body["results"][0]
            victim.append(record["id"])
            record["properties"]["lastmodifieddate"] = "yesterday"
        return body

    with patched_json(break_one):
        db = load(sandbox, tmp_path, resources=("contacts",))
    want = vendor_truth(world, "hubspot", TODAY)["totals"]["contacts"]
    assert counts_of(db, "contacts") == want - 1
    (reason, payload), = query(db, "select reason, payload from raw_hubspot.quarantine "
                               "where record_id = ?", [victim[0]])  # fmt: skip
    assert "lastmodifieddate" in reason
    email = json.loads(payload)["properties"]["email"]
    assert email is not None and "@" not in email


def counts_of(db: Path, table: str) -> int:
    return query(db, f"select count(*) from raw_hubspot.{table}")[0][0]
