"""The replay ``make demo`` runs, on a small world, shared by the tests that read its result.

``orchestration.demo.main`` backfills a 30-day world ``DAILY_DAYS`` days before its last day,
runs every source's ingestion each day with the sandbox clock advancing, and
``transform_and_publish`` on the last day. It runs once per test session (a full replay and
build take about three minutes); the tests only read the warehouse, the published copy and
what the demo printed.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from filelock import FileLock

from sandbox.world.generator import WorldSpec, generate
from tests.e2e.post_truth import WorldTruth

START = date(2025, 11, 1)
DAYS = 30
LAST = START + timedelta(days=DAYS - 1)  # the sandbox's default today: the last generated day
DAILY_DAYS = 3
BACKFILL = LAST - timedelta(days=DAILY_DAYS)
SIMULATED = [BACKFILL + timedelta(days=i) for i in range(DAILY_DAYS + 1)]


@pytest.fixture(scope="session")
def demo_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo's ``main`` on a small world, every sandbox clock answer recorded; the
    environment it needs is set for the replay only. Under xdist the two workers share one
    replay (built by the first to ask, behind a file lock; the tests only read it): each
    building its own cost five minutes of ``make test``."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:
        yield _replay(tmp_path_factory.mktemp("replay"))
        return
    shared = tmp_path_factory.getbasetemp().parent / f"demo_replay_{run_id}"
    shared.mkdir(exist_ok=True)
    with FileLock(str(shared / "build.lock")):
        done = shared / "replay.json"
        if not done.exists():
            run = _replay(shared / "replay")
            kept = {k: run[k] for k in ("code", "out", "clock")}
            done.write_text(json.dumps(kept))
    kept = json.loads(done.read_text())
    clock = [(action, answer) for action, answer in kept["clock"]]
    tmp = shared / "replay"
    yield {**kept, "clock": clock, "tmp": tmp, "world": tmp / "world.duckdb"}


def _replay(tmp: Path) -> dict[str, Any]:
    """Run the demo's ``main`` into ``tmp``: exit code, printed output, clock answers."""
    from orchestration import demo

    tmp.mkdir(parents=True, exist_ok=True)
    world = tmp / "world.duckdb"
    generate(world, spec=WorldSpec(start=START, days=DAYS))
    (tmp / "dagster_home").mkdir()
    saved = dict(os.environ)
    os.environ.update(
        {
            "PULSE_WAREHOUSE": str(tmp / "warehouse.duckdb"),
            "PULSE_PUBLISHED": str(tmp / "published.duckdb"),
            "PULSE_DLT_DIR": str(tmp / "dlt"),
            "PULSE_PSEUDONYMISATION_KEY": "e2e-pseudonymisation-key-0123456789abcdef",
            "DAGSTER_HOME": str(tmp / "dagster_home"),
        }
    )
    clock_answers: list[tuple[str, dict[str, str]]] = []
    read_clock = demo.sandbox_clock

    def spy(base_url: str, action: str = "", **params: Any) -> dict[str, str]:
        answer = read_clock(base_url, action, **params)
        clock_answers.append((action or "read", answer))
        return answer

    import orchestration.definitions as definitions

    out = io.StringIO()
    demo.sandbox_clock = spy
    try:
        importlib.reload(definitions)  # the resources read the warehouse paths when defined
        with contextlib.redirect_stdout(out):
            code = demo.main(
                ["--world", str(world), "--port", "0", "--daily-days", str(DAILY_DAYS)]
            )
    finally:
        demo.sandbox_clock = read_clock
        os.environ.clear()
        os.environ.update(saved)
    return {"code": code, "out": out.getvalue(), "clock": clock_answers, "tmp": tmp, "world": world}


def read_warehouse(run: dict[str, Any], sql: str) -> list[tuple]:
    """Rows of ``sql`` on a run's warehouse, read-only."""
    con = duckdb.connect(str(run["tmp"] / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def replay(demo_replay: dict[str, Any]) -> dict[str, Any]:
    """The replay, which must have succeeded for its warehouse to mean anything."""
    assert demo_replay["code"] == 0, demo_replay["out"][-3000:]
    return demo_replay


@pytest.fixture(scope="session")
def replay_truth(replay: dict[str, Any]) -> WorldTruth:
    """The generator's truth of the replay's world, each day's manifest built once a session."""
    return WorldTruth(replay["world"], START, LAST)
