"""Brevo's list counts six months of events only: over a year of campaigns the first run reads
the older ones one by one and still loads every campaign's whole-life totals (oracle: the
brevo manifest of the last day). Long: it builds a 365-day world of the Brevo vendor."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from tests.brevo.test_source import expected, loaded
from tests.sources.support import load_source, requests_seen

LAST_DAY = date(2026, 10, 31)  # the default world's last day: 2025-11-01 + 364


@pytest.mark.long
def test_a_first_run_over_a_year_reads_old_campaigns_from_their_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_ambient_secrets: None
) -> None:
    monkeypatch.setenv("SANDBOX_VENDORS", "brevo")  # Meta is kept: the generator needs it
    world = tmp_path / "year.duckdb"
    generate(world, spec=WorldSpec())
    with run_in_thread(world, today=LAST_DAY, faults="") as url, requests_seen("/brevo") as seen:
        db = load_source("brevo", url, tmp_path, "brevo_year", page_size=100)
    assert any("/emailCampaigns/" in u for u in seen)  # reports read one by one
    assert loaded(db, LAST_DAY) == expected(world, LAST_DAY)
