"""Row builders: one HubSpot search result -> one raw row, validated, people pseudonymised.

Builders raise ``InvalidRecord`` (or a shape error) on a record that breaks the contract; the
resource quarantines it with the reason. Name, e-mail and phone are HMAC-hashed here, before
anything is loaded; the web user id is hashed under its own purpose (settings.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from ingestion.quarantine import InvalidRecord, nested_obj, opt_str, parse_timestamp, req_id
from ingestion.tables import arrow_table_with_extras

from . import settings as s

Hasher = Callable[[object], str | None]

STAGES = frozenset(
    {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
     "customer", "evangelist", "other"}
)  # fmt: skip


def _props(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"result is a {type(raw).__name__}, not an object")
    return nested_obj(raw.get("properties"), "properties")


def _ts(props: Mapping[str, Any], key: str, required: bool = False) -> datetime | None:
    value = props.get(key)
    if value in (None, ""):
        if required:
            raise InvalidRecord(f"missing required {key!r}")
        return None
    return parse_timestamp(value, key)


def _amount(props: Mapping[str, Any]) -> float | None:
    value = props.get("amount")
    if value in (None, ""):
        return None
    try:
        return float(str(value))
    except ValueError:
        raise InvalidRecord(f"'amount' is not a number: {value!r}") from None


def _flag(props: Mapping[str, Any], key: str) -> bool | None:
    value = props.get(key)
    if value in (None, ""):
        return None
    if str(value).lower() not in ("true", "false"):
        raise InvalidRecord(f"{key!r} is not 'true' or 'false': {value!r}")
    return str(value).lower() == "true"


def contact_row(
    raw: Any, portal: str, brand_id: str, fetched_at: datetime, hasher: Hasher, web: Hasher
) -> dict[str, Any]:
    """A ``contacts`` row: people hashed, original source and UTMs as HubSpot holds them."""
    props = _props(raw)
    stage = opt_str(props, "lifecyclestage")
    if stage is not None and stage not in STAGES and not stage.isdigit():  # custom stage: id
        raise InvalidRecord(f"unknown 'lifecyclestage' {stage!r}")
    row = {
        "portal_id": portal,
        "contact_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "created_at": _ts(props, "createdate", required=True),
        "updated_at": _ts(props, "lastmodifieddate", required=True),
        **{f"{k}_hash": hasher(opt_str(props, k)) for k in s.PERSONAL},
        "lifecycle_stage": stage,
        "analytics_source": opt_str(props, "hs_analytics_source"),
        "analytics_source_data_1": opt_str(props, "hs_analytics_source_data_1"),
        "analytics_source_data_2": opt_str(props, "hs_analytics_source_data_2"),
        "first_url": opt_str(props, "hs_analytics_first_url"),
        **{k: opt_str(props, k) for k in ("utm_source", "utm_medium", "utm_campaign")},
        **{k: opt_str(props, k) for k in ("utm_content", "utm_term")},
        "web_user_key": web(opt_str(props, "web_user_id")),
        "fetched_at": fetched_at,
    }
    return row


def deal_row(raw: Any, portal: str, brand_id: str, fetched_at: datetime) -> dict[str, Any]:
    """A ``deals`` row: amount in the deal's currency, stage, close date, closed-won flag."""
    props = _props(raw)
    return {
        "portal_id": portal,
        "deal_id": req_id(raw, "id"),
        "brand_id": brand_id,
        "created_at": _ts(props, "createdate", required=True),
        "updated_at": _ts(props, "hs_lastmodifieddate", required=True),
        "amount": _amount(props),
        "currency": opt_str(props, "deal_currency_code"),
        "pipeline": opt_str(props, "pipeline"),
        "deal_stage": opt_str(props, "dealstage"),
        "close_date": _ts(props, "closedate"),
        "is_closed_won": _flag(props, "hs_is_closed_won"),
        "fetched_at": fetched_at,
    }


def association_rows(raw: Any, portal: str, fetched_at: datetime) -> list[dict[str, Any]]:
    """``deal_contacts`` rows of one v4 batch result ``{from: {id}, to: [...]}``."""
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"association result is a {type(raw).__name__}, not an object")
    deal_id = req_id(nested_obj(raw.get("from"), "from"), "id")
    targets = raw.get("to")
    if not isinstance(targets, list):
        raise InvalidRecord("association result without a 'to' list")
    rows = []
    for target in targets:
        contact = _object_id(target)
        kinds = target.get("associationTypes") if isinstance(target, Mapping) else None
        type_ids = [k.get("typeId") for k in kinds or [] if isinstance(k, Mapping)]
        rows.append(
            {
                "portal_id": portal,
                "deal_id": deal_id,
                "contact_id": contact,
                "association_type_id": next((t for t in type_ids if isinstance(t, int)), None),
                "fetched_at": fetched_at,
            }
        )
    return rows


def _object_id(target: Any) -> str:
    """``toObjectId``: a number in the v4 API (ids stay below 2**53), kept as text."""
    value = target.get("toObjectId") if isinstance(target, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise InvalidRecord(f"association target without a usable 'toObjectId': {value!r}")
    return str(value)


def redact(raw: Any, hasher: Hasher, web: Hasher) -> Any:
    """A result safe for the quarantine table: personal properties and the web key hashed."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("properties"), Mapping):
        return raw
    props = dict(raw["properties"])
    for key in s.PERSONAL:
        if key in props:
            props[key] = hasher(props[key])
    if "web_user_id" in props:
        props["web_user_id"] = web(props["web_user_id"])
    return {**raw, "properties": props}


def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table with the raw table's typed columns (+ extra fields as text)."""
    return arrow_table_with_extras(s.COLUMNS[table], rows)
