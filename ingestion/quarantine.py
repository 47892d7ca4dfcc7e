"""Record validation and the ``quarantine`` table, shared by every source.

A record that does not match what a resource expects (missing key, id that is not a string,
unparseable timestamp, count that is not an integer) must neither break the whole load nor
vanish: it is written, with the reason and its raw payload, to the ``quarantine`` table of the
same dataset, counted and logged by name. Reasons say what is wrong, never which person: an id,
a string or an object that breaks the contract is described by its type and size (``describe``),
because it may be a person's id, name or text; only counts, flags and timestamps show their
value. The payload is where a value can be read, pseudonymised by the source first, and only
for the fields the source has reviewed (``reviewed_only``): a field the API added since is kept
by name with its type and size, never its value, since nobody has checked it holds no person.
Resources build rows with the ``req_*``/``opt_*`` helpers, which raise :class:`InvalidRecord`,
and hand each failure on as a :class:`Bad` record, which ``ingestion.accounts.AccountLoop``
turns into a row of :class:`Quarantine`.

The table is merged on (source, resource, record_id, quarantine_date): a bad record seen again
the same day is not duplicated; seen again the next day it gets a new row (it is still bad).
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dlt

logger = logging.getLogger(__name__)

QUARANTINE_TABLE = "quarantine"
QUARANTINE_COLUMNS: dict[str, dict[str, Any]] = {
    "source": {"data_type": "text", "nullable": False},
    "resource": {"data_type": "text", "nullable": False},
    "record_id": {"data_type": "text", "nullable": False},
    "reason": {"data_type": "text", "nullable": False},
    "payload": {"data_type": "text"},
    "quarantined_at": {"data_type": "timestamp"},
    "quarantine_date": {"data_type": "date", "nullable": False},
}
QUARANTINE_HINTS = dlt.mark.make_hints(
    table_name=QUARANTINE_TABLE,
    write_disposition="merge",
    primary_key=["source", "resource", "record_id", "quarantine_date"],
    columns=QUARANTINE_COLUMNS,
)


def add_quarantine_table(resource: Any) -> Any:
    """Register the ``quarantine`` table variant on a resource *before* its own hints are set.

    dlt builds a table variant from a copy of the resource's hints; registered first, the variant
    starts empty, so quarantine rows do not inherit the resource's columns and primary key.
    Call this on a bare ``dlt.resource(fn, name=...)``, then ``apply_hints`` for its own table.
    """
    resource.apply_hints(
        table_name=QUARANTINE_TABLE,
        write_disposition="merge",
        primary_key=list(QUARANTINE_HINTS["primary_key"]),
        columns={name: dict(hint) for name, hint in QUARANTINE_COLUMNS.items()},
        create_table_variant=True,
    )
    return resource


class InvalidRecord(ValueError):
    """A record that breaks the resource's contract; the message is the quarantine reason."""


# Anything a malformed record can make a row builder raise: quarantined, never fatal.
BAD_RECORD = (InvalidRecord, KeyError, TypeError, ValueError, AttributeError, IndexError)


def describe(value: Any) -> str:
    """A value's type and size, never its content: what a reason may say of a value that may
    be a person's id, name or text."""
    kind = type(value).__name__
    a = "an" if kind[0] in "aeiou" else "a"
    if value is None:
        return "null"
    if isinstance(value, str | bytes | list | tuple | dict | set):
        return f"{a} {kind} of length {len(value)}"
    return f"{a} {kind}"


def shown(value: Any) -> str:
    """A count's, flag's or timestamp's value for a reason (their content is not personal),
    cut to 40 characters; anything else only ``describe``d."""
    if isinstance(value, bool | int | float | str):
        return repr(value)[:40]
    return describe(value)


def reason_of(exc: Exception) -> str:
    """The quarantine reason for an exception raised by a row builder.

    An unexpected exception's message may quote the value that broke the code (a name, a
    text), so only its type and the line that raised it are kept."""
    if isinstance(exc, InvalidRecord):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"unexpected shape ({type(exc).__name__}{where})"


@dataclass(frozen=True)
class Bad:
    """A record a resource could not turn into a row, and why; ``AccountLoop`` quarantines it.

    ``error`` is the row builder's exception (its reason is ``reason_of``) or a reason already
    written; ``record`` is the payload to keep, redacted first where it holds personal data.
    """

    record: Any
    error: Exception | str
    fetched_at: datetime
    record_id: str | None = None

    @property
    def reason(self) -> str:
        return self.error if isinstance(self.error, str) else reason_of(self.error)


def row_or_bad(
    build: Callable[[], Any], record: Any, fetched_at: datetime, record_id: str | None = None
) -> Any:
    """``build()``'s row, or a :class:`Bad` keeping ``record`` when the record breaks it.

    For one-record resources (an account's daily snapshot), which yield exactly one of the two.
    """
    try:
        return build()
    except BAD_RECORD as exc:
        return Bad(record, exc, fetched_at, record_id=record_id)


def _get(record: Mapping[str, Any], key: str) -> Any:
    if type(record) is dict:  # decoded JSON: skips the ABC check, 1.4 million per Matomo replay
        return record.get(key)
    if not isinstance(record, Mapping):
        raise InvalidRecord(f"record is a {type(record).__name__}, not an object")
    return record.get(key)


