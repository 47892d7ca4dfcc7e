"""One owner for the warehouse's paths: the environment is read once, into the ``Warehouse``
resource, and never written; dlt and dbt get the file from the resource, not the environment.

Expected paths are spelled out from this checkout's location and the test's own temporary
files, not from the module's constants.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
import yaml

from ingestion.catalogue import Source
from orchestration.defs.ingestion import pipeline_for
from orchestration.defs.warehouse import Warehouse, warehouse_from_env

CHECKOUT = Path(__file__).resolve().parents[2]
DBT_DIR = CHECKOUT / "dbt_project"
VARIABLES = ("PULSE_WAREHOUSE", "PULSE_PUBLISHED", "PULSE_DLT_DIR")


@dlt.source(name="tiny")
def tiny_source() -> Any:
    return dlt.resource([{"id": 1}, {"id": 2}], name="rows")


def test_the_environment_names_the_files_relative_to_the_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PULSE_WAREHOUSE", "some/dir/w.duckdb")
    monkeypatch.delenv("PULSE_PUBLISHED", raising=False)
    monkeypatch.setenv("PULSE_DLT_DIR", str(tmp_path / "dlt"))
    warehouse = warehouse_from_env()
    assert warehouse.file == CHECKOUT / "some" / "dir" / "w.duckdb"
    assert warehouse.published_file == CHECKOUT / "some" / "dir" / "published.duckdb"
    assert warehouse.pipelines_dir == tmp_path / "dlt"


def test_without_the_environment_the_files_are_in_the_checkouts_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    warehouse = warehouse_from_env()
    assert warehouse.file == CHECKOUT / "data" / "warehouse.duckdb"
    assert warehouse.published_file == CHECKOUT / "data" / "published.duckdb"
    assert warehouse.pipelines_dir == CHECKOUT / "data" / "dlt_pipelines"


def test_loading_the_definitions_writes_no_environment_variable(tmp_path: Path) -> None:
    """A fresh interpreter imports the code location (and prepares nothing): its environment
    afterwards is the one it started with, and its warehouse is the checkout's default."""
    script = (
        "import json, os\n"
        "before = dict(os.environ)\n"
        "from orchestration.definitions import defs\n"
        "now = dict(os.environ)\n"
        "changed = sorted(k for k in {*before, *now} if before.get(k) != now.get(k))\n"
        "print(json.dumps([changed, str(defs.resources['warehouse'].file)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(CHECKOUT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    changed, file = json.loads(done.stdout.strip().splitlines()[-1])
    assert changed == []
    assert file == str(CHECKOUT / "data" / "warehouse.duckdb")


def test_dlt_loads_into_the_resources_file_and_keeps_its_state_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "elsewhere.duckdb"))
    warehouse = Warehouse(path=str(tmp_path / "w.duckdb"))
    source = Source("tiny", tiny_source, "0 0 * * *", "test source")
    pipeline_for(source, warehouse).run(tiny_source()).raise_on_failed_jobs()
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.sql("select id from raw_tiny.rows order by id").fetchall() == [(1,), (2,)]
    assert (tmp_path / "dlt_pipelines" / "tiny" / "state.json").exists()
    assert not (tmp_path / "elsewhere.duckdb").exists()


def test_the_dbt_profile_takes_the_file_from_the_resources_vars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``profiles.yml`` as dbt renders it, with the ``--vars`` the dbt step passes: the
    resource's file, whatever ``PULSE_WAREHOUSE`` says."""
    from dbt.config.renderer import ProfileRenderer
    from dbt.config.utils import parse_cli_vars
    from dbt_common.context import set_invocation_context

    monkeypatch.setenv("PULSE_WAREHOUSE", str(tmp_path / "elsewhere.duckdb"))
    set_invocation_context(dict(os.environ))
    flag, value = Warehouse(path=str(tmp_path / "w.duckdb")).dbt_vars()
    assert flag == "--vars"
    raw = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())
    output = raw["community_pulse"]["outputs"]["dev"]
    rendered = ProfileRenderer(parse_cli_vars(value)).render_data(output)
    assert rendered["path"] == str(tmp_path / "w.duckdb")
    # Run by hand, without the variable, dbt follows PULSE_WAREHOUSE.
    assert ProfileRenderer({}).render_data(output)["path"] == str(tmp_path / "elsewhere.duckdb")


def test_a_sandbox_run_lives_at_the_sandbox_clock(sandbox: Any) -> None:
    """Retention measures from ``Warehouse.now()``: the demo's world lies a year away from the
    wall clock, so a sandbox run's present is the sandbox's day (2025-12-10 here)."""
    from datetime import UTC, date, datetime

    sandbox.set_today(date(2025, 12, 10))
    assert Warehouse(sandbox_url=sandbox.url).now().date() == date(2025, 12, 10)
    sandbox.advance(3)
    assert Warehouse(sandbox_url=sandbox.url).now().date() == date(2025, 12, 13)
    assert abs((Warehouse().now() - datetime.now(UTC)).total_seconds()) < 60
