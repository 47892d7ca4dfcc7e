"""Kill and rerun: the run worker is SIGKILLed during a dlt load, during ``dbt build`` and
during publication; a rerun then leaves marts row for row those of a clean run, and the
published copy is the previous one or the new one, never half of each.

Each run is a child process (``tests.security.run_job``: a Dagster job in its own session,
on the project's Dagster instance settings), killed with its whole process group (the worker
and its ``dbt`` child, as when a container dies) the moment a marker shows that the step is
under way: a load package of dlt's with a completed job, a dbt model materialised, the
publication's temporary file. The world is the tests' small world (tests/sources/support.py)
served by a sandbox without faults.

Marts are compared with DuckDB, ``EXCEPT ALL`` both ways, DOUBLE columns compared at single
precision: two clean runs differ in the 16th digit of some sums and means (DuckDB's parallel
aggregation adds in no fixed order; 6 of 25 marts measured), and at single precision the
odds that such a pair rounds apart are about 2**-28 a value.

The scenarios take minutes (each builds the marts with dbt): they are ``long``. The default
run keeps ``test_a_publication_killed_midway_leaves_the_previous_copy``, on a synthetic mart.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.defs.publish import publish_marts
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL
from pulse_config.paths import PROJECT_ROOT
from tests.sources.support import PSEUDONYMISATION_KEY, TODAY, small_world

RUN_TIMEOUT_S = 1800
LONG_TIMEOUT_S = 3600  # the clean run (module fixture) counts in the first test's time
PUBLISH_ONLY = (
    "from dagster import AssetKey, DagsterInstance, materialize\n"
    "from orchestration.definitions import defs\n"
    "from orchestration.defs.resources import build_resources\n"
    "asset = defs.get_assets_def(AssetKey(['published', 'marts']))\n"
    "with DagsterInstance.get() as instance:\n"
    "    ok = materialize([asset], instance=instance, resources=build_resources()).success\n"
    "print('publish:', 'success' if ok else 'failed', flush=True)\n"
)
"""The publication step alone, as Dagster's "re-execute from failure" would run it."""


# --- comparing marts ------------------------------------------------------------------------


def marts_differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Per mart of either file: (rows only in left, rows only in right); empty if equal."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        columns = con.execute(
            "select table_catalog, table_name, list(column_name order by ordinal_position), "
            "list(data_type order by ordinal_position) from information_schema.columns "
            "where table_schema = 'marts' group by all"
        ).fetchall()
        tables: dict[str, dict[str, str]] = {}
        for catalog, table, names, types in columns:
            select = ", ".join(
                f'cast("{n}" as real)' if t == "DOUBLE" else f'"{n}"'
                for n, t in zip(names, types, strict=True)
            )
            tables.setdefault(table, {})[catalog] = f"select {select} from {catalog}.marts.{table}"
        differences = {}
        for table, sides in sorted(tables.items()):
            if set(sides) != {"l", "r"}:
                differences[table] = (-1, -1)  # a mart one side lacks
                continue
            only = [
                con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
                for a, b in ((sides["l"], sides["r"]), (sides["r"], sides["l"]))
            ]
            if any(only):
                differences[table] = (only[0], only[1])
        return differences
    finally:
        con.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- children and their kill ----------------------------------------------------------------


def kill_when(process: subprocess.Popen[Any], started: Callable[[], bool]) -> float:
    """SIGKILL ``process`` and its process group as soon as ``started()``; the seconds it ran.
    Fails the test if the process ended before the marker showed."""
    began = time.monotonic()
    while not started():
        if process.poll() is not None:
            pytest.fail(f"the run ended (code {process.returncode}) before the step started")
        if time.monotonic() - began > RUN_TIMEOUT_S:
            pytest.fail("the step never started")
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(60)
    return time.monotonic() - began


