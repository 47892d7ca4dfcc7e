"""The LinkedIn resources, one function per table: what one organization gives it this run.

Each function takes the run and one ``(brand_id, organization_id)`` of the brand registry and
yields rows, ``Bad`` records and nothing else; ``ingestion.accounts.AccountLoop`` walks the
organizations, batches the rows as Arrow and quarantines the bad records. The post listing and
the organization snapshot are cached on the run (``context.py``), shared by several tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from ingestion.incremental import chunks
from ingestion.quarantine import BAD_RECORD, Bad, row_or_bad
from ingestion.tables import arrow_table_with_extras

from . import rows
from . import settings as s
from .context import LinkedInRun
from .daily import linkedin_post_statistics_daily
from .helpers import (
    elements_of,
    per_post_rows,
    share_statistics_params,
    time_intervals,
    urn_param,
)

logger = logging.getLogger(__name__)

COUNTS_KEY = "comment_counts"
"""Source state: per organization, the ``commentCount`` of each listed post at its last load."""


def arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> an Arrow table typed by settings.COLUMNS (dlt loads Arrow much faster); fields
    LinkedIn added since ride along as text columns."""
    return arrow_table_with_extras(s.COLUMNS[table], records)


def _org_param(org_id: str) -> list[tuple[str, str]]:
    return [
        ("q", "organizationalEntity"),
        ("organizationalEntity", urn_param(f"urn:li:organization:{org_id}")),
    ]


def linkedin_organizations(run: LinkedInRun, brand_id: str, org_id: str) -> Iterator[Any]:
    """Daily snapshot of each organization: names and followers (networkSizes)."""
    snap = run.snapshot(org_id)
    org = snap.organization if isinstance(snap.organization, dict) else {}
    size = snap.network_size if isinstance(snap.network_size, dict) else {}
    yield row_or_bad(
        lambda: rows.organization(org, size, org_id, brand_id, snap.fetched_at),
        {"organization": org, "networkSize": size},
        snap.fetched_at,
        record_id=org_id,
    )


