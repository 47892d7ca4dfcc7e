"""Completeness: the totals the APIs report against the rows the raw tables hold.

Each source stores the totals its API states (``ingestion.completeness``: the table
``reported_totals`` of its dataset, the latest per account). One asset check per total, on the
raw table it counts, compares each account's latest total with the distinct records that table
holds for the account. Fewer than ``total x (1 - tolerance)`` fails the check with ERROR
severity: paging that ended early (a lost page token, a page cap, a short page taken for the
last) shows as a red check on the table instead of silently missing rows. The checks do not
block: the rows that did load are still good, and the dbt build goes on with them.

More loaded than reported is normal (rows deleted at the vendor since they were loaded stay in
the raw tables) and passes. The tolerances and why each total is comparable at all are in the
"Completeness" subsection of ``docs/sources/<name>.md``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from ingestion.completeness import TABLE
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL


@dataclass(frozen=True)
class Total:
    """One reported total and how to count what it counts in the raw table."""

    source: str
    entity: str
    """The vendor's name of the total, as stored in ``reported_totals.entity``."""
    table: str
    counted: str
    """SQL aggregate over the raw table's rows of one account (distinct records)."""
    account: str
    """The raw table's column holding the account the total is reported for."""
    tolerance: float
    """Share of the total that may be missing before the check fails (see the source's doc)."""
    reach: int | None = None
    """The API lists at most this many records, however many it counts (X's timeline)."""
    dated: str | None = None
    """The raw table's date column, bounded by the total's period (GA4 reports)."""

    @property
    def dataset(self) -> str:
        return f"raw_{self.source}"

    @property
    def check_name(self) -> str:
        """``completeness_<entity in snake case>``, e.g. ``completeness_statistics_video_count``."""
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in self.entity)
        return f"completeness_{snake.replace('.', '_')}"

    def expected_min(self, reported: int) -> float:
        """The fewest records a complete load holds for an account that reported ``reported``."""
        reachable = reported if self.reach is None else min(reported, self.reach)
        return reachable * (1.0 - self.tolerance)


TOTALS: tuple[Total, ...] = (
    # rowCount is exact: "independent of ... the limit and the offset" (runReport reference).
    Total("ga4", "rowCount", "traffic_daily", "count(*)", "property_id", 0.0, dated="date"),
    Total(
        "google_business",
        "totalReviewCount",
        "reviews",
        "count(DISTINCT review_name)",
        "location_name",
        0.02,
    ),
    Total(
        "trustpilot",
        "numberOfReviews.total",
        "reviews",
        "count(DISTINCT review_id)",
        "business_unit_id",
        0.02,
    ),
    Total(
        "youtube",
        "statistics.videoCount",
        "playlist_items",
        "count(DISTINCT video_id)",
        "channel_id",
        0.02,
    ),
    Total(
        "youtube",
        "pageInfo.totalResults",
        "playlist_items",
        "count(DISTINCT video_id)",
        "channel_id",
        0.02,
    ),
    # tweet_count counts every post ever; the user timeline lists the 3,200 most recent.
    Total(
        "x",
        "public_metrics.tweet_count",
        "posts",
        "count(DISTINCT tweet_id)",
        "user_id",
        0.01,
        reach=3200,
    ),
    # HubSpot's search `total` of an unfiltered search counts every record (archived excluded),
    # asked before the listing; 1 % leaves room for quarantined records (docs/sources/hubspot.md).
    Total("hubspot", "contacts.total", "contacts", "count(DISTINCT contact_id)", "portal_id", 0.01),
    Total("hubspot", "deals.total", "deals", "count(DISTINCT deal_id)", "portal_id", 0.01),
)


@dataclass(frozen=True)
class Account:
    """One account's latest reported total and what the raw table holds for it."""

    account: str
    reported: int
    loaded: int
    expected_min: float
    observed_at: str

    @property
    def short(self) -> bool:
        return self.loaded < self.expected_min


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def compare(total: Total, connect: Callable[[], duckdb.DuckDBPyConnection]) -> list[Account]:
    """Every account's latest total for ``total`` with the records loaded for it; an empty
    list when the source never stored one."""
    con = connect()
    try:
        if not _exists(con, total.dataset, TABLE):
            return []
        raw = f"{total.dataset}.{total.table}"
        window = (
            f" and r.{total.dated} between t.period_start and t.period_end" if total.dated else ""
        )
        loaded = (
            f"(select {total.counted} from {raw} r where r.{total.account} = t.account{window})"
            if _exists(con, total.dataset, total.table)
            else "0"
        )
        rows = con.execute(
            f"select t.account, t.reported_total, {loaded}, strftime(t.observed_at, "
            f"'%Y-%m-%dT%H:%M:%SZ') from {total.dataset}.{TABLE} t where t.entity = ? "
            "order by t.account",
            [total.entity],
        ).fetchall()
    finally:
        con.close()
    return [Account(a, int(r), int(n), total.expected_min(int(r)), at) for a, r, n, at in rows]


def result(total: Total, accounts: list[Account]) -> AssetCheckResult:
    """Failed (ERROR) when an account holds fewer records than its total allows; failed (WARN)
    when no total is stored; both numbers of every account in the metadata."""
    short = [a for a in accounts if a.short]
    metadata: dict[str, Any] = {
        "reported_total": sum(a.reported for a in accounts),
        "loaded": sum(a.loaded for a in accounts),
        "tolerance": total.tolerance,
        "accounts": MetadataValue.json(
            [
                {
                    "account": a.account,
                    "reported": a.reported,
                    "loaded": a.loaded,
                    "expected_at_least": round(a.expected_min, 2),
                    "observed_at": a.observed_at,
                }
                for a in accounts
            ]
        ),
    }
    if total.reach is not None:
        metadata["reach"] = total.reach
    if not accounts:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"no {total.entity} stored in {total.dataset}.{TABLE}",
            metadata=metadata,
        )
    described = "; ".join(f"{a.account}: {a.loaded} of {a.reported}" for a in short[:5])
    return AssetCheckResult(
        passed=not short,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{len(short)} account(s) short of {total.entity}: {described}"
            if short
            else f"every account holds its {total.entity} (tolerance {total.tolerance:.0%})"
        ),
        metadata=metadata,
    )


def completeness_check(total: Total) -> AssetChecksDefinition:
    """The asset check of ``total`` on the raw table it counts, read-only, not blocking."""

    @asset_check(
        asset=AssetKey([total.dataset, total.table]),
        name=total.check_name,
        description=(
            f"Completeness: {total.table} holds, per account, the records {total.entity} "
            f"reports (missing at most {total.tolerance:.0%}"
            + (f"; at most {total.reach} reachable" if total.reach else "")
            + ")."
        ),
        blocking=False,
        pool=DUCKDB_POOL,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        with warehouse.slot(f"completeness {total.source} {total.entity}", context.log.info):
            accounts = compare(total, warehouse.connect)
        return result(total, accounts)

    return _check


COMPLETENESS_CHECKS = [completeness_check(t) for t in TOTALS]