def free_dead_runs(home: Path) -> int:
    """Mark the runs of a killed worker failed and free the pool slots they held; the slots.

    Dagster keeps a killed run STARTED and its ``duckdb`` pool slot claimed (dagster.yaml
    limits the pool to 1), so without this every later step of that pool waits forever. The
    default run launcher cannot see a dead worker (``supports_check_run_worker_health`` is
    False): in production someone must mark the run failed in the UI and free its slots
    (Deployment > Concurrency), or ``run_monitoring`` fail it (``max_runtime_seconds``) and
    free them (``free_slots_after_run_end_seconds``)."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        held = [s.run_id for s in storage.get_concurrency_info(DUCKDB_POOL).claimed_slots]
        for run in instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED])):
            instance.report_run_failed(run)
            storage.free_concurrency_slots_for_run(run.run_id)
        return len(held)


class Runs:
    """Jobs of the project on one world and sandbox, each in a folder of its own."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env

    def files(self, name: str) -> dict[str, Path]:
        folder = self.root / name
        return {
            "folder": folder,
            "warehouse": folder / "warehouse.duckdb",
            "published": folder / "published.duckdb",
            "dlt": folder / "dlt",
            "log": folder / "run.log",
        }

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        """Start ``command`` (a job name, or ``-c`` code) on folder ``name``'s files."""
        files = self.files(name)
        home = files["folder"] / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)  # pool limit 1
        env = {
            **self.env,
            "DAGSTER_HOME": str(home),
            "PULSE_WAREHOUSE": str(files["warehouse"]),
            "PULSE_PUBLISHED": str(files["published"]),
            "PULSE_DLT_DIR": str(files["dlt"]),
        }
        args = command if command[0] == "-c" else ("-m", "tests.security.run_job", *command)
        with files["log"].open("ab") as log:
            return subprocess.Popen(
                [sys.executable, *args],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed whole
            )

    def kill_when(
        self, name: str, process: subprocess.Popen[Any], started: Callable[[], bool]
    ) -> tuple[float, int]:
        """``kill_when``, then what the operator must do before a rerun (``free_dead_runs``);
        (seconds the run lived, pool slots it held)."""
        ran = kill_when(process, started)
        return ran, free_dead_runs(self.files(name)["folder"] / "dagster_home")

    def run(self, name: str, *command: str) -> float:
        """Run to the end; the seconds taken. Fails the test unless the run succeeded."""
        began = time.monotonic()
        process = self.start(name, *command)
        assert process.wait(RUN_TIMEOUT_S) == 0
        log = self.files(name)["log"].read_text(errors="replace")
        assert log.rstrip().endswith("success"), log[-3000:]
        return time.monotonic() - began

    def copy(self, source: str, name: str, *keys: str) -> None:
        """Copy some files of folder ``source`` into folder ``name``."""
        src, dst = self.files(source), self.files(name)
        dst["folder"].mkdir(parents=True, exist_ok=True)
        for key in keys:
            if src[key].is_dir():
                shutil.copytree(src[key], dst[key])
            else:
                shutil.copy2(src[key], dst[key])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """A clean run (``ingest_everything`` then ``transform_and_publish``) in folder
    ``clean``; its raw warehouse and dlt state before the build are kept in ``raw``."""
    from sandbox.credentials import source_env
    from sandbox.server import run_in_thread

    root = tmp_path_factory.mktemp("kill")
    world = small_world(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_X_RATE_RESET_S", "0")
        with run_in_thread(world, today=TODAY, faults="") as url:
            env = {
                **os.environ,
                **source_env(url),
                "PULSE_PSEUDONYMISATION_KEY": PSEUDONYMISATION_KEY,
                "PULSE_TOKEN_STORE": str(root / "rotated_tokens.json"),
            }
            runs = Runs(root, env)
            timings = {"clean ingest": runs.run("clean", "ingest_everything")}
            runs.copy("clean", "raw", "warehouse", "dlt")
            timings["clean build"] = runs.run("clean", "transform_and_publish")
            print(f"\nclean run: {timings}")
            yield runs


# --- the scenarios ----------------------------------------------------------------------------


def _loading(dlt_dir: Path) -> Callable[[], bool]:
    """A load package some of whose jobs are loaded and the package not yet (dlt's layout:
    ``<pipeline>/load/normalized/<load id>/completed_jobs``)."""
    return lambda: any(dlt_dir.glob("*/load/normalized/*/completed_jobs/*"))


@pytest.mark.long
@pytest.mark.timeout(LONG_TIMEOUT_S)
def test_a_run_killed_during_a_dlt_load_then_rerun(runs: Runs) -> None:
    files = runs.files("load")
    process = runs.start("load", "ingest_everything")
    ran, slots = runs.kill_when("load", process, _loading(files["dlt"]))
    killed_in = sorted({p.parts[-6] for p in files["dlt"].glob("*/load/normalized/*/*/*")})
    print(f"\nkilled after {ran:.1f} s while loading {killed_in}, holding {slots} pool slots")
    rerun = runs.run("load", "ingest_everything")
    build = runs.run("load", "transform_and_publish")
    print(f"rerun {rerun:.0f} s, build {build:.0f} s")
    assert marts_differences(runs.files("clean")["published"], files["published"]) == {}
    assert marts_differences(runs.files("clean")["warehouse"], files["warehouse"]) == {}


def _dbt_built_a_model(log: Path) -> Callable[[], bool]:
    """The run's log shows a dbt model materialised: dbt is past its first model."""
    return lambda: log.exists() and b"dbt_models - ASSET_MATERIALIZATION" in log.read_bytes()


@pytest.mark.long
@pytest.mark.timeout(LONG_TIMEOUT_S)
def test_a_run_killed_during_dbt_build_then_rerun(runs: Runs) -> None:
    runs.copy("raw", "dbt", "warehouse", "dlt")
    files = runs.files("dbt")
    process = runs.start("dbt", "transform_and_publish")
    ran, slots = runs.kill_when("dbt", process, _dbt_built_a_model(files["log"]))
    print(f"\nkilled {ran:.1f} s into transform_and_publish, during dbt build")
    assert slots == 1  # dbt's slot of the duckdb pool: every later build would wait for it
    assert not files["published"].exists()  # nothing published from a half-built warehouse
    rerun = runs.run("dbt", "transform_and_publish")
    print(f"rerun {rerun:.0f} s")
    assert marts_differences(runs.files("clean")["published"], files["published"]) == {}
    assert marts_differences(runs.files("clean")["warehouse"], files["warehouse"]) == {}


@pytest.mark.long
@pytest.mark.timeout(LONG_TIMEOUT_S)
def test_a_run_killed_during_publication_then_rerun(runs: Runs) -> None:
    runs.copy("clean", "publish", "warehouse", "published", "dlt")
    files = runs.files("publish")
    previous = _digest(files["published"])
    tmp = files["published"].with_name(files["published"].name + ".tmp")
    process = runs.start("publish", "-c", PUBLISH_ONLY)
    _, slots = runs.kill_when("publish", process, tmp.exists)
    assert slots == 1 and tmp.exists()  # the kill landed inside the publication
    assert _digest(files["published"]) == previous
    runs.run("publish", "-c", PUBLISH_ONLY)
    assert not tmp.exists()
    assert _digest(files["published"]) != previous  # a new file, with the same marts
    assert marts_differences(runs.files("clean")["published"], files["published"]) == {}


# --- the smoke test of the default run ----------------------------------------------------------


def _publish(warehouse: str, published: str) -> None:
    """What the publish asset does: the writer slot, then the copy."""
    resource = Warehouse(path=warehouse, published=published)
    with resource.slot("publish the marts"):
        publish_marts(resource.file, resource.published_file)


def test_a_publication_killed_midway_leaves_the_previous_copy(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_posts as select 1 as post, 'previous' as version")
    publish_marts(warehouse, published)
    previous = _digest(published)
    with duckdb.connect(str(warehouse)) as con:  # a new build: enough rows for a slow copy
        con.execute(
            "create or replace table marts.fct_posts as select range as post, "
            "md5(range::varchar) as version from range(500000)"
        )
    tmp = published.with_name(published.name + ".tmp")
    child = multiprocessing.get_context("spawn").Process(
        target=_publish, args=(str(warehouse), str(published))
    )
    child.start()
    began = time.monotonic()
    while not tmp.exists() and child.is_alive() and time.monotonic() - began < 120:
        time.sleep(0.002)
    assert child.is_alive(), "the publication ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    assert tmp.exists()  # killed inside the publication, its temporary copy half written
    assert _digest(published) == previous
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select * from marts.fct_posts").fetchall() == [(1, "previous")]
    _publish(str(warehouse), str(published))  # the rerun
    assert not tmp.exists()
    assert marts_differences(warehouse, published) == {}
