"""dlt source for Matomo's Live API: visit-level rows with UTMs, consent and conversions.

Loads ``raw_matomo`` for every ``matomo`` site of the brand registry from a Matomo instance
(``sources.matomo.base_url``: Matomo is self-hosted or on ``https://<name>.matomo.cloud``;
the sandbox is ``http://127.0.0.1:PORT/matomo``). ``token_auth`` and the pseudonymisation key
are only needed when data is extracted, so the source can be built without secrets.

Visits are pulled per day (state: the last day loaded per site); the last day loaded is
read again on the next run (it was incomplete), and rows merge on (site_id, visit_id).
Visitor and user ids are pseudonymised before load; goals and ecommerce orders of a visit's
``actionDetails`` become rows of ``conversions``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.http import SourceError, retry_policy
from ingestion.privacy import Pseudonymiser, resolve_key
from ingestion.quarantine import InvalidRecord, Quarantine
from ingestion.tables import (
    SCHEMA_CONTRACT,
    arrow_table_with_extras,
    merge_hints,
    merge_resource,
)
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)


def _hints(table: str) -> dict[str, Any]:
    return merge_hints(s.PRIMARY_KEYS[table], s.COLUMNS[table], table)


def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by settings.COLUMNS (dlt loads Arrow much faster than dicts)."""
    return arrow_table_with_extras(s.COLUMNS[table], rows)


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def matomo_source(
    token_auth: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str | None = dlt.config.value,
    site_ids: list[str] | None = None,
    start_date: str | None = None,
    backfill_days: int = s.BACKFILL_DAYS,
    repull_days: int = s.REPULL_DAYS,
    page_size: int = s.PAGE_SIZE,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """Matomo sites of the brand registry (or ``site_ids``), day by day.

    Args:
        token_auth: Matomo token with 'view' access (secret ``sources.matomo.token_auth``).
        pseudonymisation_key: HMAC key for visitor/user ids (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``).
        base_url: the Matomo instance (``sources.matomo.base_url``), required when extracting.
        site_ids: override the registry's ``matomo`` entries.
        start_date: first run only, ``YYYY-MM-DD`` (else ``backfill_days`` before today).
        repull_days: days before (and including) the last day loaded that are read again.
        page_size: ``filter_limit`` per request.
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy (429/503 + Retry-After, 5xx, transient 200 errors, timeouts).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    registry = load_registry(registry_path)
    accounts = registry.accounts(s.REGISTRY_KEY)
    if site_ids is not None:
        accounts = [(registry.brand_of(s.REGISTRY_KEY, x), x) for x in site_ids]
    configs = {site: registry.matomo_site(site) for _b, site in accounts}
    policy = retry_policy(
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
    )
    conv_hints = dlt.mark.make_hints(**_hints(s.CONVERSIONS_TABLE))
    quarantine = Quarantine(s.SOURCE_NAME)

    def visits() -> Iterator[Any]:
        """Visits per site and day since the last day loaded; conversions as child rows."""
        missing = [n for n, v in (("base_url", base_url), ("token_auth", token_auth)) if not v]
        if missing:
            raise SourceError(
                s.SOURCE_NAME,
                "-",
                f"missing {', '.join(missing)}: set sources.matomo.<name> in .dlt/ "
                "(env SOURCES__MATOMO__BASE_URL, SOURCES__MATOMO__TOKEN_AUTH)",
            )
        hasher = Pseudonymiser(resolve_key(pseudonymisation_key, source=s.SOURCE_NAME))
        client = h.make_client(str(base_url), policy)
        state = dlt.current.resource_state().setdefault("last_day", {})
        now = None
        for brand_id, site in accounts:
            if now is None:  # the server's time, from the Date header of a one-visit call
                ping = h.call(
                    client,
                    str(token_auth),
                    site,
                    {"method": s.METHOD, "idSite": site, "period": "day", "date": "today"}
                    | {"filter_limit": 1},
                )
                now = ping.fetched_at
            # Days are the site's local days (Matomo cuts them in the site's time zone): west
            # of UTC, the UTC date would skip the end of the local day.
            today = h.local_day(now, configs[site].timezone)
            if site in state:
                first = date.fromisoformat(state[site]) - timedelta(days=max(1, repull_days) - 1)
            elif start_date:
                first = date.fromisoformat(start_date)
            else:
                first = today - timedelta(days=max(1, backfill_days) - 1)
            rows: list[dict[str, Any]] = []
            children: list[dict[str, Any]] = []
            day = first
            while day <= today:
                yield from _day(client, hasher, configs[site], brand_id, day, rows, children)
                if len(rows) >= s.ARROW_FLUSH_ROWS:
                    yield arrow(s.VISITS_TABLE, rows)
                    rows.clear()
                day += timedelta(days=1)
            if rows:
                yield arrow(s.VISITS_TABLE, rows)
            if children:  # one hinted item per site: dlt validates hints on every marked item
                yield dlt.mark.with_hints(
                    arrow(s.CONVERSIONS_TABLE, children), conv_hints, create_table_variant=True
                )
            state[site] = today.isoformat()
        quarantine.summary(s.VISITS_TABLE)

    def _day(
        client: Any,
        hasher: Any,
        cfg: Any,
        brand_id: str,
        day: date,
        rows: list[dict[str, Any]],
        children: list[dict[str, Any]],
    ) -> Iterator[Any]:
        """Pages of one day into ``rows`` / ``children``; yields quarantine items."""
        site = cfg.site_id
        for answer, page in h.visits_of_day(client, str(token_auth), site, day, page_size):
            for raw in page:
                try:
                    visit, convs = h.visit_rows(raw, cfg, brand_id, answer.fetched_at, hasher)
                except InvalidRecord as exc:
                    rid = raw.get("idVisit") if isinstance(raw, dict) else None
                    yield quarantine.row(
                        s.VISITS_TABLE,
                        h.redact(raw, hasher),
                        f"site {site} day {day}: {exc}",
                        answer.fetched_at,
                        record_id=f"{site}/{rid}" if rid is not None else None,
                    )
                    continue
                rows.append(visit)
                children.extend(convs)

    conversions = {
        s.CONVERSIONS_TABLE: (s.PRIMARY_KEYS[s.CONVERSIONS_TABLE], s.COLUMNS[s.CONVERSIONS_TABLE])
    }
    return [
        merge_resource(
            visits,
            s.VISITS_TABLE,
            s.PRIMARY_KEYS[s.VISITS_TABLE],
            s.COLUMNS[s.VISITS_TABLE],
            conversions,
        )
    ]
