"""Matomo Reporting API over the shared client: error classification, day paging, visit rows.

Matomo reports most errors as HTTP 200 ``{"result": "error", "message": ...}``: a database
hiccup ("Deadlock", "server has gone away") is retried, a missing 'view' access or a bad
token fails the source at once. The rate limiter in front of an instance answers 429 / 503
with ``Retry-After``, which the client honours.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from ingestion.http import (
    Answer,
    ApiClient,
    SourceAuthError,
    SourceError,
    Verdict,
    json_body,
    retry_after_s,
)
from ingestion.incremental import CursorTrail
from ingestion.quarantine import InvalidRecord, describe, opt_str, parse_int
from ingestion.tables import add_unknown_fields
from pulse_config.registry import MatomoSite

from . import settings as s

TRANSIENT = re.compile("|".join(s.TRANSIENT_PATTERNS), re.IGNORECASE)
AUTH = re.compile("|".join(s.AUTH_PATTERNS), re.IGNORECASE)


def classify(resp: requests.Response, account: str) -> Verdict:
    """Turn one Matomo answer into ok / retry / fail (``account`` is the site id)."""
    body = json_body(resp)
    err = body.get("message") if isinstance(body, dict) and body.get("result") == "error" else None
    why = f"HTTP {resp.status_code}: {err or resp.text[:200]!r}"
    who = f"site {account}"
    if resp.status_code in (429, 502, 503, 504) or resp.status_code >= 500:
        return Verdict.retry(why, retry_after_s(resp.headers))
    if err is not None:
        if TRANSIENT.search(err):
            return Verdict.retry(why, retry_after_s(resp.headers))
        if resp.status_code in (401, 403) or AUTH.search(err):
            return Verdict.fail(
                SourceAuthError(
                    s.SOURCE_NAME,
                    who,
                    f"Matomo error {err!r} (HTTP {resp.status_code}); the token_auth was "
                    "refused: it does not expire unless created with an expiry date, deleted, "
                    "or its user removed, and its user needs 'view' access to the site; create "
                    "one (Administration > Personal > Security > Create new token, "
                    "matomo.org/faq/general/faq_114) and store it in sources.matomo.token_auth "
                    "(SOURCES__MATOMO__TOKEN_AUTH)",
                )
            )
        return Verdict.fail(SourceError(s.SOURCE_NAME, who, f"Matomo error {err!r}"))
    if resp.status_code >= 400:
        return Verdict.fail(SourceError(s.SOURCE_NAME, who, why))
    if body is None:
        return Verdict.retry(f"HTTP {resp.status_code} with an unreadable JSON body")
    return Verdict.ok()


def make_client(base_url: str, policy: Any) -> ApiClient:
    return ApiClient(source=s.SOURCE_NAME, base_url=base_url, classify=classify, policy=policy)


def call(client: ApiClient, token: str, site: str, params: dict[str, Any]) -> Answer:
    """POST /index.php with ``token_auth`` in the body (keeps the token out of URLs and logs)."""
    query = {"module": "API", "format": "JSON", **params}
    return client.request(
        "POST", "index.php", account=site, params=query, data={"token_auth": token}
    )


def visits_of_day(
    client: ApiClient, token: str, site: str, day: date, page_size: int
) -> Iterator[tuple[Answer, list[Any]]]:
    """Every page of ``Live.getLastVisitsDetails`` for one day (``filter_offset`` paging)."""
    offset = 0
    trail = CursorTrail(s.SOURCE_NAME, f"site {site}", f"visits of {day}")
    while True:
        answer = call(
            client,
            token,
            site,
            {
                "method": s.METHOD,
                "idSite": site,
                "period": "day",
                "date": day.isoformat(),
                "filter_limit": page_size,
                "filter_offset": offset,
            },
        )
        page = answer.json()
        if not isinstance(page, list):
            raise SourceError(s.SOURCE_NAME, f"site {site}", f"expected a list, got {page!r:.200}")
        trail.read(page, f"filter_offset {offset}")
        yield answer, page
        if len(page) < page_size:
            return
        offset += len(page)


def _epoch(record: dict[str, Any], key: str, required: bool = True) -> datetime | None:
    value = record.get(key)
    if value is None:
        if required:
            raise InvalidRecord(f"missing required {key!r}")
        return None
    return datetime.fromtimestamp(parse_int(value, key), UTC)


def _money(value: Any, key: str) -> float:
    if value in (None, ""):
        return 0.0
    if isinstance(value, bool):
        raise InvalidRecord(f"{key!r} is not an amount: {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidRecord(f"{key!r} is not an amount: {value!r}") from None


INT_FIELDS = ("visitDuration", "actions", "visitCount", "goalConversions")
INT_FIELDS += ("daysSinceFirstVisit", "daysSinceLastVisit", "searches", "events")


def _opt_int(raw: dict[str, Any], key: str) -> int | None:
    """An optional count (Matomo may send numbers as strings); InvalidRecord if not one."""
    value = raw.get(key)
    return None if value in (None, "") else parse_int(value, key)


def local_day(at: datetime, timezone: str) -> date:
    """The site-local day of an instant: the day Matomo serves a visit under.

    Live's ``period=day`` filter is the site's local day on the visit's *last action* time
    (``plugins/Live/Model.php``), and Matomo starts a new visit at local midnight, so a visit
    belongs to the local day of its last action, whatever the UTC dates of its actions.
    """
    return at.astimezone(ZoneInfo(timezone)).date()


@functools.cache
def known_fields(consent_dimension: str | None) -> frozenset[str]:
    """The visit fields read (or deliberately left out); others are hashed, as new fields."""
    return s.KNOWN_VISIT_FIELDS | {consent_dimension or ""}


def visit_rows(
    raw: Any,
    cfg: MatomoSite,
    brand_id: str,
    fetched_at: datetime,
    hasher: Callable[[Any], Any],
    web: Callable[[Any], Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One visit and its goal / order child rows; InvalidRecord names what is wrong.

    ``cfg`` (the site's registry entry) gives the time zone of ``visit_date`` and the custom
    dimension holding consent; a visit without a usable consent value is ``unknown``. ``web``
    hashes userId (the shared web identity purpose), ``hasher`` the other ids.
    """
    site = cfg.site_id
    if not isinstance(raw, dict):
        raise InvalidRecord(f"visit is a {type(raw).__name__}, not an object")
    if raw.get("idVisit") is None:
        raise InvalidRecord("missing required 'idVisit'")
    visit_id = parse_int(raw["idVisit"], "idVisit")
    first = _epoch(raw, "firstActionTimestamp")
    last = _epoch(raw, "lastActionTimestamp", required=False) or first
    details = raw.get("actionDetails") or []
    if not isinstance(details, list):
        raise InvalidRecord(f"'actionDetails' is not a list (got {describe(details)})")
    visitor_hash = hasher(opt_str(raw, "visitorId"))
    children, entry_url = _conversions(details, site, visit_id, visitor_hash, fetched_at)
    ints = {k: _opt_int(raw, k) for k in INT_FIELDS}
    visit = {
        "site_id": site,
        "visit_id": visit_id,
        "brand_id": brand_id,
        "visit_date": local_day(last, cfg.timezone),
        "first_action_at": first,
        "last_action_at": last,
        "visit_duration_s": ints["visitDuration"],
        "actions": ints["actions"],
        "visit_count": ints["visitCount"],
        "visitor_type": opt_str(raw, "visitorType"),
        "visitor_id_hash": visitor_hash,
        "user_id_hash": web(raw.get("userId")),
        "consent": cfg.consent(raw.get(cfg.consent_dimension or "")),
        "consent_dimension": cfg.consent_dimension,
        **_acquisition(raw),
        "entry_url": entry_url,
        **_client(raw),
        "visit_ecommerce_status": opt_str(raw, "visitEcommerceStatus"),
        "days_since_first_visit": ints["daysSinceFirstVisit"],
        "days_since_last_visit": ints["daysSinceLastVisit"],
        "searches": ints["searches"],
        "events": ints["events"],
        "goal_conversions": ints["goalConversions"],
        "visit_converted": bool(parse_int(raw.get("visitConverted") or 0, "visitConverted")),
        "revenue": round(sum(c["revenue"] for c in children), 2),
        "currency": opt_str(raw, "siteCurrency"),
        "fetched_at": fetched_at,
    }
    add_unknown_fields(visit, raw, known_fields(cfg.consent_dimension), protect=hasher)
    return visit, children


