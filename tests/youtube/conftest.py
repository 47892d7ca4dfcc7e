"""One small world per module run, served over HTTP; no ambient YouTube secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from tests.youtube.support import DAYS, START, TODAY, reset


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SOURCES__YOUTUBE__") or name == "PULSE_PSEUDONYMISATION_KEY":
            monkeypatch.delenv(name)


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("yt_world") / "world.duckdb"
    generate(path, spec=WorldSpec(start=START, days=DAYS))
    return path


@pytest.fixture(scope="package")
def sandbox_url(world: Path) -> Iterator[str]:
    with run_in_thread(world, today=TODAY, faults="") as url:
        yield url


@pytest.fixture()
def clock(sandbox_url: str) -> Iterator[str]:
    """The sandbox at TODAY, faults off, before and after the test."""
    reset(sandbox_url)
    yield sandbox_url
    reset(sandbox_url)
