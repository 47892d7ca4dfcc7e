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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.accounts import AccountLoop, declared
from ingestion.http import ApiClient, RetryPolicy, SourceError
from ingestion.privacy import WEB_IDENTITY_PURPOSE, Pseudonymiser, lazy_pseudonymiser
from ingestion.quarantine import Bad, InvalidRecord, Quarantine
from ingestion.tables import SCHEMA_CONTRACT, arrow_table_with_extras, merge_hints
from ingestion.windows import window_end
from pulse_config.registry import load_registry

from . import helpers as h
from . import settings as s

logger = logging.getLogger(__name__)

CONVERSION_HINTS = dlt.mark.make_hints(
    **merge_hints(
        s.PRIMARY_KEYS[s.CONVERSIONS_TABLE], s.COLUMNS[s.CONVERSIONS_TABLE], s.CONVERSIONS_TABLE
    )
)


def arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by settings.COLUMNS (dlt loads Arrow much faster than dicts)."""
    return arrow_table_with_extras(s.COLUMNS[table], rows)


@dataclass
class MatomoRun:
    """Resolved source arguments, the sites' settings, and the client and server clock of
    the run (both built on first use: building the source needs no secret)."""

    token_auth: str | None
    pseudonymisation_key: str | None
    base_url: str | None
    policy: RetryPolicy
    sites: dict[str, Any]
    start_date: str | None
    backfill_days: int
    repull_days: int
    page_size: int
    hasher: Callable[[], Pseudonymiser] = field(init=False)
    web: Callable[[], Pseudonymiser] = field(init=False)  # the site's user id (userId)
    _client: ApiClient | None = None
    _now: datetime | None = None

    def __post_init__(self) -> None:
        self.hasher = lazy_pseudonymiser(self.pseudonymisation_key, source=s.SOURCE_NAME)
        # userId is the site's login id, which HubSpot contacts carry too: hashed under the
        # shared web identity purpose so deals join visits (docs/privacy.md, docs/identity.md).
        self.web = lazy_pseudonymiser(self.pseudonymisation_key, source=WEB_IDENTITY_PURPOSE)

    def client(self) -> ApiClient:
        if self._client is None:
            given = {"base_url": self.base_url, "token_auth": self.token_auth}
            missing = [name for name, value in given.items() if not value]
            if missing:
                raise SourceError(
                    s.SOURCE_NAME,
                    "-",
                    f"missing {', '.join(missing)}: set "
                    + " and ".join(
                        f"SOURCES__MATOMO__{n.upper()} or sources.matomo.{n}" for n in missing
                    )
                    + " (the token in .dlt/secrets.toml, the URL in .dlt/config.toml)",
                )
            self._client = h.make_client(str(self.base_url), self.policy)
        return self._client

    def now(self, site: str) -> datetime:
        """The server's time, from the Date header of a one-visit call (once per run)."""
        if self._now is None:
            params = {"method": s.METHOD, "idSite": site, "period": "day", "date": "today"}
            ping = h.call(self.client(), str(self.token_auth), site, params | {"filter_limit": 1})
            self._now = ping.fetched_at
        return self._now

    def first_day(self, site: str, last_day: str | None, today: date) -> date:
        """The last day loaded minus the re-pull, else ``start_date``, else the backfill."""
        if last_day:
            return date.fromisoformat(last_day) - timedelta(days=max(1, self.repull_days) - 1)
        if self.start_date:
            return date.fromisoformat(self.start_date)
        return today - timedelta(days=max(1, self.backfill_days) - 1)


def visits(run: MatomoRun, brand_id: str, site: str) -> Iterator[Any]:
    """Visits per site and day since the last day loaded; conversions as child rows."""
    client, hasher, web = run.client(), run.hasher(), run.web()
    state = dlt.current.resource_state().setdefault("last_day", {})
    cfg = run.sites[site]
    # Days are the site's local days (Matomo cuts them in the site's time zone): west of UTC,
    # the UTC date would skip the end of the local day.
    today = h.local_day(run.now(site), cfg.timezone)
    children: list[dict[str, Any]] = []
    day = run.first_day(site, state.get(site), today)
    end = window_end("visits", site, day, today)  # a backfill loads in windows
    while day <= end:
        for answer, page in h.visits_of_day(client, str(run.token_auth), site, day, run.page_size):
            for raw in page:
                try:
                    visit, convs = h.visit_rows(raw, cfg, brand_id, answer.fetched_at, hasher, web)
                except InvalidRecord as exc:
                    rid = raw.get("idVisit") if isinstance(raw, dict) else None
                    yield Bad(
                        h.redact(raw, hasher, web),
                        f"site {site} day {day}: {exc}",
                        answer.fetched_at,
                        record_id=f"{site}/{rid}" if rid is not None else None,
                    )
                    continue
                yield visit
                children.extend(convs)
        day += timedelta(days=1)
    if children:  # one hinted item per site: dlt validates hints on every marked item
        conversions = arrow(s.CONVERSIONS_TABLE, children)
        yield dlt.mark.with_hints(conversions, CONVERSION_HINTS, create_table_variant=True)
    state[site] = end.isoformat()


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
    registry_path: str | None = None,
    _http: s.MatomoHttp | None = None,
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
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy (429/503 + Retry-After, 5xx, transient 200 errors, timeouts) and
            ``page_size``, the ``filter_limit`` per request: ``settings.MatomoHttp``, set as
            ``sources.matomo.max_attempts`` etc.
    """
    http = _http or s.MatomoHttp()
    registry = load_registry(registry_path)
    accounts = registry.accounts(s.REGISTRY_KEY)
    if site_ids is not None:
        accounts = [(registry.brand_of(s.REGISTRY_KEY, x), x) for x in site_ids]
    sites = {site: registry.matomo_site(site) for _brand, site in accounts}
    run = MatomoRun(
        token_auth,
        pseudonymisation_key,
        base_url,
        http.policy(),
        sites,
        start_date,
        backfill_days,
        repull_days,
        http.page_size or s.PAGE_SIZE,
    )
    tables = declared(s.PRIMARY_KEYS, s.COLUMNS)
    # A site's consent dimension (e.g. ``dimension3``) is reviewed: the source reads it.
    consent = {cfg.consent_dimension for cfg in sites.values() if cfg.consent_dimension}
    quarantine = Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS | consent)
    loop = AccountLoop(accounts, quarantine, arrow, tables, s.ARROW_FLUSH_ROWS)
    return loop.resources(run, (visits,), {s.VISITS_TABLE: (s.CONVERSIONS_TABLE,)})
