"""Trustpilot fixtures: one small world for the whole package, no ambient secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.world.generator import WorldSpec, generate
from tests.trustpilot.support import DAYS, START


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass secrets explicitly; ambient ones must not leak in."""
    for name in list(os.environ):
        if name.startswith("SOURCES__TRUSTPILOT__") or name == "PULSE_PSEUDONYMISATION_KEY":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-day world for the committed registry (two Trustpilot business units)."""
    path = tmp_path_factory.mktemp("tp_world") / "world.duckdb"
    generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path
