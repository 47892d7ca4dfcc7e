"""dlt source for the LinkedIn Community Management API: organization pages of the brands.

Loads the ``raw_linkedin`` tables of docs/sources/linkedin.md for every organization of the
brand registry (key ``linkedin``): daily organization snapshots (follower count), posts, lifetime
share statistics per post as daily snapshots, each young post's own daily statistics
(``daily.py``), the daily time-bound share statistics and follower gains of each organization,
lifetime follower facets, and comments with their replies (commenters pseudonymised). Targets
https://api.linkedin.com by default; point ``base_url`` (env ``SOURCES__LINKEDIN__BASE_URL``) at
the sandbox (``http://127.0.0.1:PORT/linkedin``) to run locally. Building the source needs no
secret: the token and the pseudonymisation key are only required when data is extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.http import retry_policy
from ingestion.incremental import chunks
from ingestion.quarantine import BAD_RECORD, parse_int, reason_of
from ingestion.tables import SCHEMA_CONTRACT, arrow_table_with_extras, merge_resource

from . import daily, rows
from . import settings as s
from .context import LinkedInOptions, LinkedInRun
from .helpers import elements_of, share_statistics_params, time_intervals, urn_param

logger = logging.getLogger(__name__)


def _resource(fn: Any, name: str) -> DltResource:
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name])


def _arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> an Arrow table typed by settings.COLUMNS (dlt loads Arrow much faster); fields
    LinkedIn added since ride along as text columns."""
    return arrow_table_with_extras(s.COLUMNS[table], records)


