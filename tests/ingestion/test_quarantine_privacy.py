"""Unit tests of the shared validation, quarantine rows and pseudonymisation (Meta's header
parsing: tests/meta/test_units.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from ingestion.privacy import (
    PseudonymisationKeyMissing,
    Pseudonymiser,
    lazy_pseudonymiser,
    resolve_key,
)
from ingestion.quarantine import (
    Bad,
    InvalidRecord,
    Quarantine,
    nested_obj,
    opt_str,
    parse_int,
    parse_timestamp,
    reason_of,
    record_id_of,
    req_id,
    row_or_bad,
)
from tests.sources.support import keyed_hash

MASTER = "a-master-key-of-forty-bytes-0123456789ab"  # 40 bytes
WHEN = datetime(2025, 12, 1, tzinfo=UTC)


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
    refused = "'snippet' is not an object \\(got a list of length 1\\)"
    with pytest.raises(InvalidRecord, match=refused):
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
    q = Quarantine("meta", {"id", "x"})
    when = datetime(2025, 12, 1, 23, 59, 59, tzinfo=UTC)
    item = q.row("facebook_posts", {"id": "p1", "x": 1}, "bad time", when)
    row = item.data
    assert row["record_id"] == "p1" and row["reason"] == "bad time"
    assert json.loads(row["payload"]) == {"id": "p1", "x": 1}
    assert row["quarantine_date"] == date(2025, 12, 1)
    assert q.counts["facebook_posts"] == 1
    assert record_id_of({"no": "id"}).startswith("missing-id:")


def test_quarantine_payload_keeps_only_reviewed_fields_in_clear() -> None:
    """A field the source has not reviewed (at any depth, in lists too) keeps its name and
    loses its value: it may name a person (issue 12, point 3)."""
    q = Quarantine("demo", {"id", "from", "data"})
    record = {
        "id": "p1",
        "newField": "Jane Doe",
        "from": {"id": "h1", "email": "jane@example.com"},
        "data": [{"id": "c1", "tags": ["Jane"]}],
    }
    payload = json.loads(q.row("posts", record, "bad", WHEN).data["payload"])
    assert payload == {
        "id": "p1",
        "newField": "<unreviewed field: a str of length 8>",
        "from": {"id": "h1", "email": "<unreviewed field: a str of length 16>"},
        "data": [{"id": "c1", "tags": "<unreviewed field: a list of length 1>"}],
    }
    assert record["newField"] == "Jane Doe"  # the caller's record is not altered


def test_pseudonymiser_is_keyed_and_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = Pseudonymiser("k1" * 16), Pseudonymiser("k2" * 16)
    assert a("Alice") == a("Alice") != b("Alice")
    assert a(None) is None
    monkeypatch.delenv("PULSE_PSEUDONYMISATION_KEY", raising=False)
    with pytest.raises(PseudonymisationKeyMissing, match="PULSE_PSEUDONYMISATION_KEY"):
        resolve_key(None, source="meta")
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", "env-key-" + "e" * 24)
    assert resolve_key(None) == "env-key-" + "e" * 24
    assert resolve_key(MASTER) == MASTER


def test_a_key_shorter_than_32_bytes_is_refused_naming_where_to_set_it() -> None:
    short = "only-31-bytes-long-key-01234567"
    assert len(short.encode()) == 31
    with pytest.raises(PseudonymisationKeyMissing) as info:
        resolve_key(short, source="trustpilot")
    message = str(info.value)
    assert "PULSE_PSEUDONYMISATION_KEY" in message
    assert "sources.trustpilot.pseudonymisation_key" in message
    assert "31 bytes" in message and short not in message
    assert resolve_key(short + "8") == short + "8"  # 32 bytes: enough
    with pytest.raises(PseudonymisationKeyMissing):
        Pseudonymiser("k" * 31)  # nobody hashes under a short key, derived or not
    with pytest.raises(PseudonymisationKeyMissing):
        Pseudonymiser.for_source("k" * 31, "meta")
    # Two-byte characters count as bytes: 16 of them are 32 bytes.
    assert resolve_key("é" * 16) == "é" * 16


def test_each_source_hashes_under_its_own_derived_key() -> None:
    """The oracle is keyed_hash: HMAC-SHA256 under HMAC-SHA256(master,
    "community-pulse/pseudonym/v1/<source>"), computed by hand in tests/sources/support.py."""
    person = "100000000000664"
    got = {
        source: Pseudonymiser.for_source(MASTER, source)(person)
        for source in ("meta", "linkedin", "youtube", "x", "trustpilot", "matomo")
    }
    assert got == {source: keyed_hash(person, source, MASTER) for source in got}
    assert len(set(got.values())) == len(got)  # one person, a different pseudonym per source
    assert Pseudonymiser(MASTER)(person) not in got.values()  # never the master key itself
    lazy = lazy_pseudonymiser(MASTER, source="google_business")
    assert lazy()("Louis R.") == keyed_hash("Louis R.", "google_business", MASTER)
    assert lazy() is lazy()


def test_reasons_describe_a_bad_value_without_showing_it() -> None:
    """A value that breaks an id, text or object contract may be a person's id, name or text:
    the reason names the field and the type, never the value. Counts keep their value."""
    person_values = {"9001": 9001, "Jane Doe": ["Jane Doe"], "jane@example.com": 7.5}
    reasons = []
    for shown, value in person_values.items():
        record = {"from_id": value, "name": value, "author": value}
        for check in (
            lambda r: req_id(r, "from_id"),
            lambda r: opt_str(r, "name"),
            lambda r: nested_obj(r["author"], "author"),
        ):
            bad = row_or_bad(lambda c=check, r=record: c(r), record, WHEN)
            assert isinstance(bad, Bad)
            assert shown not in bad.reason, bad.reason
            reasons.append(bad.reason)
    assert "'from_id' is not a non-empty string id (got an int)" in reasons
    assert "'name' is not a string (got a list of length 1)" in reasons
    assert "'author' is not an object (got a float)" in reasons
    with pytest.raises(InvalidRecord, match="'like_count' is not an integer: 'beaucoup'"):
        parse_int("beaucoup", "like_count")


def test_an_unexpected_error_keeps_its_type_and_line_not_its_message() -> None:
    def build() -> None:
        int("Jane Doe")  # ValueError: invalid literal for int() with base 10: 'Jane Doe'

    bad = row_or_bad(build, {"name": "Jane Doe"}, WHEN)
    assert isinstance(bad, Bad)
    assert bad.reason.startswith("unexpected shape (ValueError at test_quarantine_privacy.py:")
    assert "Jane" not in bad.reason
    assert "Jane" not in reason_of(KeyError("Jane Doe"))


def test_source_quarantine_rows_hold_no_raw_person_value() -> None:
    """Meta and LinkedIn comments whose author fields break the contract: the quarantine row
    (reason, record id, payload) holds the author's id and name only as keyed hashes."""
    from ingestion.linkedin import rows as linkedin
    from ingestion.meta import rows as meta

    hasher = Pseudonymiser.for_source(MASTER, "meta")
    comment = {"id": "c1", "from": {"id": 9001, "name": "Jane Doe"}, "created_time": "x"}
    bad = row_or_bad(lambda: meta.fb_comment(comment, "p1", "page", WHEN, hasher), comment, WHEN)
    assert isinstance(bad, Bad) and "'id'" in bad.reason
    payload = meta.redact_person_fields(comment, hasher)
    row = (
        Quarantine("meta", {"id", "from", "name"})
        .row("facebook_comments", payload, bad.reason, WHEN)
        .data
    )
    dumped = json.dumps(row, default=str)
    assert "9001" not in dumped and "Jane" not in dumped
    assert keyed_hash("9001", "meta", MASTER) in row["payload"]
    li_hasher = Pseudonymiser.for_source(MASTER, "linkedin")
    element = {"commentUrn": "urn:li:comment:(urn:li:activity:1,2)", "actor": "urn:li:person:ab"}
    element["agent"] = {"name": "Jane Doe"}
    with pytest.raises(InvalidRecord) as info:
        linkedin.comment(element, "urn:li:share:1", "42", WHEN, li_hasher)
    assert "Jane" not in str(info.value) and "'agent'" in str(info.value)


