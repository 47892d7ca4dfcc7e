"""A field an API adds tomorrow never lands in clear (issue 12, point 3).

Every source is loaded from the sandbox while every object the vendor answers (each element of
a list, and each object with an ``id``) carries one more field, ``surprise_field``, holding a
name and an e-mail address. Nothing the source has not reviewed may store it in clear: the
sources that carry unknown fields as new columns store its keyed hash (the oracle is
``keyed_hash``, computed by hand in tests/sources/support.py), the others drop it. Every
column of every table of the source's datasets (raw, dlt's staging, quarantine) is searched.
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


def inject(value: Any, inside_list: bool = False) -> int:
    """Add the surprise field to every list element object and every object with an id;
    how many objects got it."""
    added = 0
    if isinstance(value, dict):
        if inside_list or "id" in value:
            value[SURPRISE_FIELD] = SURPRISE
            added += 1
        for child in list(value.values()):
            added += inject(child)
    elif isinstance(value, list):
        for item in value:
            added += inject(item, inside_list=True)
    return added


@pytest.fixture()
def surprising(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every successful JSON answer the sources receive gains the surprise field; counts."""
    real = requests.Session.request
    seen = {"objects": 0}

    def with_surprise(self: requests.Session, *args: Any, **kwargs: Any) -> Any:
        resp = real(self, *args, **kwargs)
        if resp.status_code != 200 or "json" not in resp.headers.get("Content-Type", ""):
            return resp
        body = resp.json()
        seen["objects"] += inject(body)
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


@pytest.mark.parametrize("source", sorted([*HASHED, *DROPPED]))
def test_a_new_field_is_hashed_or_dropped(
    source: str, sandbox: Sandbox, surprising: dict[str, int], tmp_path: Path
) -> None:
    db = load_source(source, sandbox.url, tmp_path)
    assert surprising["objects"] > 0, "the vendor's answers were not altered"
    cells = string_cells(db, source)
    assert any(values for values in cells.values()), "nothing was loaded"
    assert in_clear(cells) == []
    surprise_columns = {name for name in cells if name.endswith(f".{SURPRISE_FIELD}")}
    if source in DROPPED:
        assert surprise_columns == set()
        return
    keyed = keyed_hash(SURPRISE, source)
    for table in HASHED[source]:
        column = f"raw_{source}.{table}.{SURPRISE_FIELD}"
        assert cells.get(column) == {keyed}, column
