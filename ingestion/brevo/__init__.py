"""dlt source for Brevo e-mail campaigns: campaigns, their links' UTMs, and their statistics
(sends, opens, clicks, unsubscriptions) snapshotted once a day per campaign.

Brevo gives each campaign's statistics as running totals, not per day
(https://developers.brevo.com/reference/get-email-campaigns); the source stores one snapshot
per campaign and day (``campaign_stats``, ``link_stats``) for the campaigns sent in the last
``lookback_days``, and staging turns consecutive snapshots into per-day figures. The first run
reads every campaign (the first snapshot then holds everything before it).

One Brevo account per brand: ``api_keys`` maps brand ids to the accounts' API keys (secret
``sources.brevo.api_keys``). No recipient is read: no person reaches the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.http import ApiClient, RetryPolicy, SourceAuthError
from ingestion.quarantine import Bad, InvalidRecord, Quarantine, parse_int
from ingestion.tables import SCHEMA_CONTRACT, arrow_schema, merge_hints
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

HINTS = {
    table: dlt.mark.make_hints(**merge_hints(s.PRIMARY_KEYS[table], s.COLUMNS[table], table))
    for table in (s.LINKS_TABLE, s.STATS_TABLE)
}


@dataclass
class BrevoRun:
    """The resolved options of one ``brevo_source()`` and one client per account."""

    api_keys: dict[str, str]
    base_url: str
    policy: RetryPolicy
    lookback_days: int
    page_size: int
    _clients: dict[str, ApiClient] = field(default_factory=dict)

    def client(self, brand: str) -> ApiClient:
        if brand not in self._clients:
            key = self.api_keys.get(brand)
            if not key:
                raise SourceAuthError(
                    s.SOURCE_NAME, brand, "no API key: set sources.brevo.api_keys "
                    f'(SOURCES__BREVO__API_KEYS, e.g. {{"{brand}": "xkeysib-..."}}) '
                    "in .dlt/secrets.toml",
                )  # fmt: skip
            self._clients[brand] = h.make_client(key, self.base_url, self.policy)
        return self._clients[brand]

    def params(self, brand: str, statistics: str) -> dict[str, Any]:
        """The list's filters: sent campaigns, sent since the lookback (none on a first run)."""
        state = dlt.current.resource_state().setdefault("last_run_date", {})
        params = {"type": "classic", "status": "sent", "statistics": statistics}
        if brand in state:
            last = date.fromisoformat(state[brand]) - timedelta(days=self.lookback_days)
            first = datetime.combine(last, time(0), UTC)
            params["startDate"] = h.brevo_time(first)
            params["endDate"] = h.brevo_time(first + timedelta(days=s.FUTURE_DAYS))
        return params


def _listed(run: BrevoRun, brand: str, statistics: str) -> Iterator[tuple[Any, Any]]:
    """(answer, campaign) of every listed campaign; a campaign sent before the list's 6 months
    of events is read again alone (Get Campaign Report), whose statistics are complete."""
    client = run.client(brand)
    params = run.params(brand, statistics)
    last_day = None
    for answer, campaigns in h.campaign_pages(client, brand, params, run.page_size):
        last_day = answer.fetched_at.date()
        for raw in campaigns:
            yield answer, _complete(client, brand, raw, answer.fetched_at, statistics)
    if last_day is not None:
        dlt.current.resource_state().setdefault("last_run_date", {})[brand] = last_day.isoformat()


def _complete(client: ApiClient, brand: str, raw: Any, now: datetime, statistics: str) -> Any:
    try:
        sent = h.parse_time(raw.get("sentDate"), "sentDate") if isinstance(raw, dict) else None
    except InvalidRecord:
        return raw  # quarantined by the caller
    if sent is None or now - sent < timedelta(days=s.LIST_STATS_DAYS):
        return raw
    one = client.request(
        "GET", f"emailCampaigns/{raw.get('id')}", account=brand, params={"statistics": statistics}
    )
    return one.json()


