"""A page's fingerprint (``ingestion.incremental.fingerprint``) is equal for equal items and
differs for items JSON tells apart; CursorTrail compares pages by it."""

from __future__ import annotations

import json

import pytest

from ingestion.http import SourceError
from ingestion.incremental import CursorTrail, fingerprint


def test_equal_items_equal_fingerprints() -> None:
    page = json.loads('[{"id": "1", "n": 2, "m": {"b": 1, "a": [1.5, null]}}]')
    reordered = json.loads('[{"m": {"a": [1.5, null], "b": 1}, "n": 2, "id": "1"}]')
    assert fingerprint(page) == fingerprint(reordered)


@pytest.mark.parametrize("other", [[{"n": 1.0}], [{"n": True}], [{"n": "1"}], [{"n": 1}, {}]])
def test_items_json_tells_apart_differ(other: list) -> None:
    assert fingerprint([{"n": 1}]) != fingerprint(other)


def test_integer_past_64_bits() -> None:  # orjson refuses it: the standard encoder takes over
    big = [{"id": 2**70}]
    assert fingerprint(big) == fingerprint([{"id": 2**70}]) != fingerprint([{"id": 2**70 + 1}])


def test_a_repeated_page_stops_the_listing() -> None:
    trail = CursorTrail("src", "account 1", "items")
    trail.read([{"id": 1, "v": "a"}], "offset 0")
    trail.read([{"id": 2, "v": "a"}], "offset 1")
    with pytest.raises(SourceError, match="offset 2 repeats a page"):
        trail.read([{"v": "a", "id": 1}], "offset 2")
