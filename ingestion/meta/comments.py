"""Comments of Facebook posts and Instagram media, 50 posts per request.

The comments edge is read through field expansion on the multi-id lookup
(``GET /?ids=a,b&fields=comments.limit(100){...}``,
developers.facebook.com/docs/graph-api/guides/field-expansion): one request brings the first
page of comments of up to 50 posts, and only a post with more comments than a page follows its
edge's ``paging.next``. One request per post (the first version) made Meta's backfill about
2,000 calls and every daily run about 170. Posts whose listing says they have no comment are
not asked at all. Authors are pseudonymised before anything is yielded, in rows and in the
payloads of ``Bad`` records alike. ``AccountLoop`` batches the rows into Arrow tables of up to
``ARROW_FLUSH_ROWS`` rows: dlt re-derives a table's schema for every item it is given (about
2.6 ms each), so one table per post's page cost more than the HTTP itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingestion.quarantine import BAD_RECORD, Bad

from . import rows
from . import settings as s
from .context import MetaRun, items_of
from .errors import account_label


def _edge_fields(platform: str, page_size: int) -> str:
    """The expanded comments edge: FB in stream order (replies included, chronological), IG
    top-level comments with their nested replies."""
    if platform == "facebook":
        return (
            f"comments.filter(stream).order(chronological).limit({page_size})"
            f"{{{s.FB_COMMENT_FIELDS}}}"
        )
    return f"comments.limit({page_size}){{{s.IG_COMMENT_FIELDS}}}"


def comment_pages(
    run: MetaRun, platform: str, account_id: str
) -> Iterator[tuple[rows.PostRef, list[Any], Any] | Bad]:
    """(post, comments of one page, fetched_at) for every listed post with comments and every
    post the listing set aside (``Listing.orphans``: its comment count is unknown; its ref's
    ``created_time`` is the run's clock); a post the lookup did not return becomes a ``Bad``
    record naming it."""
    listing = run.posts(platform, account_id)
    refs = [r for r in listing.refs if r.comments_count != 0]
    now = run.account(platform, account_id).fetched_at
    refs += [rows.PostRef(post_id, account_id, now, None) for post_id in listing.orphans]
    fields = _edge_fields(platform, run.options.page_size)
    for ref, obj, fetched_at, error in run.lookup(refs, fields, platform, account_id):
        if error is not None or not isinstance(obj, dict):
            reason = error or f"lookup answer is a {type(obj).__name__}, not an object"
            yield Bad({"post_id": ref.post_id}, reason, fetched_at)
            continue
        edge = obj.get("comments", {"data": []})
        for page, at in run.client.edge_pages(
            edge, fetched_at, platform=platform, account_id=account_id
        ):
            yield ref, items_of(page, account_label(platform, account_id)), at


def facebook_comments(run: MetaRun, _brand: str, page_id: str) -> Iterator[Any]:
    """Comments and replies (``filter(stream)``) of listed posts, authors pseudonymised."""
    hasher = run.hasher()  # fails before any request if no pseudonymisation key is configured
    for item in comment_pages(run, "facebook", page_id):
        if isinstance(item, Bad):
            yield item
            continue
        ref, raws, fetched_at = item
        for raw in raws:
            try:
                row = rows.fb_comment(raw, ref.post_id, page_id, fetched_at, hasher)
            except BAD_RECORD as exc:
                yield Bad(rows.redact_person_fields(raw, hasher), exc, fetched_at)
                continue
            yield row


def instagram_comments(run: MetaRun, _brand: str, ig_id: str) -> Iterator[Any]:
    """Top-level comments and their nested replies of listed media, authors pseudonymised."""
    run.hasher()  # fails before any request if no pseudonymisation key is configured
    owner = run.account("instagram", ig_id).data
    owner_name = owner.get("username") if isinstance(owner, dict) else None
    for item in comment_pages(run, "instagram", ig_id):
        if isinstance(item, Bad):
            yield item
            continue
        ref, raws, fetched_at = item
        for raw in raws:
            yield from _ig_thread(run, raw, ref, ig_id, owner_name, fetched_at)


def _ig_thread(
    run: MetaRun,
    raw: Any,
    ref: rows.PostRef,
    ig_id: str,
    owner_name: str | None,
    fetched_at: Any,
) -> Iterator[Any]:
    """A top-level IG comment and its replies (rows), or ``Bad`` records where they break."""
    hasher = run.hasher()
    try:
        top = rows.ig_comment(
            raw, ref.post_id, ig_id, fetched_at, hasher, owner_username=owner_name
        )
    except BAD_RECORD as exc:
        yield Bad(rows.redact_person_fields(raw, hasher), exc, fetched_at)
        return
    yield top
    replies = raw.get("replies")
    if not isinstance(replies, dict):
        return
    for reply in run.client.follow(replies, platform="instagram", account_id=ig_id):
        try:
            row = rows.ig_comment(
                reply,
                ref.post_id,
                ig_id,
                fetched_at,
                hasher,
                parent_id=top["comment_id"],
                owner_username=owner_name,
            )
        except BAD_RECORD as exc:
            yield Bad(rows.redact_person_fields(reply, hasher), exc, fetched_at)
            continue
        yield row
