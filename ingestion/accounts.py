"""The loop every resource runs over the brand's accounts, written once.

A resource of any source does the same thing for each ``(brand_id, account)`` of the brand
registry: it asks the API, turns each record into a row, sets aside the records that break its
contract, and says what it loaded. A source describes only the middle part, as an *extract*
function of one account that yields

- rows (dicts) of the resource's own table,
- ``Bad`` records (the record, why, when it was fetched, its id if known), and
- ready items of other tables (a child-table batch, a hinted row), passed on as they are;

``AccountLoop.rows`` does the rest: rows go out as typed Arrow batches (dlt loads Arrow much
faster than dicts), ``Bad`` records go to the ``quarantine`` table under the resource's name,
single rows of other tables go out as one list per table (dlt checks each marked item's table
schema), each account gets one log line (rows loaded, records quarantined) and the run ends
with the quarantine summary of the resource.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import dlt
from dlt.extract.items import DataItemWithMeta
from dlt.extract.resource import DltResource

from ingestion.quarantine import Bad, Quarantine
from ingestion.tables import Columns, merge_resource

logger = logging.getLogger(__name__)

ARROW_FLUSH_ROWS = 20_000
"""Rows per Arrow batch at most: bounds memory on a large account."""

Extract = Callable[[Any, str], Iterable[Any]]
"""``extract(brand_id, account)``: the rows, ``Bad`` records and other items of one account."""

Table = Callable[..., Iterable[Any]]
"""``table(run, brand_id, account)``: a source's function for one table, named after the table;
bound to the source's run it is the table's ``Extract``."""

Arrow = Callable[[str, list[dict[str, Any]]], Any]
"""``arrow(table, rows)``: rows -> an Arrow table typed by the table's declared columns."""


@dataclass(frozen=True)
class AccountLoop:
    """One source's accounts, its quarantine, and how its rows become Arrow batches.

    ``tables`` maps each table to its (primary key, columns), as the source's settings declare
    them; ``resources`` reads it, so a source lists its table functions and nothing more.
    """

    accounts: Sequence[tuple[Any, str]]
    quarantine: Quarantine
    arrow: Arrow
    tables: Mapping[str, tuple[Sequence[str], Columns]] = field(default_factory=dict)
    flush_rows: int = ARROW_FLUSH_ROWS

    def rows(self, resource: str, extract: Extract) -> Iterator[Any]:
        """Every account's items for ``resource``: rows batched as Arrow, ``Bad`` records
        quarantined, single rows of other tables batched per table (``HintedRows``), anything
        else passed on; one log line per account, then the summary."""
        quarantine = self.quarantine
        for brand_id, account in self.accounts:
            batch: list[dict[str, Any]] = []
            held = HintedRows(self.flush_rows)
            loaded = quarantined = 0
            for item in extract(brand_id, account):
                if isinstance(item, dict):
                    batch.append(item)
                    if len(batch) >= self.flush_rows:
                        yield self.arrow(resource, batch)
                        loaded, batch = loaded + len(batch), []
                elif isinstance(item, Bad):
                    quarantined += 1
                    yield from held.add(
                        quarantine.row(
                            resource,
                            item.record,
                            item.reason,
                            item.fetched_at,
                            record_id=item.record_id,
                        )
                    )
                elif HintedRows.holds(item):
                    yield from held.add(item)
                else:
                    yield item
            if batch:
                yield self.arrow(resource, batch)
                loaded += len(batch)
            yield from held.flush()
            logger.info(
                "%s/%s: account %s: %d rows, %d quarantined",
                quarantine.source,
                resource,
                account,
                loaded,
                quarantined,
            )
        quarantine.summary(resource)

    def resource(
        self,
        name: str,
        extract: Extract,
        variants: Sequence[str] = (),
    ) -> DltResource:
        """A merge resource (``tables.merge_resource``) whose data is ``rows(name, extract)``;
        ``variants`` are the other tables it writes (child tables), declared in ``tables``."""

        def data() -> Iterator[Any]:
            yield from self.rows(name, extract)

        primary_key, columns = self.tables[name]
        return merge_resource(
            data, name, primary_key, columns, {table: self.tables[table] for table in variants}
        )

    def resources(
        self,
        run: Any,
        functions: Iterable[Table],
        variants: Mapping[str, Sequence[str]] | None = None,
    ) -> list[DltResource]:
        """One resource per table function, named after it, with ``run`` as its first argument;
        ``variants`` maps a table to the other tables its resource writes."""
        return [
            self.resource(fn.__name__, partial(fn, run), (variants or {}).get(fn.__name__, ()))
            for fn in functions
        ]


class HintedRows:
    """Single rows marked with another table's hints (a campaign's link, a quarantined
    record), held per table and passed on as one list per table and account. dlt computes and
    validates the table schema of every marked item it extracts: about 1.5 ms each (Brevo's
    replay from disk: 1.02 s less for 688 marked rows), once for a list."""

    def __init__(self, flush_rows: int) -> None:
        self.flush_rows = flush_rows
        self.held: dict[str, tuple[Any, list[dict[str, Any]]]] = {}

    @staticmethod
    def holds(item: Any) -> bool:
        """Whether ``item`` is one row (a dict) marked with table hints."""
        return (
            isinstance(item, DataItemWithMeta)
            and isinstance(item.data, dict)
            and bool(getattr(item.meta, "hints", None))
        )

    def add(self, item: DataItemWithMeta) -> Iterator[Any]:
        """Hold ``item``'s row; pass the table's rows on if its hints changed or it is full."""
        table = item.meta.hints.get("table_name")
        meta, rows = self.held.get(table, (item.meta, []))
        held_as = (meta.hints, meta.create_table_variant)
        if held_as != (item.meta.hints, item.meta.create_table_variant):
            yield from self._pass(table)
            meta, rows = item.meta, []
        rows.append(item.data)
        self.held[table] = (meta, rows)
        if len(rows) >= self.flush_rows:
            yield from self._pass(table)

    def flush(self) -> Iterator[Any]:
        """Every table's rows still held (rows of one table stay in their order)."""
        for table in list(self.held):
            yield from self._pass(table)

    def _pass(self, table: str) -> Iterator[Any]:
        meta, rows = self.held.pop(table, (None, []))
        if rows:
            yield dlt.mark.with_hints(
                rows, meta.hints, create_table_variant=meta.create_table_variant
            )


def declared(
    primary_keys: Mapping[str, Sequence[str]], columns: Mapping[str, Columns]
) -> dict[str, tuple[Sequence[str], Columns]]:
    """``AccountLoop.tables`` from a settings module's ``PRIMARY_KEYS`` and ``COLUMNS``."""
    return {table: (primary_keys[table], columns[table]) for table in primary_keys}
