"""DuckDB's resources come from the environment (issue 14, point 5): a dlt load's connection,
and every connection the job opens to the warehouse or its published copy, runs under the
configured memory limit, threads and temp directory."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pytest

from orchestration.defs.warehouse import Warehouse
from pulse_config.duckdb_resources import connect, duckdb_destination, duckdb_settings


def test_defaults_and_overrides(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert duckdb_settings(db, {}) == {
        "memory_limit": "3GB",
        "threads": 2,
        "temp_directory": f"{db}.tmp",
    }
    env = {"PULSE_DUCKDB_MEMORY_LIMIT": "1GB", "PULSE_DUCKDB_THREADS": "1"}
    assert duckdb_settings(db, env)["memory_limit"] == "1GB"
    assert duckdb_settings(db, env)["threads"] == 1


def test_dbt_falls_back_on_the_same_defaults() -> None:
    """dbt reads the variables itself (``profiles.yml``): with none set, a build must run under
    the limits the loads and checks run under. 3 GB, not 4: DuckDB's limit bounds its buffers,
    not the process, and at 50 brands dbt reached 4,242 MiB under 4GB (BENCHMARKS.md)."""
    import re

    profiles = (Path(__file__).parents[2] / "dbt_project" / "profiles.yml").read_text()
    found = dict(re.findall(r"env_var\('(PULSE_DUCKDB_\w+)', '([^']*)'\)", profiles))
    defaults = duckdb_settings(Path("w.duckdb"), {})
    assert found == {"PULSE_DUCKDB_MEMORY_LIMIT": defaults["memory_limit"],
                     "PULSE_DUCKDB_THREADS": str(defaults["threads"])}  # fmt: skip


def test_a_dlt_load_runs_under_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("PULSE_DUCKDB_THREADS", "1")
    monkeypatch.setenv("PULSE_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    pipeline = dlt.pipeline(
        pipeline_name="settings",
        destination=duckdb_destination(tmp_path / "w.duckdb"),
        dataset_name="raw_demo",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    pipeline.run([{"id": 1}], table_name="rows")
    with pipeline.sql_client() as client:
        (limit, threads, temp), *_ = client.execute_sql(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')"
        )
    assert limit == "953.6 MiB"  # DuckDB shows 1GB (10^9 bytes) in MiB
    assert int(threads) == 1
    assert temp == str(tmp_path / "spill")


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[str, int, str]:
    limit, threads, temp = con.execute(
        "select current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('temp_directory')"
    ).fetchone()
    return limit, int(threads), temp


def test_the_jobs_own_connections_run_under_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX checks, publication and the privacy passes open the file themselves; at 50 brands a
    check's query without the limit grew the Dagster process to 22 GB (BENCHMARKS.md)."""
    monkeypatch.setenv("PULSE_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("PULSE_DUCKDB_THREADS", "1")
    monkeypatch.setenv("PULSE_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    expected = ("953.6 MiB", 1, str(tmp_path / "spill"))  # DuckDB shows 1GB in MiB
    with connect(db, read_only=True) as con:
        assert _settings(con) == expected
    with Warehouse(path=str(db)).connect() as con:
        assert _settings(con) == expected


def test_the_jobs_readers_share_one_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB refuses a second connection to an open file under another configuration: a step
    holding the warehouse open must still be able to read the erasure list beside it."""
    from privacy.erasure_list import erased_pseudonyms

    monkeypatch.setenv("PULSE_DUCKDB_MEMORY_LIMIT", "1GB")
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    with Warehouse(path=str(db)).connect() as held:
        assert not erased_pseudonyms(db, "meta").ids
        assert held.execute("select 1").fetchone() == (1,)
