"""Per-run state of one ``x_source()``: client, hasher, account objects, timeline listings.

The timeline is listed once per account and shared by ``posts`` and ``post_metrics`` (and gives
the conversation roots ``replies`` searches). Cursors live in dlt source state, so they advance
only when the load succeeds. Build a fresh source per run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from typing import Any

from ingestion.http import RetryPolicy, SourceError
from ingestion.incremental import Backfill, advance_cursor, resumed, source_state
from ingestion.privacy import Pseudonymiser, resolve_key
from ingestion.quarantine import BAD_RECORD, Bad, parse_timestamp, row_or_bad
from pulse_config.registry import Registry

from . import rows
from . import settings as s
from .helpers import Page, XClient, conversation_queries

logger = logging.getLogger(__name__)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class XOptions:
    bearer_token: str | None
    pseudonymisation_key: str | None
    base_url: str
    metrics_window_days: int
    conversation_window_days: int
    page_size: int
    policy: RetryPolicy
    run_wait_budget_s: float = s.RUN_WAIT_BUDGET_S


@dataclass
class Listing:
    """One account's timeline this run: post rows, metric snapshots, bad records."""

    now: datetime
    window_start: datetime | None  # None on the first run: every post gets a snapshot
    rows: list[dict[str, Any]] = field(default_factory=list)
    snaps: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)

    def recent_snapshots(self) -> list[dict[str, Any]]:
        return [snap for created, snap in self.snaps if created >= (self.window_start or created)]


def until_oldest(ids: set[str]) -> dict[str, str]:
    """``until_id`` below the oldest tweet loaded (ids grow with time): where a page window
    resumes. https://docs.x.com/x-api/users/get-posts ("until_id": older than this id)."""
    return {"until_id": min(ids, key=int)} if ids else {}


