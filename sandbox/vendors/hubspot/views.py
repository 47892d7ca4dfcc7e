"""What HubSpot shows of the CRM world at a time: contacts and deals with their properties.

The world stores each record once with its future (deal advanced, closed, phone added);
these queries compute the properties as of ``$now`` for one portal ``$portal``. The API and the
manifest both read them, so answers and ground truth cannot drift apart.

Property names and values are HubSpot's (https://developers.hubspot.com/docs/api-reference/
crm-contacts-v3/guide, .../crm-deals-v3/guide): every value is a string, datetimes are ISO 8601
UTC with milliseconds, booleans ``"true"``/``"false"``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

CONTACTS_SQL = """
SELECT c.contact_id AS id, c.created_at AS createdate,
       greatest(c.created_at,
                CASE WHEN c.edited_at <= $now THEN c.edited_at END,
                CASE WHEN d.created_at <= $now THEN d.created_at END,
                CASE WHEN d.closed_at <= $now AND d.won THEN d.closed_at END) AS lastmodifieddate,
       c.firstname, c.lastname, c.email,
       CASE WHEN c.edited_at <= $now THEN c.edited_phone ELSE c.phone END AS phone,
       CASE WHEN d.closed_at <= $now AND d.won THEN 'customer'
            WHEN d.created_at <= $now THEN 'opportunity'
            ELSE c.initial_stage END AS lifecyclestage,
       c.analytics_source AS hs_analytics_source,
       c.source_data_1 AS hs_analytics_source_data_1,
       c.source_data_2 AS hs_analytics_source_data_2,
       c.first_url AS hs_analytics_first_url,
       c.utm_source, c.utm_medium, c.utm_campaign, c.utm_content, c.utm_term, c.web_user_id
  FROM hubspot_contacts c LEFT JOIN hubspot_deals d USING (portal_id, contact_id)
 WHERE c.portal_id = $portal AND c.created_at <= $now
"""
DEALS_SQL = """
SELECT deal_id AS id, created_at AS createdate,
       greatest(created_at, CASE WHEN advanced_at <= $now THEN advanced_at END,
                CASE WHEN closed_at <= $now THEN closed_at END) AS hs_lastmodifieddate,
       dealname, amount, currency AS deal_currency_code, pipeline,
       CASE WHEN closed_at <= $now THEN CASE WHEN won THEN 'closedwon' ELSE 'closedlost' END
            WHEN advanced_at <= $now THEN advanced_stage
            ELSE 'appointmentscheduled' END AS dealstage,
       CASE WHEN closed_at <= $now THEN closed_at END AS closedate,
       coalesce(closed_at <= $now AND won, false) AS hs_is_closed_won,
       contact_id
  FROM hubspot_deals
 WHERE portal_id = $portal AND created_at <= $now
"""
OBJECTS = {"contacts": CONTACTS_SQL, "deals": DEALS_SQL}
# Object type ids HubSpot accepts in place of the name (https://developers.hubspot.com/docs/
# guides/api/crm/understanding-the-crm#object-type-ids).
TYPE_IDS = {"0-1": "contacts", "0-3": "deals"}
MODIFIED = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate"}
# The properties a search returns when the request names none (the search guide's table).
DEFAULT_PROPERTIES = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate",
                 "lastname"),
    "deals": ("amount", "closedate", "createdate", "dealname", "dealstage",
              "hs_lastmodifieddate", "hs_object_id", "pipeline"),
}  # fmt: skip
DEAL_TO_CONTACT = 3  # HUBSPOT_DEFINED association type "deal to contact"
CONTACT_TO_DEAL = 4


def hs_time(ts: datetime | None) -> str | None:
    """HubSpot's datetime string: ``2025-11-03T10:15:22.000Z``."""
    if ts is None:
        return None
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def value(v: Any) -> str | None:
    """A property value as HubSpot sends it: a string (or null)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return hs_time(v)
    if isinstance(v, Decimal | float):
        return format(Decimal(str(v)).normalize(), "f")
    return str(v)


def record(row: dict[str, Any], obj: str, wanted: tuple[str, ...]) -> dict[str, Any]:
    """One search result: id, the requested properties (those that exist), times, archived."""
    props = {name: value(row[name]) for name in wanted if name in row and name != "contact_id"}
    if "hs_object_id" in wanted:
        props["hs_object_id"] = str(row["id"])
    return {
        "id": str(row["id"]),
        "properties": props,
        "createdAt": hs_time(row["createdate"]),
        "updatedAt": hs_time(row[MODIFIED[obj]]),
        "archived": False,
    }
