"""Unit tests of the shared validation, quarantine rows and pseudonymisation (Meta's header
parsing: tests/meta/test_units.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from ingestion.privacy import PseudonymisationKeyMissing, Pseudonymiser, resolve_key
from ingestion.quarantine import (
    Bad,
    InvalidRecord,
    Quarantine,
    nested_obj,
    parse_int,
    parse_timestamp,
    record_id_of,
    req_id,
    row_or_bad,
)


def test_parsers_accept_meta_shapes_and_refuse_the_rest() -> None:
    assert parse_timestamp("2025-03-02T09:00:00+0000") == datetime(2025, 3, 2, 9, tzinfo=UTC)
    assert parse_int("42") == 42 and parse_int(7.0) == 7
    for bad in (True, 1.5, "many", None):
        with pytest.raises(InvalidRecord):
            parse_int(bad)
    with pytest.raises(InvalidRecord, match="not a non-empty string id"):
        req_id({"id": 123}, "id")
    with pytest.raises(InvalidRecord, match="missing required 'id'"):
        req_id({}, "id")


def test_nested_obj_is_an_empty_or_copied_object_and_refuses_the_rest() -> None:
    raw = {"snippet": {"title": "a"}}
    got = nested_obj(raw["snippet"], "snippet")
    got["title"] = "changed by a caller"
    assert raw == {"snippet": {"title": "a"}}  # the raw payload kept for quarantine is intact
    assert nested_obj(None, "snippet") == {}
    with pytest.raises(InvalidRecord, match="'snippet' is not an object: \\['a'\\]"):
        nested_obj(["a"], "snippet")


def test_row_or_bad_yields_the_row_or_the_record_with_its_reason() -> None:
    when = datetime(2025, 12, 1, tzinfo=UTC)
    assert row_or_bad(lambda: {"n": 1}, {"raw": 1}, when, "acc") == {"n": 1}
    bad = row_or_bad(lambda: req_id({}, "id"), {"raw": 1}, when, "acc")
    assert bad == Bad({"raw": 1}, bad.error, when, record_id="acc")
    assert bad.reason == "missing required 'id'"
    with pytest.raises(ZeroDivisionError):  # a bug, not a bad record: never swallowed
        row_or_bad(lambda: 1 // 0, {}, when)


def test_quarantine_row_names_the_record_and_counts() -> None:
    q = Quarantine("meta")
    when = datetime(2025, 12, 1, 23, 59, 59, tzinfo=UTC)
    item = q.row("facebook_posts", {"id": "p1", "x": 1}, "bad time", when)
    row = item.data
    assert row["record_id"] == "p1" and row["reason"] == "bad time"
    assert json.loads(row["payload"]) == {"id": "p1", "x": 1}
    assert row["quarantine_date"] == date(2025, 12, 1)
    assert q.counts["facebook_posts"] == 1
    assert record_id_of({"no": "id"}).startswith("missing-id:")


def test_pseudonymiser_is_keyed_and_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = Pseudonymiser("k1"), Pseudonymiser("k2")
    assert a("Alice") == a("Alice") != b("Alice")
    assert a(None) is None
    monkeypatch.delenv("PULSE_PSEUDONYMISATION_KEY", raising=False)
    with pytest.raises(PseudonymisationKeyMissing, match="PULSE_PSEUDONYMISATION_KEY"):
        resolve_key(None, source="meta")
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", "env-key")
    assert resolve_key(None) == "env-key" and resolve_key("explicit") == "explicit"
