"""The per-account loop every resource shares (``ingestion.accounts.AccountLoop``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ingestion.accounts import AccountLoop
from ingestion.quarantine import Bad, InvalidRecord, Quarantine

AT = datetime(2025, 12, 10, 9, 30, tzinfo=UTC)


def extract(brand_id: str, account: str) -> Iterator[Any]:
    """Account a1: three rows, a bad record, an item of another table; a2: one bad record."""
    if account == "a1":
        yield from ({"id": n, "brand": brand_id} for n in range(3))
        yield Bad({"id": "x9"}, InvalidRecord("missing required 'created_at'"), AT)
        yield "child-table item"
    else:
        yield Bad({"no": "id"}, "no statistics returned", AT, record_id="a2/7")


def test_rows_batched_bad_records_quarantined_others_passed_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def arrow(table: str, rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
        return (table, [r["id"] for r in rows])

    quarantine = Quarantine("demo", {"id"})
    loop = AccountLoop([("b1", "a1"), ("b2", "a2")], quarantine, arrow, flush_rows=2)
    with caplog.at_level(logging.INFO):
        items = list(loop.rows("posts", extract))

    assert items[0] == ("posts", [0, 1])  # flushed at two rows
    # one list of quarantined rows per account, after the account's rows
    marked = [item for item in items[1:] if hasattr(item, "data")]
    assert [len(item.data) for item in marked] == [1, 1]
    quarantined = [dict(row) for item in marked for row in item.data]
    assert [(q["source"], q["resource"], q["record_id"], q["reason"]) for q in quarantined] == [
        ("demo", "posts", "x9", "missing required 'created_at'"),
        ("demo", "posts", "a2/7", "no statistics returned"),
    ]
    assert quarantined[0]["quarantine_date"] == AT.date()
    assert "child-table item" in items
    assert ("posts", [2]) in items  # the rest of a1's rows, at the end of the account
    lines = [r.getMessage() for r in caplog.records if r.name == "ingestion.accounts"]
    assert lines == [
        "demo/posts: account a1: 3 rows, 1 quarantined",
        "demo/posts: account a2: 0 rows, 1 quarantined",
    ]


def hinted(table: str, n: int, extra: str = "") -> Any:
    import dlt

    hints = dlt.mark.make_hints(table_name=table, primary_key=f"id{extra}")
    return dlt.mark.with_hints({"id": n}, hints, create_table_variant=True)


def test_single_hinted_rows_pass_on_as_one_list_per_table_and_account() -> None:
    """dlt computes and validates a marked item's table schema per item: a campaign's
    links, one marked row each, reach it as one list per table and account, in order; a row
    with other hints for the same table starts a new list; ``flush_rows`` bounds a list."""

    def links(brand_id: str, account: str) -> Iterator[Any]:
        if account == "a1":
            for n in range(5):
                yield hinted("links", n)
                yield hinted("stats", n)
            yield hinted("links", 5, extra="_other")  # other hints: a list of its own
        else:
            yield hinted("links", 9)

    loop = AccountLoop([("b1", "a1"), ("b2", "a2")], Quarantine("demo", {"id"}), None,
                       flush_rows=4)  # fmt: skip
    items = list(loop.rows("campaigns", links))
    got = [(i.meta.hints["table_name"], [r["id"] for r in i.data]) for i in items]
    assert got == [
        ("links", [0, 1, 2, 3]),  # full at four
        ("stats", [0, 1, 2, 3]),
        ("links", [4]),  # the other hints came
        ("stats", [4]),  # end of account a1
        ("links", [5]),
        ("links", [9]),  # account a2
    ]
    assert items[4].meta.hints["primary_key"] == "id_other"