@dlt.source(
    name=s.SOURCE_NAME,
    section=s.SOURCE_NAME,
    max_table_nesting=0,
    schema_contract=SCHEMA_CONTRACT,
)
def linkedin_source(
    access_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    api_version: str = s.DEFAULT_API_VERSION,
    insights_window_days: int = s.INSIGHTS_WINDOW_DAYS,
    daily_backfill_days: int = s.DAILY_BACKFILL_DAYS,
    page_size: int = s.PAGE_SIZE,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """LinkedIn organizations of the brand registry, incrementally.

    Args:
        access_token: OAuth token of an ADMINISTRATOR of the organizations, with scopes
            r_organization_social and rw_organization_admin (secret
            ``sources.linkedin.access_token``); checked at extract time.
        pseudonymisation_key: HMAC key for commenter URNs (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``); checked when comments are extracted.
        base_url: API host, e.g. ``http://127.0.0.1:8765/linkedin`` for the sandbox.
        api_version: ``LinkedIn-Version`` header, ``YYYYMM``. LinkedIn sunsets a version about
            a year after its release (426): keep ``sources.linkedin.api_version`` current.
        insights_window_days: posts modified (so also published) more recently than this are
            re-listed each run and get a fresh statistics snapshot and their comments.
        daily_backfill_days: first run: days of the daily share statistics and follower gains
            (at most 364: LinkedIn serves the past 12 months).
        page_size: ``count`` of the posts and comments finders (LinkedIn max 100).
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy per request (429 throttling, 5xx, timeouts, truncated pages).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    from pulse_config.registry import load_registry

    options = LinkedInOptions(
        access_token=access_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        api_version=str(api_version),
        insights_window_days=insights_window_days,
        daily_backfill_days=daily_backfill_days,
        page_size=max(1, min(page_size, s.PAGE_SIZE)),
        policy=retry_policy(
            max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
        ),
    )
    run = LinkedInRun(options, load_registry(registry_path))
    q = run.quarantine

    def linkedin_organizations() -> Iterator[Any]:
        """Daily snapshot of each organization: names and followers (networkSizes)."""
        resource = "linkedin_organizations"
        for brand_id, org_id in run.organizations():
            snap = run.snapshot(org_id)
            org = snap.organization if isinstance(snap.organization, dict) else {}
            size = snap.network_size if isinstance(snap.network_size, dict) else {}
            try:
                followers = size.get("firstDegreeSize")
                row = {
                    "organization_id": org_id,
                    "brand_id": brand_id,
                    "organization_urn": f"urn:li:organization:{org_id}",
                    "name": org.get("localizedName"),
                    "vanity_name": org.get("vanityName"),
                    "website": org.get("localizedWebsite"),
                    "followers_count": None
                    if followers is None
                    else parse_int(followers, "firstDegreeSize"),
                    "snapshot_date": snap.fetched_at.date(),
                    "fetched_at": snap.fetched_at,
                }
            except BAD_RECORD as exc:
                yield q.row(
                    resource,
                    {"organization": org, "networkSize": size},
                    reason_of(exc),
                    snap.fetched_at,
                    record_id=org_id,
                )
                continue
            yield _arrow(resource, [row])
        q.summary(resource)

    def linkedin_posts() -> Iterator[Any]:
        """Posts modified since the cursor minus the window (all of them on the first run)."""
        for _brand, org_id in run.organizations():
            listing = run.posts(org_id)
            yield from listing.bad
            if listing.rows:
                yield _arrow("linkedin_posts", listing.rows)
        q.summary("linkedin_posts")

    def linkedin_post_statistics() -> Iterator[Any]:
        """Lifetime share statistics of the listed posts, one snapshot per post and day."""
        resource = "linkedin_post_statistics"
        for _brand, org_id in run.organizations():
            refs = run.posts(org_id).refs
            out: list[dict[str, Any]] = []
            for batch in chunks(refs, s.STATS_BATCH):
                yield from _post_statistics(run, org_id, batch, out)
            if out:
                yield _arrow(resource, out)
        q.summary(resource)

    def linkedin_post_statistics_daily() -> Iterator[Any]:
        """Each post's own daily share statistics up to D+28 (rebuilds ages before a snapshot)."""
        yield from daily.post_statistics_daily(run, _arrow)

    def linkedin_share_statistics_daily() -> Iterator[Any]:
        """Daily organic share statistics of each organization (time-bound, DAY)."""
        yield from _daily(
            run, "linkedin_share_statistics_daily", "organizationalEntityShareStatistics"
        )

    def linkedin_follower_gains() -> Iterator[Any]:
        """Daily organic and paid follower gains of each organization (time-bound, DAY)."""
        yield from _daily(run, "linkedin_follower_gains", "organizationalEntityFollowerStatistics")

    def linkedin_follower_facets() -> Iterator[Any]:
        """Lifetime follower counts by seniority, function, industry, country, company size."""
        resource = "linkedin_follower_facets"
        for _brand, org_id in run.organizations():
            day = run.now(org_id).date()
            answer = run.client.get(
                "/rest/organizationalEntityFollowerStatistics",
                [
                    ("q", "organizationalEntity"),
                    ("organizationalEntity", urn_param(f"urn:li:organization:{org_id}")),
                ],
                account=org_id,
            )
            out = []
            for element in elements_of(answer.json(), org_id):
                try:
                    facets = rows.facet_rows(element)
                except BAD_RECORD as exc:
                    yield q.row(
                        resource, element, reason_of(exc), answer.fetched_at, record_id=org_id
                    )
                    continue
                out += [
                    {
                        "organization_id": org_id,
                        "snapshot_date": day,
                        "facet": facet,
                        "facet_value": value,
                        "organic_follower_count": organic,
                        "paid_follower_count": paid,
                        "fetched_at": answer.fetched_at,
                    }
                    for facet, value, organic, paid in facets
                ]
            if out:
                yield _arrow(resource, out)
        q.summary(resource)

    def linkedin_comments() -> Iterator[Any]:
        """Comments of the listed posts and their replies; actor URNs pseudonymised."""
        hasher = run.hasher()  # fail before any request if no key is configured
        resource = "linkedin_comments"
        params = [("count", str(options.page_size)), ("start", "0")]
        for _brand, org_id in run.organizations():
            for ref in run.posts(org_id).refs:
                out: list[dict[str, Any]] = []
                queue = [ref.post_urn]
                while queue:
                    target = queue.pop(0)
                    path = f"/rest/socialActions/{urn_param(target)}/comments"
                    for answer in run.client.paginate(path, params, account=org_id):
                        for raw in elements_of(answer.json(), org_id):
                            try:
                                row = rows.comment(
                                    raw, ref.post_urn, org_id, answer.fetched_at, hasher
                                )
                            except BAD_RECORD as exc:
                                yield q.row(
                                    resource,
                                    rows.redact(raw, hasher),
                                    reason_of(exc),
                                    answer.fetched_at,
                                    record_id=rows.record_urn(raw),
                                )
                                continue
                            out.append(row)
                            if row["reply_count"] and target == ref.post_urn:
                                queue.append(row["comment_urn"])
                if out:
                    yield _arrow(resource, out)
        q.summary(resource)

    return [
        _resource(fn, fn.__name__)
        for fn in (
            linkedin_organizations,
            linkedin_posts,
            linkedin_post_statistics,
            linkedin_post_statistics_daily,
            linkedin_share_statistics_daily,
            linkedin_follower_gains,
            linkedin_follower_facets,
            linkedin_comments,
        )
    ]


def _post_statistics(
    run: LinkedInRun, org_id: str, batch: Sequence[rows.PostRef], out: list[dict[str, Any]]
) -> Iterator[Any]:
    """One share statistics request for up to STATS_BATCH posts; rows appended to ``out``."""
    resource = "linkedin_post_statistics"
    params = share_statistics_params(org_id, [r.post_urn for r in batch])
    answer = run.client.get("/rest/organizationalEntityShareStatistics", params, account=org_id)
    day = answer.fetched_at.date()
    wanted = {r.post_urn for r in batch}
    seen: set[str] = set()
    for element in elements_of(answer.json(), org_id):
        urn: str | None = None
        try:
            urn = rows.post_of(element)
            if urn not in wanted:
                raise rows.InvalidRecord(f"statistics for a post not asked for: {urn}")
            seen.add(urn)
            values = rows.statistics(element)
        except BAD_RECORD as exc:
            yield run.quarantine.row(
                resource, element, reason_of(exc), answer.fetched_at, record_id=urn
            )
            continue
        out.append(
            {
                "post_urn": urn,
                "organization_id": org_id,
                "snapshot_date": day,
                **values,
                "fetched_at": answer.fetched_at,
            }
        )
    for urn in sorted(wanted - seen):
        yield run.quarantine.row(
            resource,
            {"post_urn": urn},
            "no statistics returned for this post",
            answer.fetched_at,
            record_id=urn,
        )


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


def _daily(run: LinkedInRun, resource: str, endpoint: str) -> Iterator[Any]:
    """A DAY time-bound series per organization: share statistics or follower gains."""
    last_dates = run.state(f"{resource}_last_date")
    for _brand, org_id in run.organizations():
        first, end = _daily_range(run, org_id, resource)
        answer = run.client.get(
            f"/rest/{endpoint}",
            [
                ("q", "organizationalEntity"),
                ("organizationalEntity", urn_param(f"urn:li:organization:{org_id}")),
                ("timeIntervals", time_intervals(first, end)),
            ],
            account=org_id,
        )
        out: list[dict[str, Any]] = []
        for element in elements_of(answer.json(), org_id):
            try:
                day = rows.day_of(element)
                if resource == "linkedin_follower_gains":
                    organic, paid = rows.follower_gains(element)
                    values: dict[str, Any] = {
                        "organic_follower_gain": organic,
                        "paid_follower_gain": paid,
                    }
                else:
                    values = rows.statistics(element)
            except BAD_RECORD as exc:
                yield run.quarantine.row(
                    resource,
                    element,
                    reason_of(exc),
                    answer.fetched_at,
                    record_id=f"{org_id}/{rows.range_start(element)}",
                )
                continue
            out.append(
                {"organization_id": org_id, "date": day, **values, "fetched_at": answer.fetched_at}
            )
        if out:
            yield _arrow(resource, out)
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
    run.quarantine.summary(resource)


__all__ = ["linkedin_source"]
