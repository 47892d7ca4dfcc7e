"""A field an API adds tomorrow never lands in clear (issue 12, point 3).

Every source is loaded from the sandbox while every object the vendor answers (each element of
a list, and each object with an ``id``) carries one more field, ``surprise_field``, holding a
name and an e-mail address, and the first record of each list also has a field the source
parses strictly set to a value it must refuse (``BREAK``), so it is quarantined with the
surprise field in its payload. Nothing the source has not reviewed may store it in clear: the
sources that carry unknown fields as new columns store its keyed hash (the oracle is
``keyed_hash``, computed by hand in tests/sources/support.py), the others drop it, and the
quarantine payload keeps its name without its value. Every column of every table of the
source's datasets (raw, dlt's staging, quarantine) is searched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from tests.sources.support import Sandbox, keyed_hash, load_source

SURPRISE_FIELD = "surprise_field"
SURPRISE = "Jane Doe jane@example.com"
CLEAR_PARTS = ("Jane Doe", "jane@example.com")

# Sources that load unknown fields as new columns, keyed: the tables where the column must
# appear with the keyed hash (the proof the field reached the row builder and was protected).
HASHED = {
    "linkedin": ("linkedin_comments", "linkedin_posts"),
    "google_business": ("reviews",),
    "trustpilot": ("reviews",),
    "matomo": ("visits",),
}
# Sources whose row builders pick known fields only: the field is dropped everywhere.
DROPPED = ("meta", "youtube", "x", "tiktok", "ga4")
# A field each source parses strictly: in the first record of a list it gets a value the
# source must refuse, so that record goes to quarantine carrying the surprise field.
BREAK = {
    "meta": ("created_time", "timestamp"),
    "youtube": ("snippet",),
    "x": ("created_at",),
    "tiktok": ("create_time",),
    "ga4": ("value",),
    "linkedin": ("createdAt", "created"),
    "google_business": ("createTime", "updateTime"),
    "trustpilot": ("createdAt",),
    "matomo": ("visitDuration",),
}


def inject(
    value: Any, breaks: tuple[str, ...], seen: dict[str, int], position: int | None = None
) -> None:
    """Add the surprise field to every list element object (``position`` is its index) and
    every object with an id, and break the ``breaks`` fields of the first element of each
    list; counts in ``seen``."""
    if isinstance(value, dict):
        if position is not None or "id" in value:
            value[SURPRISE_FIELD] = SURPRISE
            seen["objects"] += 1
        hit = [key for key in breaks if key in value] if position == 0 else []
        for key in hit:
            value[key] = "not a valid value"
        seen["broken"] += bool(hit)
        for child in list(value.values()):
            inject(child, breaks, seen)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            inject(item, breaks, seen, position=i)


def surprise(monkeypatch: pytest.MonkeyPatch, source: str) -> dict[str, int]:
    """Every successful JSON answer the source receives is altered (``inject``); counts."""
    real = requests.Session.request
    seen = {"objects": 0, "broken": 0}

    def with_surprise(self: requests.Session, *args: Any, **kwargs: Any) -> Any:
        resp = real(self, *args, **kwargs)
        if resp.status_code != 200 or "json" not in resp.headers.get("Content-Type", ""):
            return resp
        body = resp.json()
        inject(body, BREAK[source], seen)
        resp._content = json.dumps(body).encode()
        return resp

    monkeypatch.setattr(requests.Session, "request", with_surprise)
    return seen


def string_cells(db: Path, source: str) -> dict[str, set[str]]:
    """``schema.table.column`` -> its distinct values as text, for every column of every
    table of the source's datasets (``raw_<source>`` and dlt's ``raw_<source>_staging``)."""
    cells: dict[str, set[str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in (?, ?)",
            [f"raw_{source}", f"raw_{source}_staging"],
        ).fetchall()
        for schema, table, column in columns:
            rows = con.execute(
                f'select distinct cast("{column}" as varchar) from {schema}."{table}" '
                f'where "{column}" is not null'
            ).fetchall()
            cells[f"{schema}.{table}.{column}"] = {value for (value,) in rows}
    return cells


def in_clear(cells: dict[str, set[str]]) -> list[str]:
    return sorted(
        name
        for name, values in cells.items()
        if any(part in value for value in values for part in CLEAR_PARTS)
    )


def quarantine_payloads(db: Path, source: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select payload from raw_{source}.quarantine").fetchall()
    return [payload for (payload,) in rows]


@pytest.mark.parametrize("source", sorted([*HASHED, *DROPPED]))
def test_a_new_field_is_hashed_or_dropped(
    source: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = surprise(monkeypatch, source)
    db = load_source(source, sandbox.url, tmp_path)
    assert seen["objects"] > 0 and seen["broken"] > 0, "the vendor's answers were not altered"
    cells = string_cells(db, source)
    assert any(values for values in cells.values()), "nothing was loaded"
    assert in_clear(cells) == []
    payloads = quarantine_payloads(db, source)
    assert any(SURPRISE_FIELD in p for p in payloads), "no quarantined record had the field"
    surprise_columns = {name for name in cells if name.endswith(f".{SURPRISE_FIELD}")}
    if source in DROPPED:
        assert surprise_columns == set()
        return
    keyed = keyed_hash(SURPRISE, source)
    for table in HASHED[source]:
        column = f"raw_{source}.{table}.{SURPRISE_FIELD}"
        assert cells.get(column) == {keyed}, column