def test_x_partial_errors_keep_tweet_ids_and_pseudonymise_user_ids() -> None:
    """X partial errors (https://docs.x.com/x-api/fundamentals/response-codes-and-errors):
    a missing user's id is pseudonymised in the record id and payload, and the detail that
    repeats it is dropped; a missing tweet keeps its id (content, as everywhere)."""
    from ingestion.x import rows

    person = rows.person_key({"111"}, Pseudonymiser.for_source(MASTER, "x"))
    user = {
        "value": "2244994945",
        "detail": "Could not find user with id: [2244994945].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": "2244994945",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
    payload, reason, rid = rows.partial_error(user, person)
    assert rid == keyed_hash("2244994945", "x", MASTER)
    assert "2244994945" not in json.dumps([payload, reason, rid])
    assert reason == "Not Found Error (https://api.twitter.com/2/problems/resource-not-found)"
    tweet = {**user, "resource_type": "tweet", "value": "99", "resource_id": "99"}
    tweet["detail"] = "Could not find tweet with referenced_tweets.id: [99]."
    payload, reason, rid = rows.partial_error(tweet, person)
    assert rid == "99" and payload["resource_id"] == "99" and "[99]" in reason
    brand = {**user, "value": "111", "resource_id": "111"}
    assert rows.partial_error(brand, person)[2] == "111"  # a brand account stays in clear
    assert rows.partial_error("Jane Doe", person)[1] == "unreadable error entry (a str)"
