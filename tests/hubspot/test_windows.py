"""A late failure in HubSpot's backfill keeps what the earlier page windows loaded.

HubSpot's search answers oldest first, so a window that stops after its page budget has loaded
everything modified up to its newest record: the cursor moves there and the next window (or
the rerun) searches on from it (less the lookback). Here the backfill runs in windows of 3
pages of 100 contacts, with a 5xx planted on every search of the LAST window (the window count
is taken from a clean run, only to place the fault). Oracles: the manifest and the loaded rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.run import run_source
from ingestion.windows import RunLimits, WindowFailed, current_window
from tests.hubspot.test_source import check_equals_manifest
from tests.reliability.test_page_windows import committed_state, fault_in_window
from tests.sources.support import TODAY, Sandbox, factory_kwargs, query, vendor_truth

LIMITS = RunLimits(window_pages=3)
SEARCH = "/search"


@contextmanager
def windows_seen() -> Iterator[dict[str, int]]:
    """The highest window number and the search requests sent while it is open."""
    seen = {"last": 0, "searches": 0}
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        seen["last"] = max(seen["last"], current_window() or 0)
        seen["searches"] += SEARCH in url
        return original(self, method, url, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


def run(db: Path, url: str) -> None:
    kwargs = factory_kwargs("hubspot", url, page_size=100, search_interval_s=0.0)
    run_source("hubspot", db, pipeline_name="pages_hubspot", limits=LIMITS, **kwargs)


def test_a_failure_in_the_last_window_keeps_the_earlier_ones(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    want = vendor_truth(sandbox.world, "hubspot", TODAY)
    with windows_seen() as clean:
        run(tmp_path / "clean.duckdb", sandbox.url)
    last = clean["last"]
    assert last >= 3, "the backfill must commit at least two windows before the last"

    db = tmp_path / "w.duckdb"
    with fault_in_window(last, SEARCH) as planted, pytest.raises(WindowFailed) as failed:
        run(db, sandbox.url)
    assert planted and sandbox.fired().get("server_error", 0) > 0, "the fault never fired"
    assert re.search(rf"hubspot: window {last}/\S+ failed", str(failed.value))
    assert f"windows 1-{last - 1} are loaded" in str(failed.value)

    # The earlier windows' contacts are loaded, once each, and the cursor sits at the newest.
    loaded = query(db, "select portal_id, contact_id, updated_at from raw_hubspot.contacts")
    ids = [(portal, cid) for portal, cid, _ in loaded]
    assert len(ids) == len(set(ids))
    truth = {(p, c) for p, t in want["portals"].items() for c in t["contacts"]}
    assert set(ids) < truth, "some contacts loaded, not all, none unknown"
    cursors = committed_state(db, "hubspot")["cursors"]
    for portal in {p for p, _, _ in loaded}:
        newest = max(u for p, _, u in loaded if p == portal)
        assert cursors[f"{portal}:contacts"] == newest.isoformat(), portal

    # The rerun completes the load from the cursor, not from the beginning.
    with windows_seen() as rerun:
        run(db, sandbox.url)
    check_equals_manifest(db, want)
    assert rerun["searches"] < clean["searches"]
