"""LinkedIn fixtures: one small world per session, served over real HTTP in a thread."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import run_in_thread
from sandbox.world.generator import generate
from tests.linkedin.support import SMALL, TODAY, LinkedIn


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass secrets and settings explicitly; ambient ones must not leak in."""
    for name in list(os.environ):
        if name.startswith("SOURCES__LINKEDIN__") or name == "PULSE_PSEUDONYMISATION_KEY":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def li_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("linkedin_world") / "world.duckdb"
    generate(path, spec=SMALL)
    return path


@pytest.fixture(scope="session")
def li_base(li_world: Path) -> Iterator[str]:
    with run_in_thread(li_world, faults="") as url:
        yield url


@pytest.fixture(scope="session")
def li(li_base: str) -> LinkedIn:
    return LinkedIn(li_base)


@pytest.fixture()
def clock(li: LinkedIn) -> Iterator[LinkedIn]:
    """Tests that move the clock or set faults get them reset afterwards."""
    yield li
    li.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
    li.control("PUT", "/faults", data="none")