def linkedin_posts(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Posts modified since the cursor minus the window (all of them on the first run)."""
    yield from run.posts(org_id).items()


def linkedin_post_statistics(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Lifetime share statistics of the listed posts due on the snapshot schedule
    (``ingestion.snapshot_ages``, ``sources.linkedin.snapshot_ages``)."""
    for batch in chunks(run.due_posts(org_id), s.STATS_BATCH):
        yield from _post_statistics(run, org_id, batch)


def _post_statistics(run: LinkedInRun, org_id: str, batch: Sequence[rows.PostRef]) -> Iterator[Any]:
    """One share statistics request for up to STATS_BATCH posts."""
    params = share_statistics_params(org_id, [r.post_urn for r in batch])
    answer = run.client.get("/rest/organizationalEntityShareStatistics", params, account=org_id)
    day = answer.fetched_at.date()

    def row(urn: str, element: Any) -> dict[str, Any]:
        values = rows.statistics(element)
        run.comment_counts.setdefault(org_id, {})[urn] = values["comment_count"]
        return {
            "post_urn": urn,
            "organization_id": org_id,
            "snapshot_date": day,
            **values,
            "fetched_at": answer.fetched_at,
        }

    wanted = {r.post_urn for r in batch}
    missing = "no statistics returned for this post"
    yield from per_post_rows(answer, org_id, wanted, row, lambda urn, _: urn, missing)


def linkedin_share_statistics_daily(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Daily organic share statistics of each organization (time-bound, DAY)."""
    yield from _daily(run, org_id, "linkedin_share_statistics_daily")


def linkedin_follower_gains(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Daily organic and paid follower gains of each organization (time-bound, DAY)."""
    yield from _daily(run, org_id, "linkedin_follower_gains")


DAILY_ENDPOINTS = {
    "linkedin_share_statistics_daily": "organizationalEntityShareStatistics",
    "linkedin_follower_gains": "organizationalEntityFollowerStatistics",
}


def _daily_range(run: LinkedInRun, org_id: str, resource: str) -> tuple[date, date]:
    """[first, end) of a time-bound request: backfill or re-read, within LinkedIn's bounds."""
    today = run.now(org_id).date()
    last = run.state(f"{resource}_last_date").get(org_id)
    if last:
        first = date.fromisoformat(last) - timedelta(days=s.DAILY_REFETCH_DAYS)
    else:
        first = today - timedelta(days=run.options.daily_backfill_days)
    first = max(first, today - timedelta(days=s.DAILY_MAX_AGE_DAYS))
    first = min(first, today - timedelta(days=s.DAILY_MIN_AGE_DAYS))
    return first, today + timedelta(days=1)


def _daily_values(resource: str, element: Any) -> dict[str, Any]:
    if resource == "linkedin_follower_gains":
        organic, paid = rows.follower_gains(element)
        return {"organic_follower_gain": organic, "paid_follower_gain": paid}
    return rows.statistics(element)


def _daily(run: LinkedInRun, org_id: str, resource: str) -> Iterator[Any]:
    """A DAY time-bound series of one organization: share statistics or follower gains."""
    first, end = _daily_range(run, org_id, resource)
    params = [*_org_param(org_id), ("timeIntervals", time_intervals(first, end))]
    answer = run.client.get(f"/rest/{DAILY_ENDPOINTS[resource]}", params, account=org_id)
    out: list[dict[str, Any]] = []
    for element in elements_of(answer.json(), org_id):
        try:
            day = rows.day_of(element)
            values = _daily_values(resource, element)
        except BAD_RECORD as exc:
            rid = f"{org_id}/{rows.range_start(element)}"
            yield Bad(element, exc, answer.fetched_at, record_id=rid)
            continue
        out.append(
            {"organization_id": org_id, "date": day, **values, "fetched_at": answer.fetched_at}
        )
    if out:
        last_dates = run.state(f"{resource}_last_date")
        newest = max(r["date"] for r in out).isoformat()
        last_dates[org_id] = max(newest, last_dates.get(org_id, ""))
    logger.info(
        "linkedin: organization %s: %s %s..%s: %d days",
        org_id,
        resource,
        first,
        end - timedelta(days=1),
        len(out),
    )
    yield from out


def linkedin_follower_facets(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Lifetime follower counts by seniority, function, industry, country, company size."""
    day = run.now(org_id).date()
    answer = run.client.get(
        "/rest/organizationalEntityFollowerStatistics", _org_param(org_id), account=org_id
    )
    for element in elements_of(answer.json(), org_id):
        try:
            facets = rows.facet_rows(element)
        except BAD_RECORD as exc:
            yield Bad(element, exc, answer.fetched_at, record_id=org_id)
            continue
        for facet, value, organic, paid in facets:
            yield {
                "organization_id": org_id,
                "snapshot_date": day,
                "facet": facet,
                "facet_value": value,
                "organic_follower_count": organic,
                "paid_follower_count": paid,
                "fetched_at": answer.fetched_at,
            }


def linkedin_comments(run: LinkedInRun, _brand: str, org_id: str) -> Iterator[Any]:
    """Comments and their replies of the listed posts whose comments may have changed
    (``_commented``; a post quarantined for another field included); actor URNs
    pseudonymised. Each post's ``commentCount`` is noted in source state (``comment_counts``)
    once its comments are read, committed with the load, so a failed run reads them again."""
    hasher = run.hasher()  # fail before any request if no key is configured
    params = [("count", str(run.options.page_size)), ("start", "0")]
    listing = run.posts(org_id)
    counts, todo = _commented(run, org_id)
    for post_urn in todo:
        queue = [post_urn]
        while queue:
            target = queue.pop(0)
            path = f"/rest/socialActions/{urn_param(target)}/comments"
            for answer in run.client.paginate(path, params, account=org_id):
                for raw in elements_of(answer.json(), org_id):
                    try:
                        row = rows.comment(raw, post_urn, org_id, answer.fetched_at, hasher)
                    except BAD_RECORD as exc:
                        payload, rid = rows.redact(raw, hasher), rows.record_urn(raw)
                        yield Bad(payload, exc, answer.fetched_at, record_id=rid)
                        continue
                    yield row
                    if row["reply_count"] and target == post_urn:
                        queue.append(row["comment_urn"])
    book = run.state(COUNTS_KEY).setdefault(org_id, {})
    book.update({urn: n for urn, n in counts.items() if n is not None})
    if listing.since is not None:  # a complete re-list: forget the posts no longer listed
        for gone in set(book) - set(counts):
            del book[gone]


def _commented(run: LinkedInRun, org_id: str) -> tuple[dict[str, int | None], list[str]]:
    """The ``commentCount`` of every listed post (None: unknown), and the posts whose comments
    are read this run: a count that is unknown, or not 0 and moved since the last load (or
    never loaded); a post due on the snapshot schedule today (every post on the first run; a
    re-read that also catches an edit or a deletion the count does not show); and the posts
    set aside for a bad field. ``commentCount`` counts replies too (docs/sources/linkedin.md)."""
    listing = run.posts(org_id)
    urns = [ref.post_urn for ref in listing.refs]
    counts = _comment_counts(run, org_id, urns)
    loaded = run.state(COUNTS_KEY).get(org_id) or {}
    scheduled = {ref.post_urn for ref in run.due_posts(org_id, note=False)}
    todo = [
        urn
        for urn in urns
        if urn in scheduled
        or counts.get(urn) is None
        or (counts[urn] != 0 and loaded.get(urn) != counts[urn])
    ]
    return counts, todo + [urn for urn in listing.orphans if urn not in todo]


def _comment_counts(run: LinkedInRun, org_id: str, urns: list[str]) -> dict[str, int | None]:
    """``commentCount`` of each post: from the statistics read this run for the snapshot,
    else from share statistics requests of their own (STATS_BATCH posts each, far fewer than
    one comments request per post). An element that cannot be read leaves its post unknown."""
    known = run.comment_counts.setdefault(org_id, {})
    for batch in chunks([urn for urn in urns if urn not in known], s.STATS_BATCH):
        params = share_statistics_params(org_id, batch)
        answer = run.client.get("/rest/organizationalEntityShareStatistics", params, account=org_id)
        for element in elements_of(answer.json(), org_id):
            try:
                known[rows.post_of(element)] = rows.statistics(element)["comment_count"]
            except BAD_RECORD as exc:  # its post's comments are read: nothing is lost
                logger.warning("linkedin: organization %s: comment count unread: %s", org_id, exc)
    return {urn: known.get(urn) for urn in urns}


TABLES = (
    linkedin_organizations,
    linkedin_posts,
    linkedin_post_statistics,
    linkedin_post_statistics_daily,
    linkedin_share_statistics_daily,
    linkedin_follower_gains,
    linkedin_follower_facets,
    linkedin_comments,
)
"""Every table of the source, in load order; each function's name is its table's."""
