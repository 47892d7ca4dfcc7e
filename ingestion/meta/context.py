"""Per-run state shared by the resources of one ``meta_source()`` instance.

Posts are listed once per account and reused by the posts, insights and comments resources, so
a run costs one listing however many resources are selected. The listing also owns the
incremental cursor (dlt source state), which therefore advances only if the load succeeds.
Build a fresh source per run (Dagster does, in the asset body): the caches live with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from ingestion.http import RetryPolicy
from ingestion.incremental import Listing, chunks, relist, source_state
from ingestion.privacy import lazy_pseudonymiser
from ingestion.snapshot_ages import Schedule, check_window, due
from pulse_config.registry import Registry

from . import rows
from . import settings as s
from .errors import MetaApiError, account_label, refused_for_one_object
from .helpers import GraphClient, GraphResponse

logger = logging.getLogger(__name__)

PLATFORM_LISTING = {
    "facebook": ("published_posts", s.FB_POST_FIELDS, rows.fb_post),
    "instagram": ("media", s.IG_MEDIA_FIELDS, rows.ig_media),
}


@dataclass
class MetaOptions:
    """Resolved source arguments the resources need."""

    access_token: str | None
    pseudonymisation_key: str | None
    base_url: str
    api_version: str
    insights_window_days: int
    followers_backfill_days: int
    page_size: int
    policy: RetryPolicy
    facebook_post_metrics: Sequence[str]
    instagram_media_metrics: Sequence[str]
    instagram_reels_extra_metrics: Sequence[str]
    instagram_feed_extra_metrics: Sequence[str]
    schedule: Schedule = Schedule()
    """Post ages at which insights are read (``ingestion.snapshot_ages``)."""

    def __post_init__(self) -> None:
        check_window(s.SOURCE_NAME, self.schedule, self.insights_window_days)


class MetaRun:
    """Lazily built client and hasher, cached account objects and post listings."""

    def __init__(self, options: MetaOptions, registry: Registry) -> None:
        self.options = options
        self.registry = registry
        self.hasher = lazy_pseudonymiser(options.pseudonymisation_key, source=s.SOURCE_NAME)
        self._accounts: dict[tuple[str, str], GraphResponse] = {}
        self._listings: dict[tuple[str, str], Listing[rows.PostRef]] = {}

    @cached_property
    def client(self) -> GraphClient:
        """The HTTP client; built on first use so that building the source needs no secret."""
        o = self.options
        return GraphClient(
            o.access_token or "", base_url=o.base_url, api_version=o.api_version, policy=o.policy
        )

    def accounts(self, platform: str) -> list[tuple[str, str]]:
        """(brand_id, account_id) from the brand registry."""
        return self.registry.accounts(platform)

    def account(self, platform: str, account_id: str) -> GraphResponse:
        """The account object (fetched once per run); its Date header is the run's clock."""
        key = (platform, account_id)
        if key not in self._accounts:
            fields = s.PAGE_FIELDS if platform == "facebook" else s.IG_ACCOUNT_FIELDS
            self._accounts[key] = self.client.get(
                account_id, {"fields": fields}, platform=platform, account_id=account_id
            )
        return self._accounts[key]

    state = staticmethod(source_state)

    def posts(self, platform: str, account_id: str) -> Listing[rows.PostRef]:
        """Posts/media created since min(cursor, now - window); all of them on the first run.

        Edges list newest first, so paging stops at the first page reaching past ``since``.
        """
        key = (platform, account_id)
        if key in self._listings:
            return self._listings[key]
        edge, fields, build = PLATFORM_LISTING[platform]
        now = self.account(platform, account_id).fetched_at
        label = account_label(platform, account_id)
        params = {"fields": fields, "limit": self.options.page_size}
        pages = (
            (items_of(resp.data, label), resp.fetched_at)
            for resp in self.client.paginate(
                f"{account_id}/{edge}", params, platform=platform, account_id=account_id
            )
        )
        listing = relist(
            f"{platform}:{account_id}",
            now,
            timedelta(days=self.options.insights_window_days),
            pages,
            lambda raw, fetched_at: build(raw, account_id, fetched_at),
            lambda ref: ref.created_time,
            what=(f"meta: {platform} {account_id}", "posts"),
            key=lambda ref: ref.post_id,  # a page window's floor: items of the same second
            salvage=rows.post_id_of,  # a post set aside for one bad field keeps its comments
            below=(  # a later page window resumes at its floor: Graph's time-based paging
                lambda floor, _ids: (
                    (items_of(resp.data, label), resp.fetched_at)
                    for resp in self.client.paginate(
                        f"{account_id}/{edge}",
                        {**params, "until": int(floor.timestamp()) + 1},
                        platform=platform,
                        account_id=account_id,
                    )
                )
            )
            if platform == "facebook"  # IG's /media: `until` not documented, re-walked
            else None,
        )
        self._listings[key] = listing
        return listing

    def snapshot_refs(self, platform: str, account_id: str) -> list[rows.PostRef]:
        """The listed posts whose insights are read today: on the first run all of them, then
        those whose age is on the snapshot schedule (``ingestion.snapshot_ages``)."""
        listing = self.posts(platform, account_id)
        today = self.account(platform, account_id).fetched_at.date()
        return due(
            self.options.schedule,
            f"{platform}:{account_id}",
            listing.refs,
            lambda ref: ref.created_time.date(),
            today,
            listed_all=listing.since is None,
        )

    def lookup(
        self, refs: Sequence[rows.PostRef], fields: str, platform: str, account_id: str
    ) -> Iterator[tuple[rows.PostRef, Any, datetime, str | None]]:
        """(ref, object, fetched_at, error) per post via the multi-id lookup, 50 ids per call.

        What Meta refuses for one media (``errors.refused_for_one_object``: posted before the
        business conversion, too few viewers) fails the whole batch; the batch is then split so
        only that media is reported, with what it still gives without its insights.
        """
        for batch in chunks(list(refs), s.LOOKUP_BATCH):
            try:
                resp = self.client.lookup(
                    [r.post_id for r in batch], fields, platform=platform, account_id=account_id
                )
            except MetaApiError as exc:
                if not refused_for_one_object(exc):
                    raise
                if len(batch) == 1:
                    yield self._refused(batch[0], fields, exc, platform, account_id)
                else:
                    for ref in batch:
                        yield from self.lookup([ref], fields, platform, account_id)
                continue
            data = resp.data if isinstance(resp.data, dict) else {}
            for ref in batch:
                obj = data.get(ref.post_id)
                error = None if obj is not None else "not returned by the multi-id lookup"
                yield ref, obj, resp.fetched_at, error

    def _refused(
        self, ref: rows.PostRef, fields: str, exc: MetaApiError, platform: str, account_id: str
    ) -> tuple[rows.PostRef, Any, datetime, str]:
        """A media Meta refused: asked again without ``insights`` (its counts stay readable),
        reported with Meta's reason so the caller quarantines the refusal."""
        reason = str(exc)
        rest = without_insights(fields)
        if rest == fields:
            return ref, None, self.account(platform, account_id).fetched_at, reason
        resp = self.client.lookup([ref.post_id], rest, platform=platform, account_id=account_id)
        obj = resp.data.get(ref.post_id) if isinstance(resp.data, dict) else None
        return ref, obj, resp.fetched_at, reason


def without_insights(fields: str) -> str:
    """A ``fields`` list without its ``insights...`` entries (commas inside (), {} kept)."""
    kept, depth, start = [], 0, 0
    for i, ch in enumerate(fields + ","):
        depth += (ch in "({") - (ch in ")}")
        if ch == "," and depth == 0:
            item = fields[start:i]
            if item and not item.startswith("insights"):
                kept.append(item)
            start = i + 1
    return ",".join(kept)


def items_of(page: Any, account: str = "?") -> list[Any]:
    """The ``data`` list of a Graph list page (error naming ``account`` if the page has none)."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise MetaApiError(
            f"unexpected list page without 'data': {str(page)[:200]}", account=account
        )
    return data