def campaigns(run: BrevoRun, brand: str, _account: str) -> Iterator[Any]:
    """Campaign rows, their links (with UTMs) and today's snapshot of their statistics."""
    for answer, raw in _listed(run, brand, "globalStats"):
        at = answer.fetched_at
        try:
            cid = h.campaign_id(raw)
            stats = h.stats_row(raw)
            row = {
                "brand_id": brand, "campaign_id": cid, "name": raw.get("name"),
                "subject": raw.get("subject"), "tag": raw.get("tag"), "status": raw.get("status"),
                "created_at": h.parse_time(raw.get("createdAt"), "createdAt"),
                "sent_at": h.parse_time(raw.get("sentDate"), "sentDate"), "fetched_at": at,
            }  # fmt: skip
        except InvalidRecord as exc:
            yield Bad(raw, exc, at, record_id=f"{brand}/{_id(raw)}")
            continue
        links = [{"url": url, **h.utm_of(url)} for url in h.links_of(raw)]
        tagged = [link["utm_campaign"] for link in links if link["utm_campaign"]]
        row["utm_campaign"] = max(set(tagged), key=tagged.count) if tagged else None
        yield row
        for link in links:
            link.update(brand_id=brand, campaign_id=cid, fetched_at=at)
            yield dlt.mark.with_hints(link, HINTS[s.LINKS_TABLE], create_table_variant=True)
        snapshot = {"brand_id": brand, "campaign_id": cid, "snapshot_date": at.date(), **stats}
        snapshot["fetched_at"] = at
        yield dlt.mark.with_hints(snapshot, HINTS[s.STATS_TABLE], create_table_variant=True)


def link_stats(run: BrevoRun, brand: str, _account: str) -> Iterator[Any]:
    """Today's snapshot of each link's clicks (links never clicked are absent: Brevo lists
    only clicked links in linksStats)."""
    for answer, raw in _listed(run, brand, "linksStats"):
        at = answer.fetched_at
        try:
            cid = h.campaign_id(raw)
            clicked = (raw.get("statistics") or {}).get("linksStats")
            if not isinstance(clicked, dict):
                raise InvalidRecord("statistics.linksStats is not an object")
            rows = [
                {"brand_id": brand, "campaign_id": cid, "url": url, "snapshot_date": at.date(),
                 "clicks": parse_int(n, "linksStats"), "fetched_at": at}
                for url, n in clicked.items()
            ]  # fmt: skip
        except InvalidRecord as exc:
            yield Bad(raw, exc, at, record_id=f"{brand}/{_id(raw)}")
            continue
        yield from rows


def _id(raw: Any) -> str:
    return str(raw.get("id")) if isinstance(raw, dict) else "?"


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def brevo_source(
    api_keys: dict[str, str] | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    lookback_days: int = s.LOOKBACK_DAYS,
    registry_path: str | None = None,
    _http: s.BrevoHttp | None = None,
) -> Sequence[DltResource]:
    """E-mail campaigns of each brand's Brevo account.

    Args:
        api_keys: brand id -> the Brevo account's API key (``api-key`` header); checked when
            data is extracted, so the source builds without secrets.
        base_url: API host; ``http://127.0.0.1:PORT/brevo`` for the sandbox.
        lookback_days: campaigns sent this many days before the previous run are snapshotted
            again (Brevo's counts grow for about two weeks after a send).
        registry_path: brand registry file; without ``api_keys`` every brand with a site is
            an account, and each fails naming the missing key.
        _http: retry policy and ``page_size`` (the list's ``limit``, at most 100).
    """
    http = _http or s.BrevoHttp()
    keys = dict(api_keys or {})
    run = BrevoRun(keys, base_url, http.policy(), lookback_days, http.page_size_within(100))
    tables = declared(s.PRIMARY_KEYS, s.COLUMNS)
    schemas = {name: arrow_schema(cols) for name, (_pk, cols) in tables.items()}

    def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=schemas[table])

    brands = sorted(keys) or [b.brand_id for b in load_registry(registry_path).brands if b.site]
    accounts = [(brand, brand) for brand in brands]
    loop = AccountLoop(accounts, Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), arrow, tables)
    variants = {s.CAMPAIGNS_TABLE: (s.LINKS_TABLE, s.STATS_TABLE)}
    return loop.resources(run, (campaigns, link_stats), variants)
