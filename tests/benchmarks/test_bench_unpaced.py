"""A replay from disk has no vendor to pace itself for: HubSpot's wait between searches (five
a second per account, ``docs/sources/hubspot.md``) is off inside ``unpaced`` and back after."""

from __future__ import annotations

from typing import Any

import pytest

import ingestion.hubspot as hubspot
from benchmarks.bench_ingest import unpaced


def test_hubspot_searches_unpaced_only_inside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__HUBSPOT__ACCESS_TOKEN", "not-a-secret")
    monkeypatch.delenv("SOURCES__HUBSPOT__SEARCH_INTERVAL_S", raising=False)
    intervals: list[float] = []
    limits = hubspot.SearchLimits

    def recorded(*args: Any) -> Any:
        intervals.append(args[2])
        return limits(*args)

    monkeypatch.setattr(hubspot, "SearchLimits", recorded)
    with unpaced():
        hubspot.hubspot_source()
    hubspot.hubspot_source()
    assert intervals[0] == 0.0
    assert intervals[1] >= 0.2  # at most five searches a second
