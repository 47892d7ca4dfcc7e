"""Test-wide settings (no telemetry: there is no network) and the fixtures every source's
tests share: the small world and the sandbox serving it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

for name, value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    # refresh tokens the sandbox rotates go to a file of this test process, never .dlt/
    "PULSE_TOKEN_STORE": str(Path(tempfile.mkdtemp(prefix="pulse-tokens-")) / "rotated.json"),
}.items():
    os.environ[name] = value

from tests.sources.support import TODAY, Sandbox, small_world  # noqa: E402 (after the settings)


def pytest_configure(config: pytest.Config) -> None:
    """Prepare the dbt manifest once (``dbt parse``), before xdist workers start and import
    the Dagster definitions, so every test sees the project as it is in the checkout."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from orchestration.dbt_project import prepare

        prepare()


# The files whose session or module fixtures take minutes, longest first. xdist hands whole
# files to its workers in collection order (--no-loadscope-reorder in pyproject.toml), so
# putting these first starts the long fixtures at once, one per worker, instead of leaving one
# worker waiting on a lock for the demo replay or finishing alone on a long file at the end.
SLOW_FIRST = (
    "tests/e2e/test_demo_replay.py",  # builds the demo replay the other e2e files read
    "tests/e2e/test_pipeline.py",  # its own world through refresh_everything
    "tests/security/test_no_secret_in_artefacts.py",  # every source under faults
    "tests/dbt/test_dbt_build.py",  # builds the dbt fixture warehouse tests/dbt read
    "tests/spark/test_spark_smoke.py",  # that warehouse's raw tables built on Spark (~70 s)
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the files of ``SLOW_FIRST`` first, in that order; the rest keep theirs."""
    rank = {path: n for n, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


# --- the sources' tests: one small world and one sandbox per test process -----------------------


@pytest.fixture(scope="session")
def sources_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 40-day world every source's tests read (tests/sources/support.py). The sandbox is
    served over this name, not ``world``: a folder that overrides ``world`` (tests/meta reuses
    tests/sandbox's 45-day world) must not decide, for the whole session, which world the
    session-wide sandbox serves to every other folder."""
    return small_world(tmp_path_factory.mktemp("small_world"))


@pytest.fixture(scope="session")
def world(sources_world: Path) -> Path:
    """The world the sandbox serves (``sources_world``)."""
    return sources_world


@pytest.fixture(scope="session")
def sandbox_server(sources_world: Path) -> Iterator[Sandbox]:
    """The sandbox over ``sources_world``, served once per test process (tests use
    ``sandbox``)."""
    from sandbox.server import run_in_thread

    # X's 429s then say "retry now" instead of two seconds: fast throttling tests.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SANDBOX_X_RATE_RESET_S", "0")
        with run_in_thread(sources_world, today=TODAY, faults="") as url:
            yield Sandbox(url, sources_world)


SPARSE_SNAPSHOT_AGES = "[0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28]"
"""The default schedule of ingestion/snapshot_ages.py (a week daily, then D+14, D+21, D+28)."""


@pytest.fixture()
def sparse_snapshot_ages(no_ambient_secrets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Meta, LinkedIn, YouTube and TikTok read metrics on the sparse schedule, set explicitly
    (it is also the default): for the tests of the schedule itself (set after the ambient
    settings are cleared)."""
    for source in ("META", "LINKEDIN", "YOUTUBE", "TIKTOK"):
        monkeypatch.setenv(f"SOURCES__{source}__SNAPSHOT_AGES", SPARSE_SNAPSHOT_AGES)


@pytest.fixture()
def no_ambient_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass settings and secrets explicitly; the developer's own must not leak in."""
    for name in list(os.environ):
        if name.startswith("SOURCES__") or name == "PULSE_PSEUDONYMISATION_KEY":
            monkeypatch.delenv(name)


@pytest.fixture()
def sandbox(sandbox_server: Sandbox, no_ambient_secrets: None) -> Iterator[Sandbox]:
    """The sandbox at TODAY with no fault, before and after the test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()
