"""One Graph request's view of the world: cursor, clock, catalogue, and its per-request caches.

Rendering a page asks for the same aggregates row after row (comment counts, replies, a post's
account) and a multi-id lookup asks for objects and first comment pages id after id. Every such
read goes through a cache here, which the ``prefetch_*`` methods (and ``batch``) fill with
one query per table for all rows at once, so a request costs a handful of queries whatever its
size while each row still reads exactly what its own query would have returned.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from sandbox.vendors.meta import metrics
from sandbox.world.store import followers_on, rows


class Tables:
    """The accounts and posts of the world, read once: every lookup resolves ids against them
    (the store is read-only; comments, far more numerous, stay in the store)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con, self._lock = con, threading.Lock()
        self._posts: dict[str, dict[str, Any]] | None = None
        cur = con.cursor()
        try:
            self.accounts = {r["account_id"]: r for r in rows(cur, "SELECT * FROM accounts")}
        finally:
            cur.close()

    @property
    def posts(self) -> dict[str, dict[str, Any]]:
        """post_id -> row, loaded on first use."""
        if self._posts is None:
            with self._lock:
                if self._posts is None:
                    cur = self._con.cursor()
                    try:
                        self._posts = {r["post_id"]: r for r in rows(cur, "SELECT * FROM posts")}
                    finally:
                        cur.close()
        return self._posts


class MetaError(Exception):
    """A Graph API error, rendered with Meta's envelope."""

    def __init__(
        self,
        code: int,
        message: str,
        status: int = 400,
        subcode: int | None = None,
        type_: str = "OAuthException",
        transient: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.subcode, self.type, self.transient = subcode, type_, transient
        self.extra = extra or {}  # more envelope keys: error_user_title, error_user_msg...


def meta_time(value: datetime) -> str:
    """Meta's timestamp format: ``2025-03-02T09:00:00+0000``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def day_end(day: date) -> str:
    """``end_time`` of a daily value: the next day 08:00 UTC (midnight Pacific), like Meta."""
    return (day + timedelta(days=1)).strftime("%Y-%m-%dT08:00:00+0000")


def _visible(created: datetime | None, now: datetime) -> bool:
    """``created_time <= now`` as SQL reads it (a NULL time is never visible)."""
    return created is not None and created <= now


class Ctx:
    """One request's view of the world: cursor, clock, catalogue and per-request caches."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        now: datetime,
        today: date,
        cat: metrics.Catalogue,
        start: date,
        tables: Tables,
    ) -> None:
        self.cur, self.now, self.today, self.cat, self.start = cur, now, today, cat, start
        self.tables = tables
        self._counts: dict[str, int] = {}
        self._replies: dict[str, list[dict[str, Any]]] = {}
        self._bases: dict[str, dict[str, int]] = {}
        self._objects: dict[str, tuple[str, dict[str, Any]] | None] = {}
        self._queries: dict[tuple[str, tuple[Any, ...]], list[dict[str, Any]]] = {}
        # Results of pure functions of the request's field specs, keyed by (kind, id(specs)).
        self.memo: dict[tuple[str, int], tuple[Any, Any]] = {}

    # --- objects ----------------------------------------------------------------------------

    def prefetch_objects(self, ids: list[str]) -> None:
        """Resolve ids as accounts, else posts, else comments (the last two visible now)."""
        missing = [i for i in dict.fromkeys(ids) if i not in self._objects]
        if not missing:
            return
        for obj_id in missing:
            account = self.tables.accounts.get(obj_id)
            if account is not None:
                kind = "page" if account["platform"] == "facebook" else "iguser"
                self._objects[obj_id] = (kind, account)
                continue
            post = self.tables.posts.get(obj_id)
            if post is not None and _visible(post["created_time"], self.now):
                kind = "post" if post["platform"] == "facebook" else "media"
                self._objects[obj_id] = (kind, post)
        rest = [i for i in missing if i not in self._objects]
        if rest:
            sql = (
                "SELECT * FROM comments WHERE comment_id IN (SELECT unnest(?)) "
                "AND created_time <= ?"
            )
            for row in rows(self.cur, sql, [rest, self.now]):
                kind = "comment" if row["platform"] == "facebook" else "igcomment"
                self._objects.setdefault(row["comment_id"], (kind, row))
        for obj_id in missing:
            self._objects.setdefault(obj_id, None)

    def lookup(self, obj_id: str) -> tuple[str, dict[str, Any]] | None:
        """(node kind, row) of an id, or None when nothing visible has it."""
        self.prefetch_objects([obj_id])
        return self._objects[obj_id]

    # --- queries ----------------------------------------------------------------------------

    def rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """``rows(sql, params)``, answered from ``seed`` when a batch query already ran it."""
        try:
            found = self._queries.get((sql, tuple(params)))
        except TypeError:  # an unhashable parameter (a list): never seeded
            found = None
        return list(found) if found is not None else rows(self.cur, sql, params)

    def seed(self, sql: str, params: list[Any], found: list[dict[str, Any]]) -> None:
        """Record the answer of ``sql`` with ``params`` (computed by a batch query)."""
        self._queries[(sql, tuple(params))] = found

    # --- aggregates -------------------------------------------------------------------------

    def account(self, account_id: str) -> dict[str, Any]:
        return self.tables.accounts.get(account_id, {})

    def prefetch_counts(self, post_ids: list[str]) -> None:
        missing = [p for p in post_ids if p not in self._counts]
        if not missing:
            return
        self._counts.update(dict.fromkeys(missing, 0))
        self._counts.update(
            dict(
                self.cur.execute(
                    "SELECT post_id, count(*) FROM comments WHERE created_time <= ? "
                    "AND post_id IN (SELECT unnest(?)) GROUP BY post_id",
                    [self.now, missing],
                ).fetchall()
            )
        )

    def comment_count(self, post_id: str) -> int:
        if post_id not in self._counts:
            self.prefetch_counts([post_id])
        return self._counts[post_id]

    def prefetch_replies(self, comment_ids: list[str]) -> None:
        missing = [c for c in comment_ids if c not in self._replies]
        if not missing:
            return
        for cid in missing:
            self._replies[cid] = []
        for row in rows(
            self.cur,
            "SELECT * FROM comments WHERE created_time <= ? AND parent_id "
            "IN (SELECT unnest(?)) ORDER BY created_time, comment_id",
            [self.now, missing],
        ):
            self._replies[row["parent_id"]].append(row)

    def replies(self, comment_id: str) -> list[dict[str, Any]]:
        self.prefetch_replies([comment_id])
        return self._replies[comment_id]

    def followers(self, account: dict[str, Any], day: date | None = None) -> int:
        return followers_on(account, self.start, day or self.today)

    def base(self, post: dict[str, Any]) -> dict[str, int]:
        """The post's base values at now (read-only: computed once per post and request)."""
        found = self._bases.get(post["post_id"])
        if found is None:
            count = self.comment_count(post["post_id"])
            found = self._bases[post["post_id"]] = metrics.base_values(post, self.now, count)
        return found
