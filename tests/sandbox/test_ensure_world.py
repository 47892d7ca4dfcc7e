"""`make demo` and `make ui` reuse the sandbox world on disk only if the current generator
wrote it: an older store lacks what the marts read (A/B tags, parent links)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

import sandbox.world.generator as generator
from sandbox.server import ensure_world


@pytest.fixture
def small_generate(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """ensure_world generating a 5-day world instead of the default year; records the calls."""
    calls: list[Path] = []
    real = generator.generate

    def generate(path: Path, progress=None) -> dict:
        calls.append(Path(path))
        return real(path, spec=generator.WorldSpec(start=date(2025, 11, 1), days=5))

    monkeypatch.setattr(generator, "generate", generate)
    return calls


def _version(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select generator_version from world").fetchone()[0]


def test_current_world_is_reused(tmp_path: Path, small_generate: list[Path]) -> None:
    world = tmp_path / "world.duckdb"
    ensure_world(world, progress=False)
    ensure_world(world, progress=False)
    assert small_generate == [world]


def test_world_of_an_older_generator_is_regenerated(
    tmp_path: Path, small_generate: list[Path]
) -> None:
    world = tmp_path / "world.duckdb"
    ensure_world(world, progress=False)
    with duckdb.connect(str(world)) as con:
        con.execute("update world set generator_version = '1'")
    ensure_world(world, progress=False)
    assert small_generate == [world, world]
    assert _version(world) == generator.GENERATOR_VERSION