def _conversions(
    details: list[Any], site: int, visit_id: int, visitor_hash: Any, fetched_at: datetime
) -> tuple[list[dict[str, Any]], str | None]:
    """A visit's goal and ecommerce-order rows, and the URL of its first page action."""
    children: list[dict[str, Any]] = []
    entry_url = None
    for action in details:
        if not isinstance(action, dict):
            raise InvalidRecord(f"action is not an object (got {describe(action)})")
        kind = action.get("type")
        if kind == "action" and entry_url is None:
            entry_url = opt_str(action, "url")
        if kind not in ("goal", "ecommerceOrder"):
            continue
        at = _epoch(action, "timestamp")
        goal_id = 0 if kind == "ecommerceOrder" else parse_int(action.get("goalId"), "goalId")
        children.append(
            {
                "site_id": site,
                "conversion_id": f"{visit_id}-{goal_id}-{int(at.timestamp())}",
                "visit_id": visit_id,
                "conversion_type": kind,
                "goal_id": goal_id,
                "goal_name": opt_str(action, "goalName"),
                "order_id": None if action.get("orderId") is None else str(action["orderId"]),
                "revenue": _money(action.get("revenue"), "revenue"),
                "items": parse_int(action.get("items") or 0, "items"),
                "converted_at": at,
                "visitor_id_hash": visitor_hash,
                "fetched_at": fetched_at,
            }
        )
    return children, entry_url


