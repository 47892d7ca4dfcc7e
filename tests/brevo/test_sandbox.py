"""The emulated Brevo API against its published contract. Oracles: the world's ``email_*``
tables queried here with the vendor's rules written out, and the reference pages cited in
sandbox/vendors/brevo/api.py for the shapes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from sandbox.vendors.brevo import stats
from tests.sources.support import TODAY, Sandbox, world_rows

KEY = {"api-key": "xkeysib-sandbox-maison-lumiere"}
BRAND = "maison-lumiere"


def get(sandbox: Sandbox, path: str, headers: dict | None = None, **params: Any) -> Any:
    url = f"{sandbox.vendor('brevo')}/v3/{path}"
    return requests.get(url, params=params, headers=headers or KEY, timeout=30)


def test_offset_pages_cover_every_sent_campaign_newest_first(world: Path, sandbox: Sandbox) -> None:
    sent = world_rows(
        world,
        "select campaign_id from email_campaigns where brand_id = ? and sent_at <= ? "
        "order by created_at desc, campaign_id desc",
        [BRAND, f"{TODAY} 23:59:59"],
    )
    ids, offset = [], 0
    while True:
        body = get(sandbox, "emailCampaigns", limit=2, offset=offset).json()
        assert body["count"] == len(sent)
        ids += [c["id"] for c in body["campaigns"]]
        offset += 2
        if offset >= body["count"]:
            break
    assert ids == [r[0] for r in sent]
    resp = get(sandbox, "emailCampaigns", limit=100)
    assert resp.headers["x-sib-ratelimit-limit"] == "100"  # on every rate-limited answer


def test_statistics_are_one_collection_per_call(world: Path, sandbox: Sandbox) -> None:
    body = get(sandbox, "emailCampaigns", statistics="linksStats", limit=100).json()
    first = body["campaigns"][-1]  # the oldest campaign, its activity over by TODAY
    assert first["statistics"]["globalStats"] == {}
    clicks = world_rows(
        world,
        "select sum(clicks) from email_link_daily where brand_id = ? and campaign_id = ?",
        [BRAND, first["id"]],
    )[0][0]
    assert sum(first["statistics"]["linksStats"].values()) == clicks > 0
    hrefs = world_rows(world, "select count(*) from email_links where brand_id = ? and "
                       "campaign_id = ?", [BRAND, first["id"]])[0][0]  # fmt: skip
    assert first["htmlContent"].count("<a href=") == hrefs


def test_list_statistics_count_six_months_of_events_the_report_all(world: Path) -> None:
    """The clock cannot leave the world's span, so the rule is read at a later now directly:
    on 2026-06-01 the list counts events since 2025-12-01 (6 months, by hand)."""
    now = datetime(2026, 6, 1, 23, 59, 59)
    first = world_rows(world, "select min(campaign_id) from email_campaigns where brand_id = ?",
                       [BRAND])[0][0]  # fmt: skip
    late = (
        world_rows(
            world,
            "select sum(unique_views) from email_daily where brand_id = ? and campaign_id = ? "
            "and date >= '2025-12-01'",
            [BRAND, first],
        )[0][0]
        or 0
    )
    whole = world_rows(world, "select sum(unique_views) from email_daily where brand_id = ? "
                       "and campaign_id = ?", [BRAND, first])[0][0]  # fmt: skip
    with duckdb.connect(str(world), read_only=True) as con:
        listed = stats.global_stats(con.cursor(), BRAND, first, now, whole=False)
        report = stats.global_stats(con.cursor(), BRAND, first, now, whole=True)
    assert (listed["uniqueViews"], listed["sent"]) == (late, 0)
    assert report["uniqueViews"] == whole > late


@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"offset": -1}, {"statistics": "campaignStats"},
     {"startDate": "2025-11-01T00:00:00.000Z"}, {"limit": "ten"},
     {"startDate": "2025-12-01T00:00:00.000Z", "endDate": "2025-11-01T00:00:00.000Z"}],
)  # fmt: skip
def test_invalid_requests_are_refused(sandbox: Sandbox, params: dict[str, Any]) -> None:
    resp = get(sandbox, "emailCampaigns", **params)
    assert resp.status_code == 400, resp.text
    assert set(resp.json()) == {"code", "message"}


def test_auth_throttle_and_unknown_campaign_speak_brevos_dialect(sandbox: Sandbox) -> None:
    resp = get(sandbox, "emailCampaigns", headers={"api-key": "xkeysib-nope"})
    assert (resp.status_code, resp.json()) == (401, {"code": "unauthorized",
                                                     "message": "Key not found"})  # fmt: skip
    resp = get(sandbox, "emailCampaigns", headers={**KEY, "X-Sandbox-Fault": "throttle"})
    assert resp.status_code == 429 and resp.json()["code"] == "too_many_requests"
    assert resp.headers["x-sib-ratelimit-remaining"] == "0"
    assert int(resp.headers["x-sib-ratelimit-reset"]) > 0
    resp = get(sandbox, "emailCampaigns/999999")
    assert (resp.status_code, resp.json()["code"]) == (404, "document_not_found")
