"""Sandbox fixtures: one small world per session, served over real HTTP in a thread."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import run_in_thread
from sandbox.world.generator import generate
from tests.sandbox.sandbox_support import SMALL, TODAY, Graph


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "world.duckdb"
    generate(path, spec=SMALL)
    return path


@pytest.fixture(scope="session")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The default world (3 brands, 365 days): built once per session, timed."""
    path = tmp_path_factory.mktemp("year") / "world.duckdb"
    started = time.perf_counter()
    generate(path)
    return path, time.perf_counter() - started


@pytest.fixture(scope="session")
def base_url(world: Path) -> Iterator[str]:
    with run_in_thread(world, faults="") as url:
        yield url


@pytest.fixture(scope="session")
def graph(base_url: str) -> Graph:
    return Graph(base_url)


@pytest.fixture(scope="session")
def manifest(graph: Graph) -> dict[str, Any]:
    return graph.control("GET", "/manifest", params={"today": TODAY.isoformat()})


@pytest.fixture()
def reset_clock(graph: Graph) -> Iterator[None]:
    yield
    graph.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