def _acquisition(raw: dict[str, Any]) -> dict[str, Any]:
    """Where the visit came from: its referrer and campaign fields."""
    return {
        "referrer_type": opt_str(raw, "referrerType"),
        "referrer_name": opt_str(raw, "referrerName") or None,
        "referrer_keyword": opt_str(raw, "referrerKeyword") or None,
        "referrer_url": opt_str(raw, "referrerUrl") or None,
        "campaign_name": opt_str(raw, "campaignName") or None,
        "campaign_source": opt_str(raw, "campaignSource") or None,
        "campaign_medium": opt_str(raw, "campaignMedium") or None,
        "campaign_content": opt_str(raw, "campaignContent") or None,
        "campaign_keyword": opt_str(raw, "campaignKeyword") or None,
    }


def _client(raw: dict[str, Any]) -> dict[str, Any]:
    """The visitor's device, browser, system, country and language."""
    return {
        "device_type": opt_str(raw, "deviceType"),
        "browser": opt_str(raw, "browserName"),
        "os": opt_str(raw, "operatingSystemName"),
        "country_code": opt_str(raw, "countryCode"),
        "language_code": opt_str(raw, "languageCode") or None,
    }


def redact(raw: Any, hasher: Callable[[Any], Any], web: Callable[[Any], Any]) -> Any:
    """A quarantined visit without personal data: ids hashed (userId under the web identity
    purpose, as in the visit row); IP, fingerprint, location and the other personal fields
    dropped (``settings.PERSONAL_VISIT_FIELDS``)."""
    if not isinstance(raw, dict):
        return raw
    out = {k: v for k, v in raw.items() if k not in s.PERSONAL_VISIT_FIELDS}
    for key in s.PSEUDONYMISED_VISIT_FIELDS:
        if out.get(key) is not None:
            out[key] = web(out[key]) if key == "userId" else hasher(out[key])
    return out
