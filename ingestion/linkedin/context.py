"""Per-run state shared by the resources of one ``linkedin_source()`` instance.

Each organization is snapshotted once per run (its ``Date`` header is the run's clock) and its
posts listed once, then reused by the posts, statistics and comments resources. The listing owns
the incremental cursor (dlt source state), which therefore advances only if the load succeeds.
Build a fresh source per run (Dagster does, in the asset body): the caches live with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from ingestion.http import RetryPolicy
from ingestion.incremental import Listing, relist, source_state
from ingestion.privacy import lazy_pseudonymiser
from ingestion.snapshot_ages import due, schedule_of
from pulse_config.registry import Registry

from . import rows
from . import settings as s
from .auth import linkedin_token
from .helpers import LinkedInClient, elements_of, urn_param

logger = logging.getLogger(__name__)


@dataclass
class LinkedInOptions:
    """Resolved source arguments the resources need."""

    access_token: str | None
    pseudonymisation_key: str | None
    refresh_token: str | None
    client: tuple[str | None, str | None]  # client_id, client_secret: the refresh grant's
    token_url: str
    base_url: str
    api_version: str
    insights_window_days: int
    daily_backfill_days: int
    page_size: int
    policy: RetryPolicy


@dataclass
class Snapshot:
    """An organization as seen this run: lookup, network size, and the server's clock."""

    organization: Any
    network_size: Any
    fetched_at: datetime


class LinkedInRun:
    """Lazily built client and hasher, cached organization snapshots and post listings."""

    def __init__(self, options: LinkedInOptions, registry: Registry) -> None:
        self.options = options
        self.registry = registry
        self.hasher = lazy_pseudonymiser(options.pseudonymisation_key, source=s.SOURCE_NAME)
        self._snapshots: dict[str, Snapshot] = {}
        self._listings: dict[str, Listing[rows.PostRef]] = {}
        self._due: dict[str, list[rows.PostRef]] = {}
        self.comment_counts: dict[str, dict[str, int | None]] = {}
        """Per organization: each post's ``commentCount`` read by the statistics this run."""

    @cached_property
    def client(self) -> LinkedInClient:
        """The HTTP client; built on first use so that building the source needs no secret."""
        o = self.options
        orgs = [org for _brand, org in self.organizations()]
        token = linkedin_token(o.access_token, o.refresh_token, o.client, o.token_url, orgs)
        return LinkedInClient(
            token, base_url=o.base_url, api_version=o.api_version, policy=o.policy
        )

    def organizations(self) -> list[tuple[str, str]]:
        """(brand_id, organization_id) from the brand registry."""
        return self.registry.accounts(s.SOURCE_NAME)

    state = staticmethod(source_state)

    def snapshot(self, organization_id: str) -> Snapshot:
        """The organization lookup and its follower count (firstDegreeSize), once per run."""
        if organization_id not in self._snapshots:
            urn = f"urn:li:organization:{organization_id}"
            org = self.client.get(f"/rest/organizations/{organization_id}", account=organization_id)
            size = self.client.get(
                f"/rest/networkSizes/{urn_param(urn)}",
                [("edgeType", s.NETWORK_EDGE_TYPE)],
                account=organization_id,
            )
            self._snapshots[organization_id] = Snapshot(org.json(), size.json(), size.fetched_at)
        return self._snapshots[organization_id]

    def now(self, organization_id: str) -> datetime:
        return self.snapshot(organization_id).fetched_at

    def posts(self, organization_id: str) -> Listing[rows.PostRef]:
        """Posts modified since min(cursor, now - window); all of them on the first run.

        ``sortBy=LAST_MODIFIED`` lists the most recently modified first, so paging stops at the
        first page reaching past ``since``; an edited old post comes back and is merged again.
        """
        if organization_id in self._listings:
            return self._listings[organization_id]
        params = [
            ("q", "author"),
            ("author", urn_param(f"urn:li:organization:{organization_id}")),
            ("sortBy", "LAST_MODIFIED"),
            ("count", str(self.options.page_size)),
            ("start", "0"),
        ]
        pages = (
            (elements_of(answer.json(), organization_id), answer.fetched_at)
            for answer in self.client.paginate("/rest/posts", params, account=organization_id)
        )
        listing = relist(
            organization_id,
            self.now(organization_id),
            timedelta(days=self.options.insights_window_days),
            pages,
            lambda raw, fetched_at: rows.post(
                raw, organization_id, fetched_at, lambda value: self.hasher()(value)
            ),
            lambda ref: ref.last_modified_at,
            what=(f"linkedin: organization {organization_id}", "posts"),
            key=lambda ref: ref.post_urn,
            salvage=rows.post_urn_of,
        )
        self._listings[organization_id] = listing
        return listing

    def due_posts(self, organization_id: str, note: bool = True) -> list[rows.PostRef]:
        """The listed posts whose lifetime statistics are read today (``ingestion.snapshot_ages``,
        ``sources.linkedin.snapshot_ages``), once per run: statistics and comments share it;
        ``note=False`` (the comments) asks without noting the run in source state when the
        statistics were not read."""
        if organization_id in self._due:
            return self._due[organization_id]
        listing = self.posts(organization_id)
        found = due(
            schedule_of(s.SOURCE_NAME),
            organization_id,
            listing.refs,
            lambda ref: ref.published_at.date(),
            self.now(organization_id).date(),
            listed_all=listing.since is None,
            note=note,
        )
        if note:
            self._due[organization_id] = found
        return found
