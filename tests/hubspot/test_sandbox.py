"""The emulated HubSpot API answers as HubSpot documents it (limits, errors, associations), with
values checked against the world's own tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.sources.support import TODAY, Sandbox, world_rows

PORTAL = "146000001"
TOKEN = f"pat-eu1-sandbox-{PORTAL}"


def post(sandbox: Sandbox, path: str, body: Any, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{sandbox.vendor('hubspot')}{path}", json=body, headers=headers,
                         timeout=30)  # fmt: skip


def test_a_search_page_has_hubspots_shape_and_the_worlds_values(
    world: Path, sandbox: Sandbox
) -> None:
    resp = post(sandbox, "/crm/v3/objects/contacts/search",
                {"limit": 3, "sorts": [{"propertyName": "createdate",
                                        "direction": "ASCENDING"}]})  # fmt: skip
    assert resp.status_code == 200
    body = resp.json()
    now = f"{TODAY} 23:59:59"
    (total,) = world_rows(world, "select count(*) from hubspot_contacts where portal_id = ? "
                          "and created_at <= ?", [PORTAL, now])[0]  # fmt: skip
    assert body["total"] == total and body["paging"]["next"]["after"] == "3"
    first = world_rows(world, "select contact_id, email from hubspot_contacts where portal_id = ? "
                       "order by created_at, contact_id limit 1", [PORTAL])[0]  # fmt: skip
    result = body["results"][0]
    assert result["id"] == str(first[0]) and result["properties"]["email"] == first[1]
    # the default properties of a contact search (the search guide's table)
    assert set(result["properties"]) == {"createdate", "email", "firstname", "hs_object_id",
                                         "lastmodifieddate", "lastname"}  # fmt: skip
    assert result["createdAt"].endswith(".000Z") and result["archived"] is False


def test_limits_and_errors_are_hubspots(sandbox: Sandbox) -> None:
    too_big = post(sandbox, "/crm/v3/objects/deals/search", {"limit": 201})
    assert too_big.status_code == 400 and too_big.json()["category"] == "VALIDATION_ERROR"
    past_cap = post(sandbox, "/crm/v3/objects/deals/search", {"limit": 10, "after": "10000"})
    assert past_cap.status_code == 400 and "10000" in past_cap.json()["message"]
    other = post(sandbox, "/crm/v3/objects/deals/search", {}, token="pat-eu1-wrong")
    assert other.status_code == 401
    assert set(other.json()) == {"status", "message", "correlationId", "category"}
    assert other.json()["category"] == "INVALID_AUTHENTICATION"
    assert post(sandbox, "/crm/v3/objects/deals/search", {}, token=None).status_code == 401


def test_associations_list_each_deals_contact_and_report_the_others(
    world: Path, sandbox: Sandbox
) -> None:
    first = "select deal_id, contact_id from hubspot_deals where portal_id = ? "
    deal, contact = world_rows(world, first + "order by created_at limit 1", [PORTAL])[0]
    resp = post(sandbox, "/crm/v4/associations/deals/contacts/batch/read",
                {"inputs": [{"id": str(deal)}, {"id": "1"}]})  # fmt: skip
    assert resp.status_code == 207  # one id has no association: multi-status
    body = resp.json()
    assert body["results"] == [
        {
            "from": {"id": str(deal)},
            "to": [
                {
                    "toObjectId": contact,
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}
                    ],
                }
            ],
        }
    ]
    assert body["numErrors"] == 1 and body["errors"][0]["context"] == {"fromObjectId": ["1"]}