class XRun:
    """Lazily built client and hasher; cached account pages and timelines."""

    def __init__(self, options: XOptions, registry: Registry) -> None:
        self.options, self.registry = options, registry
        self.brand_ids = {uid for _b, uid in registry.accounts(s.REGISTRY_KEY)}
        self._users: dict[str, Page] = {}
        self._timelines: dict[str, Listing] = {}

    @cached_property
    def client(self) -> XClient:
        """The HTTP client; built on first use so that building the source needs no secret."""
        if not self.options.bearer_token:
            raise SourceError(
                s.SOURCE_NAME,
                "-",
                "no bearer token: set SOURCES__X__BEARER_TOKEN or sources.x.bearer_token "
                "in .dlt/secrets.toml",
            )
        opts = self.options
        return XClient(
            opts.bearer_token, opts.base_url, opts.policy, run_wait_budget_s=opts.run_wait_budget_s
        )

    @cached_property
    def person(self) -> rows.Person:
        """The keyed person pseudonymiser; built on first use, like the client."""
        key = resolve_key(self.options.pseudonymisation_key, source=s.SOURCE_NAME)
        return rows.person_key(self.brand_ids, Pseudonymiser.for_source(key, s.SOURCE_NAME))

    def accounts(self) -> list[tuple[str, str]]:
        return self.registry.accounts(s.REGISTRY_KEY)

    state = staticmethod(source_state)

    def user(self, user_id: str) -> Page:
        """``GET /2/users/{id}`` once per run; its Date header is the run's clock."""
        if user_id not in self._users:
            self._users[user_id] = self.client.get(
                f"2/users/{user_id}", {"user.fields": s.USER_FIELDS}, user_id
            )
        return self._users[user_id]

    def account_snapshot(self, brand_id: str, user_id: str) -> dict[str, Any] | Bad:
        page = self.user(user_id)
        return row_or_bad(
            lambda: rows.account_row(page.body.get("data"), brand_id, page.fetched_at),
            page.body,
            page.fetched_at,
            record_id=user_id,
        )

    def _tweet(self, raw: Any, user_id: str, fetched_at: datetime) -> dict[str, Any] | Bad:
        try:
            return rows.tweet_row(raw, user_id, fetched_at, self.person, self.brand_ids)
        except BAD_RECORD as exc:
            return Bad(rows.redact(raw, self.person), exc, fetched_at)

    def _partial(self, page: Page) -> list[Bad]:
        """Top-level ``errors`` beside ``data`` (e.g. a referenced tweet deleted since); a
        user id they name is pseudonymised (``rows.partial_error``)."""
        out = []
        for err in page.errors:
            payload, reason, rid = rows.partial_error(err, self.person)
            out.append(Bad(payload, reason, page.fetched_at, record_id=rid))
        return out

    def timeline(self, user_id: str) -> Listing:
        """Own tweets created since min(cursor, now - window); all of them on the first run."""
        if user_id in self._timelines:
            return self._timelines[user_id]
        now = self.user(user_id).fetched_at
        brand_id = self.registry.brand_of(s.REGISTRY_KEY, user_id)
        cursors = self.state("timeline_cursors")
        params: dict[str, Any] = {
            "max_results": self.options.page_size,
            "tweet.fields": s.TWEET_FIELDS,
            "expansions": "referenced_tweets.id",
        }
        window_start, since = None, None
        if cursors.get(user_id):
            window_start = now - timedelta(days=self.options.metrics_window_days)
            reach = now - timedelta(
                days=max(self.options.metrics_window_days, self.options.conversation_window_days)
            )
            since = min(parse_timestamp(cursors[user_id]), reach)
        backfill = Backfill.resume(f"timeline:{user_id}", "posts", since)  # page windows
        if backfill.since is not None:
            params["start_time"] = iso(backfill.since)
        listing = Listing(now=now, window_start=window_start)
        path = f"2/users/{user_id}/tweets"
        pages = resumed(  # a later window resumes below what is loaded: until_id
            backfill,
            self.client.paginate(path, params, user_id, "pagination_token"),
            lambda _floor, ids: self.client.paginate(
                path, {**params, **until_oldest(ids)}, user_id, "pagination_token"
            ),
        )
        for page in () if backfill.done else pages:  # done: an earlier window listed it all
            listing.bad.extend(self._partial(page))
            for raw in page.data:
                try:
                    row, snap = rows.post_rows(
                        raw, user_id, brand_id, page.fetched_at, self.person, self.brand_ids
                    )
                except BAD_RECORD as exc:
                    listing.bad.append(Bad(rows.redact(raw, self.person), exc, page.fetched_at))
                    continue
                if not backfill.admit(row["created_at"], row["tweet_id"]):
                    continue  # an earlier window loaded it
                listing.rows.append(row)
                listing.snaps.append((row["created_at"], snap))
            if not backfill.turn_page():
                break
        advance_cursor(cursors, user_id, backfill.close())
        logger.info("x: %s: %d own tweets listed", user_id, len(listing.rows))
        self._timelines[user_id] = listing
        return listing

    def mentions(self, user_id: str) -> list[dict[str, Any] | Bad]:
        """Mentions newer than the last id loaded (``since_id`` in dlt state): bad records,
        then rows."""
        since = self.state("mentions_since_id")
        params: dict[str, Any] = {"max_results": self.options.page_size}
        params["tweet.fields"] = s.TWEET_FIELDS
        if since.get(user_id):
            params["since_id"] = since[user_id]
        good: list[dict[str, Any]] = []
        bad: list[Bad] = []
        path = f"2/users/{user_id}/mentions"
        for page in self.client.paginate(path, params, user_id, "pagination_token"):
            bad.extend(self._partial(page))
            for raw in page.data:
                item = self._tweet(raw, user_id, page.fetched_at)
                (good if isinstance(item, dict) else bad).append(item)
        if good:
            newest = max(good, key=lambda r: int(r["tweet_id"]))["tweet_id"]
            if not since.get(user_id) or int(newest) > int(since[user_id]):
                since[user_id] = newest
        return [*bad, *good]

    def replies(self, user_id: str) -> list[dict[str, Any] | Bad]:
        """Recent search over the conversations of posts younger than the conversation window:
        bad records and rows."""
        listing = self.timeline(user_id)
        now = listing.now
        oldest_root = now - timedelta(days=self.options.conversation_window_days)
        roots = [
            r["tweet_id"]
            for r in listing.rows
            if r["replied_to_id"] is None
            and r["retweeted_id"] is None  # replies to a repost go to the reposted post
            and r["created_at"] >= oldest_root
        ]
        start = datetime.combine(
            now.date() - timedelta(days=s.RECENT_SEARCH_DAYS - 1), time(0), tzinfo=UTC
        )
        found: list[dict[str, Any] | Bad] = []
        for query in conversation_queries(sorted(roots)):
            params = {
                "query": query,
                "start_time": iso(start),
                "max_results": max(10, self.options.page_size),
                "tweet.fields": s.TWEET_FIELDS,
            }
            for page in self.client.paginate(
                "2/tweets/search/recent", params, user_id, "next_token"
            ):
                found.extend(self._partial(page))
                for raw in page.data:
                    if isinstance(raw, dict) and raw.get("id") == raw.get("conversation_id"):
                        continue  # the conversation's root: the brand's post, loaded in posts
                    found.append(self._tweet(raw, user_id, page.fetched_at))
        return found
