"""Totals the APIs report, stored beside what was loaded: the ``reported_totals`` table.

Paging that ends early (a lost ``nextPageToken``, a page cap, a truncated answer taken for the
last page) loads fewer rows without any error. Every source whose API states how many records
exist (GA4 ``rowCount``, Google Business Profile ``totalReviewCount``, Trustpilot
``numberOfReviews.total``, YouTube ``statistics.videoCount`` and ``pageInfo.totalResults``, X
``public_metrics.tweet_count``) stores that figure here, one row per account and total, with
the server's time it was observed; ``orchestration.defs.completeness`` compares it with the
rows the raw table holds.

Every source writes the same shape, as a table variant of the resource that observed the
total (``DECLARED`` is registered with the resource's other variants, so the table does not
inherit the resource's own columns), merged on (account, entity): the table holds the latest
total of each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import dlt

from ingestion.tables import DATE_KEY, INT, KEY, TEXT, TS, merge_hints

TABLE = "reported_totals"
PRIMARY_KEY = ("account", "entity")
COLUMNS: dict[str, dict[str, Any]] = {
    "account": KEY,
    "entity": KEY,
    "loaded_table": {**TEXT, "nullable": False},
    "reported_total": INT,
    "brand_id": TEXT,
    "scope": TEXT,
    "period_start": {**DATE_KEY, "nullable": True},
    "period_end": {**DATE_KEY, "nullable": True},
    "observed_at": TS,
}
"""``account``: the source's account id (property, location, business unit, channel, user);
``entity``: the vendor's name of the total (``rowCount``, ``statistics.videoCount``...);
``loaded_table``: the raw table it counts; ``scope``: filters the total is subject to, in
words; ``period_start``/``period_end``: the date range a total covers (GA4), else NULL;
``observed_at``: the response's ``Date`` (server time)."""

DECLARED = {TABLE: (PRIMARY_KEY, COLUMNS)}
"""``AccountLoop.tables`` entry of the table, to register as a variant of the resource."""

HINTS = dlt.mark.make_hints(**merge_hints(PRIMARY_KEY, COLUMNS, TABLE))


def count_of(value: Any) -> int | None:
    """A count as the APIs send it (an int, or a string of digits as YouTube does), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def reported(
    account: str,
    entity: str,
    total: Any,
    observed_at: datetime,
    loaded_table: str,
    *,
    brand_id: str | None = None,
    scope: str | None = None,
    period: tuple[date, date] | None = None,
) -> Iterator[Any]:
    """The ``reported_totals`` row of one total (nothing when the API gave no readable count:
    the check then says the total is missing, rather than comparing with a guess)."""
    count = count_of(total)
    if count is None:
        return
    row = {
        "account": account,
        "entity": entity,
        "loaded_table": loaded_table,
        "reported_total": count,
        "brand_id": brand_id,
        "scope": scope,
        "period_start": period[0] if period else None,
        "period_end": period[1] if period else None,
        "observed_at": observed_at,
    }
    yield dlt.mark.with_hints(row, HINTS, create_table_variant=True)
