"""Fixtures for the dbt project tests: a tmp DuckDB warehouse with hand-made raw_meta rows
(fixtures/raw_meta.sql, per docs/sources/meta.md section 4) beside the empty raw tables of the
other social sources (fixtures/raw_social_empty.sql, see empty_raw.py), and a helper that runs
`dbt build` against it in a subprocess, with its own target/log paths so parallel runs don't
collide."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from pulse_config.paths import PROJECT_ROOT

REPO = PROJECT_ROOT
PROJECT_DIR = REPO / "dbt_project"
RAW_SQL = Path(__file__).parent / "fixtures" / "raw_meta.sql"
EMPTY_SOCIAL_SQL = Path(__file__).parent / "fixtures" / "raw_social_empty.sql"
# The social sources the engagement marts union; the fixture feeds Meta, the others are empty.
SOCIAL_SOURCES = ("meta", "linkedin", "x", "youtube", "tiktok")
# The conversion marts join web visits to those posts and the reputation marts join reviews
# and text sentiment to the comments: their tables are there too, empty.
OTHER_SOURCES = (
    "matomo",
    "ga4",
    "google_business",
    "trustpilot",
    "hubspot",
    "brevo",
    "search_console",
    "enrichment",
)
DBT = Path(sys.executable).parent / "dbt"


@dataclass
class DbtRun:
    returncode: int
    output: str
    results: list[dict]

    def failed_nodes(self) -> set[str]:
        """unique_ids of nodes whose status is fail or error."""
        return {r["unique_id"] for r in self.results if r["status"] in ("fail", "error")}


def make_warehouse(path: Path, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(RAW_SQL.read_text())
        con.execute(EMPTY_SOCIAL_SQL.read_text())
        if extra_sql:
            con.execute(extra_sql)
    return path


def broken_copy(warehouse: Path, target: Path, statements: list[str]) -> Path:
    """A copy of ``warehouse`` at ``target`` with ``statements`` applied (the shared built
    warehouse stays intact for the other tests)."""
    shutil.copy(warehouse, target)
    with duckdb.connect(str(target)) as con:
        for sql in statements:
            con.execute(sql)
    return target


def project_copy(target: Path) -> Path:
    """A copy of the dbt project (without its target and logs) to edit a seed or a model in."""
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages")
    return Path(shutil.copytree(PROJECT_DIR, target, ignore=ignore))


def dbt_build(warehouse: Path, work_dir: Path, *extra: str) -> DbtRun:
    """`dbt build` of the seeds, the brands and of everything the sources feed (``extra``: more
    dbt flags, e.g. ``--fail-fast``)."""
    # The fixture holds Meta rows only; the other sources are there, empty.
    sources = (*SOCIAL_SOURCES, *OTHER_SOURCES)
    # The seeds and the brands (models/registry, read from config/brands.yaml) feed them too.
    selection = ["resource_type:seed", "path:models/registry"]
    selection += [f"source:{name}+" for name in sources]
    return dbt_command(["build", "--select", *selection, *extra], warehouse, work_dir)


def dbt_command(
    args: list[str],
    warehouse: Path,
    work_dir: Path,
    project_dir: Path = PROJECT_DIR,
    env_extra: dict[str, str] | None = None,
) -> DbtRun:
    """Any dbt command against ``warehouse``, with target and logs under ``work_dir``
    (``project_dir``: a copy of the project; ``env_extra``: e.g. another PULSE_BRANDS)."""
    env = {
        **os.environ,
        **(env_extra or {}),
        "PULSE_WAREHOUSE": str(warehouse),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    target = work_dir / "target"
    proc = subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(work_dir / "logs"),
            "--no-partial-parse",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return DbtRun(proc.returncode, proc.stdout + proc.stderr, results)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> tuple[Path, DbtRun]:
    """The fixture warehouse after a full `dbt build` (shared by the read-only tests, which
    open it read-only or copy it). Under xdist the workers share one build, made by the first
    to ask behind a file lock: each building its own cost two minutes of ``make test``."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:
        work = tmp_path_factory.mktemp("dbt_good")
        warehouse = make_warehouse(work / "warehouse.duckdb")
        return warehouse, dbt_build(warehouse, work)
    work = tmp_path_factory.getbasetemp().parent / f"dbt_good_{run_id}"
    work.mkdir(exist_ok=True)
    done = work / "build.json"
    with FileLock(str(work / "build.lock")):
        if not done.exists():
            run = dbt_build(make_warehouse(work / "warehouse.duckdb"), work)
            done.write_text(json.dumps(asdict(run)))
    return work / "warehouse.duckdb", DbtRun(**json.loads(done.read_text()))


@pytest.fixture
def query(built_warehouse):
    warehouse, _ = built_warehouse

    def run(sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    return run
