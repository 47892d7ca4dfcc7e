"""The Brevo source against the sandbox. Oracles: the brevo manifest (each campaign's totals
as of a day) and the world's own ``email_daily`` (a day's activity), never the source."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.brevo import brevo_source
from ingestion.brevo.settings import STAT_FIELDS
from ingestion.http import SourceAuthError
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

BRAND = "maison-lumiere"
PAGE_SIZE = 3  # several offset pages per account on the small world


def run(sandbox: Sandbox, tmp: Path, name: str, **kwargs: Any) -> Path:
    kwargs.setdefault("page_size", PAGE_SIZE)
    return load_source("brevo", sandbox.url, tmp, name, **kwargs)


def loaded(db: Path, day: Any) -> dict[str, dict[str, Any]]:
    """Per brand and campaign, what the manifest states, from the tables of ``day``'s run."""
    cols = ", ".join(STAT_FIELDS.values())
    out: dict[str, dict[str, Any]] = {}
    for brand, cid, name, utm, sent_at in query(
        db, "select brand_id, campaign_id, name, utm_campaign, "
        "strftime(sent_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.000Z') from raw_brevo.campaigns",
    ):  # fmt: skip
        out.setdefault(brand, {})[str(cid)] = {"name": name, "utm_campaign": utm,
                                               "sent_date": sent_at}  # fmt: skip
    for brand, cid, url in query(db, "select brand_id, campaign_id, url from "
                                 "raw_brevo.campaign_links order by url"):  # fmt: skip
        out[brand][str(cid)].setdefault("links", []).append(url)
    for brand, cid, *values in query(
        db, f"select brand_id, campaign_id, {cols} from raw_brevo.campaign_stats "
        f"where snapshot_date = '{day}'",
    ):  # fmt: skip
        stats = dict(zip(STAT_FIELDS, values, strict=True))
        out[brand][str(cid)]["global_stats"] = stats
    for brand, cid, url, clicks in query(
        db, f"select brand_id, campaign_id, url, clicks from raw_brevo.link_stats "
        f"where snapshot_date = '{day}'",
    ):  # fmt: skip
        out[brand][str(cid)].setdefault("links_stats", {})[url] = clicks
    return out


def expected(world: Path, day: Any, sent_since: Any = None) -> dict[str, dict[str, Any]]:
    """The manifest's campaigns (global stats without the fields the source does not load);
    with ``sent_since``, the snapshot part only for campaigns sent since then."""
    out: dict[str, dict[str, Any]] = {}
    for brand, account in vendor_truth(world, "brevo", day)["accounts"].items():
        for cid, c in account["campaigns"].items():
            want = {k: c[k] for k in ("name", "utm_campaign", "sent_date", "links")}
            if sent_since is None or c["sent_date"][:10] >= str(sent_since):
                want["global_stats"] = {k: c["global_stats"][k] for k in STAT_FIELDS}
                if c["links_stats"]:
                    want["links_stats"] = c["links_stats"]
            out.setdefault(brand, {})[cid] = want
    return out


def test_full_load_then_same_day_then_next_day(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = run(sandbox, tmp_path, "brevo_t", page_size=100)
    assert loaded(db, TODAY) == expected(world, TODAY)
    assert not has_table(db, "raw_brevo", "quarantine")
    counts = (
        "select (select count(*) from raw_brevo.campaign_stats), "
        "(select count(*) from raw_brevo.link_stats), (select count(*) from raw_brevo.campaigns)"
    )
    before = query(db, counts)

    run(sandbox, tmp_path, "brevo_t", page_size=100)  # same day: nothing new
    assert query(db, counts) == before

    sandbox.advance()
    day = TODAY + timedelta(days=1)
    run(sandbox, tmp_path, "brevo_t", page_size=100)
    # the new day's snapshot holds the campaigns sent in the 30 days before the last run
    assert loaded(db, day) == expected(world, day, sent_since=TODAY - timedelta(days=30))
    # one day of activity = the difference of two snapshots = the world's day, by hand
    delta = query(
        db,
        "select sum(n.unique_views - o.unique_views), sum(n.clicks - o.clicks), "
        "sum(n.unsubscriptions - o.unsubscriptions) from raw_brevo.campaign_stats n "
        "join raw_brevo.campaign_stats o using (brand_id, campaign_id) "
        f"where n.snapshot_date = '{day}' and o.snapshot_date = '{TODAY}'",
    )
    truth = world_rows(
        world,
        "select sum(unique_views), sum(clickers), sum(unsubscriptions) from email_daily d "
        "join email_campaigns c using (brand_id, campaign_id) where d.date = ? "
        "and c.sent_at <= ?",
        [day, f"{TODAY} 23:59:59"],
    )
    assert delta == truth and truth[0][0] > 0


def test_throttling_is_retried_to_a_complete_load(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    # each 429 says "reset in 1 s" and is waited for: two of each fault, one account, paged
    sandbox.set_faults("throttle=0.4,server_error=0.3,max_fires=2,seed=3")
    db = run(sandbox, tmp_path, "brevo_th", api_keys={BRAND: f"xkeysib-sandbox-{BRAND}"})
    fired = sandbox.fired()
    assert fired["throttle"] == 2 and fired["server_error"] == 2, fired
    assert loaded(db, TODAY) == {BRAND: expected(world, TODAY)[BRAND]}


def test_bad_key_fails_once_naming_the_account_and_secret(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/brevo/") as seen, pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "brevo_bad", api_keys={BRAND: "xkeysib-wrong"})
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert len(seen) == 1, seen  # refused once, not retried
    text = str(error)
    assert f"brevo: account {BRAND}: HTTP 401 unauthorized: Key not found" in text
    assert "sources.brevo.api_keys" in text and "xkeysib-wrong" not in text


def test_missing_key_fails_naming_the_brand(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        load_source("brevo", sandbox.url, tmp_path, "brevo_none", api_keys={})
    error = cause(info.value, SourceAuthError)
    assert error is not None and "no API key" in str(error)


def test_malformed_campaigns_are_quarantined(world: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    def mutate(url: str, kwargs: dict, body: Any) -> Any:
        params = kwargs.get("params") or {}
        first_page = params.get("statistics") == "globalStats" and params.get("offset") == 0
        if body.get("campaigns") and first_page:  # the one account's first page
            body["campaigns"][0]["statistics"]["globalStats"]["sent"] = "many"
            body["campaigns"][1]["sentDate"] = "yesterday"
        return body

    with patched_json(mutate):
        db = run(sandbox, tmp_path, "brevo_q", api_keys={BRAND: f"xkeysib-sandbox-{BRAND}"})
    bad = query(db, "select resource, record_id, reason from raw_brevo.quarantine order by 2")
    assert [r[0] for r in bad] == ["campaigns", "campaigns"], bad
    assert any("'sent' is not an integer" in r[2] for r in bad)
    assert any("'sentDate' is not a date-time" in r[2] for r in bad)
    want = len(vendor_truth(world, "brevo", TODAY)["accounts"][BRAND]["campaigns"])
    assert query(db, "select count(*) from raw_brevo.campaigns") == [(want - 2,)]


def test_source_builds_without_secrets(no_ambient_secrets: None) -> None:
    src = brevo_source(base_url="http://127.0.0.1:1/brevo")
    assert list(src.resources) == ["campaigns", "link_stats"]