def req_id(record: Mapping[str, Any], key: str) -> str:
    """A required id: a non-empty string (Graph ids exceed 2**53, so numbers mean a broken feed)."""
    value = _get(record, key)
    if value is None:
        raise InvalidRecord(f"missing required {key!r}")
    if not isinstance(value, str) or not value:
        raise InvalidRecord(f"{key!r} is not a non-empty string id (got {describe(value)})")
    return value


def opt_id(record: Mapping[str, Any], key: str) -> str | None:
    """An optional id: None or a non-empty string."""
    return None if _get(record, key) is None else req_id(record, key)


def _opt_of_type(record: Mapping[str, Any], key: str, kind: type, noun: str) -> Any:
    """An optional value that must be a ``kind`` when present."""
    value = _get(record, key)
    if value is not None and not isinstance(value, kind):
        raise InvalidRecord(f"{key!r} is not a {noun} (got {describe(value)})")
    return value


def opt_str(record: Mapping[str, Any], key: str) -> str | None:
    """Optional free text."""
    return _opt_of_type(record, key, str, "string")


def nested_obj(value: Any, key: str) -> dict[str, Any]:
    """An optional nested object (``value``, named ``key`` in the reason): absent -> ``{}``.

    Returns a copy, so a row builder can never alter the raw payload that a quarantine row may
    still have to keep.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRecord(f"{key!r} is not an object (got {describe(value)})")
    return dict(value)


def parse_timestamp(value: Any, key: str = "timestamp") -> datetime:
    """ISO 8601 (Meta's ``+0000`` included) or epoch seconds, as an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidRecord(f"{key!r} is not a parseable timestamp: {shown(value)}") from None
    else:
        raise InvalidRecord(f"{key!r} is not a parseable timestamp: {shown(value)}")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def req_ts(record: Mapping[str, Any], key: str) -> datetime:
    """A required timestamp."""
    value = _get(record, key)
    if value is None:
        raise InvalidRecord(f"missing required {key!r}")
    return parse_timestamp(value, key)


def parse_int(value: Any, key: str = "value") -> int:
    """An integer count: int, integral float or digit string; booleans and fractions are refused."""
    if isinstance(value, bool):
        raise InvalidRecord(f"{key!r} is not an integer: {shown(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise InvalidRecord(f"{key!r} is not an integer: {shown(value)}")


def opt_int(record: Mapping[str, Any], key: str) -> int | None:
    """An optional integer count."""
    value = _get(record, key)
    return None if value is None else parse_int(value, key)


def opt_bool(record: Mapping[str, Any], key: str) -> bool | None:
    """An optional boolean."""
    return _opt_of_type(record, key, bool, "boolean")


def record_id_of(record: Any, id_key: str = "id") -> str:
    """The record's id if it has a usable one, else a stable digest of its payload."""
    if isinstance(record, Mapping):
        value = record.get(id_key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    digest = hashlib.sha256(_dump(record).encode("utf-8")).hexdigest()[:16]
    return f"missing-id:{digest}"


def reviewed_only(payload: Any, reviewed: Collection[str]) -> Any:
    """``payload`` with the value of every field not in ``reviewed`` (names at any depth)
    replaced by its ``describe``: the shape of a record stays readable, a new field's content
    (which may name a person) does not land in the quarantine table."""
    if isinstance(payload, Mapping):
        return {
            key: reviewed_only(value, reviewed)
            if key in reviewed
            else f"<unreviewed field: {describe(value)}>"
            for key, value in payload.items()
        }
    if isinstance(payload, list | tuple):
        return [reviewed_only(item, reviewed) for item in payload]
    return payload


def _dump(payload: Any) -> str:
    return json.dumps(payload, default=str, sort_keys=True, ensure_ascii=False)


class Quarantine:
    """Builds quarantine rows for one source and keeps per-resource counts for the run summary.

    ``reviewed``: every field name (at any depth) the source reads or redacts; other fields'
    values are kept out of payloads (``reviewed_only``)."""

    def __init__(self, source: str, reviewed: Collection[str]) -> None:
        self.source = source
        self.reviewed = frozenset(reviewed)
        self.counts: Counter[str] = Counter()

    def row(
        self,
        resource: str,
        record: Any,
        reason: str,
        quarantined_at: datetime,
        *,
        record_id: str | None = None,
        redact: Callable[[Any], Any] | None = None,
    ) -> Any:
        """A dlt item routed to the ``quarantine`` table; logs a warning naming the record.

        ``redact`` rewrites the payload first (e.g. hashes commenter names), then fields the
        source has not reviewed lose their value: quarantine must not become a back door for
        personal data.
        """
        rid = record_id or record_id_of(record)
        payload = reviewed_only(redact(record) if redact else record, self.reviewed)
        self.counts[resource] += 1
        logger.warning("%s/%s: quarantined record %s: %s", self.source, resource, rid, reason)
        when = quarantined_at.astimezone(UTC)
        row = {
            "source": self.source,
            "resource": resource,
            "record_id": rid,
            "reason": reason,
            "payload": _dump(payload),
            "quarantined_at": when,
            "quarantine_date": when.date(),
        }
        return dlt.mark.with_hints(row, QUARANTINE_HINTS, create_table_variant=True)

    def summary(self, resource: str) -> None:
        """Log how many records of ``resource`` were quarantined this run (nothing if none)."""
        if self.counts[resource]:
            logger.warning(
                "%s/%s: %d record(s) quarantined this run, see table %s",
                self.source,
                resource,
                self.counts[resource],
                QUARANTINE_TABLE,
            )


def as_date(value: datetime | date) -> date:
    """The UTC calendar date of a timestamp (dates pass through)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return value
