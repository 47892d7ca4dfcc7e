"""The world and the sandbox every Matomo test runs against; each test starts on the same
sandbox day with no fault planted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox.server import run_in_thread
from tests.ga4.support import TODAY, clean_env, make_world, set_faults


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def sandbox(world: Path) -> Iterator[str]:
    clean_env()
    with run_in_thread(world, today=TODAY) as url:
        yield url


@pytest.fixture(autouse=True)
def _reset(sandbox: str) -> None:
    requests.post(f"{sandbox}/_sandbox/clock/set", params={"today": TODAY.isoformat()}, timeout=5)
    set_faults(sandbox, "off")
