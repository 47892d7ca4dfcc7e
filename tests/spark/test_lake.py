"""Raw data to a lake (issue 18, point 2): two sources with reviews that change after they are
first loaded (Trustpilot, Google Business Profile) loaded from the sandbox world by
ingestion.run twice, a backfill and the next day, once to DuckDB and once to Delta tables
(PULSE_LAKE_URL). The Delta tables hold the same rows as DuckDB, each primary key once, and
the reviews replied to or edited on the second day hold their new values (the world's manifest
says which); then Spark reads the lake (ingestion.lake, no delta-spark) and builds the two
sources' staging models, equal to the same models built on DuckDB. `make test-spark`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
from deltalake import DeltaTable

from ingestion.lake import LAKE_ENV, lake_tables, register_lake
from ingestion.run import run_source
from ingestion.spark_raw import export_raw, register
from tests.dbt.conftest import dbt_command
from tests.google_business import test_source as google_business
from tests.sources.support import Sandbox, factory_kwargs, query
from tests.spark import harness
from tests.trustpilot import test_source as trustpilot

pytestmark = [pytest.mark.spark, pytest.mark.long]

SOURCES = ("trustpilot", "google_business")
DLT_COLUMNS = ("_dlt_load_id", "_dlt_id")  # differ between two loads of the same rows


@dataclass(frozen=True)
class Loads:
    """The two loads of each source (DuckDB file, lake folder) and the days they saw."""

    duckdb: Path
    lake: Path
    lake_copy: Path  # the lake read by deltalake into a DuckDB file, for the oracles' SQL
    day0: date
    day1: date
    pipelines: Path


def load_both(sandbox: Sandbox, work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One scheduled run of each source to DuckDB and to the lake (same sandbox day)."""
    for name in SOURCES:
        kwargs = factory_kwargs(name, sandbox.url)
        monkeypatch.delenv(LAKE_ENV, raising=False)
        run_source(name, work / "w.duckdb", pipelines_dir=work / "duck_state", **kwargs)
        monkeypatch.setenv(LAKE_ENV, str(work / "lake"))
        run_source(name, work / "lake_state.duckdb", pipelines_dir=work / "lake_state", **kwargs)
        monkeypatch.delenv(LAKE_ENV)


def copy_lake(lake: Path, target: Path) -> Path:
    """Every Delta table of the lake, read whole by deltalake (not by the code under test),
    as ``raw_<source>.<table>`` of a DuckDB file."""
    with duckdb.connect(str(target)) as con:
        for table in lake_tables(str(lake), [f"raw_{name}" for name in SOURCES]):
            con.register("snapshot", DeltaTable(table.delta.table_uri).to_pyarrow_table())
            con.execute(f"create schema if not exists {table.schema}")
            con.execute(f"create or replace table {table.schema}.{table.name} as from snapshot")
            con.unregister("snapshot")
    return target


@pytest.fixture(scope="module")
def loads(sandbox_server: Sandbox, world: Path, tmp_path_factory) -> Any:
    """Backfill on day0 (the last day before which Trustpilot has late replies or edits), then
    the next day's run, each to DuckDB and to the lake."""
    work = tmp_path_factory.mktemp("lake")
    day0, _ = trustpilot.late_change_day(world)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for env in [n for n in os.environ if n.startswith("SOURCES__")]:
            monkeypatch.delenv(env)  # the sandbox's settings are passed explicitly
        monkeypatch.delenv("PULSE_PSEUDONYMISATION_KEY", raising=False)
        sandbox_server.reset()
        sandbox_server.set_today(day0)
        try:
            load_both(sandbox_server, work, monkeypatch)
            sandbox_server.advance()
            load_both(sandbox_server, work, monkeypatch)
        finally:
            sandbox_server.reset()
    copy = copy_lake(work / "lake", work / "lake_copy.duckdb")
    return Loads(work / "w.duckdb", work / "lake", copy, day0, day0 + timedelta(days=1), work)


def primary_keys(loads: Loads, source: str) -> dict[str, list[str]]:
    """table -> primary key columns, from the DuckDB pipeline's schema (the sources' hints)."""
    pipeline = dlt.attach(source, pipelines_dir=str(loads.pipelines / "duck_state"))
    tables = pipeline.default_schema.data_tables()
    return {
        t["name"]: [c for c, col in t["columns"].items() if col.get("primary_key")] for t in tables
    }


def rows(db: Path, relation: str) -> tuple[list[str], list[tuple]]:
    """Columns and rows of a table, dlt's load columns aside, in one order."""
    with duckdb.connect(str(db), read_only=True) as con:
        cols = [r[0] for r in con.execute(f"describe {relation}").fetchall()]
        cols = sorted(c for c in cols if c not in DLT_COLUMNS)
        listed = ", ".join(f'"{c}"' for c in cols)
        return cols, con.execute(f"select {listed} from {relation} order by all").fetchall()


@pytest.mark.parametrize("source", SOURCES)
def test_lake_holds_the_rows_duckdb_holds(loads: Loads, source: str) -> None:
    keys = primary_keys(loads, source)
    lake = {t.name for t in lake_tables(str(loads.lake), [f"raw_{source}"])}
    loaded = {
        name
        for name in keys
        if query(loads.duckdb, f"select count(*) from raw_{source}.{name}")[0][0]
    }
    assert loaded and loaded <= lake <= set(keys)
    for name in sorted(lake):
        assert rows(loads.lake_copy, f"raw_{source}.{name}") == rows(
            loads.duckdb, f"raw_{source}.{name}"
        ), name


@pytest.mark.parametrize("source", SOURCES)
def test_each_primary_key_once_in_the_lake(loads: Loads, source: str) -> None:
    for name, key in primary_keys(loads, source).items():
        if (
            not key
            or not query(
                loads.lake_copy,
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [f"raw_{source}", name],
            )[0][0]
        ):
            continue
        listed = ", ".join(key)
        twice = query(
            loads.lake_copy,
            f"select {listed}, count(*) from raw_{source}.{name} group by all having count(*) > 1",
        )
        assert twice == [], name


def test_trustpilot_late_replies_and_edits_hold_their_new_values(loads: Loads, world) -> None:
    """The world's manifest of the second day: every review once, with today's stars, edit
    time, reply time and likes; the reviews changed overnight among them."""
    _, late = trustpilot.late_change_day(world)
    assert late  # reviews whose reply or edit came the second day, older than the newest 20
    trustpilot.check_equals_manifest(
        loads.lake_copy, trustpilot.truth(world, loads.day1), loads.day1
    )


def test_google_business_late_replies_hold_their_new_values(loads: Loads, world) -> None:
    today, tomorrow = (google_business.truth(world, d) for d in (loads.day0, loads.day1))
    answered_late = {
        n
        for n, r in tomorrow["reviews"].items()
        if n in today["reviews"] and r["has_reply"] and not today["reviews"][n]["has_reply"]
    }
    assert answered_late  # the world answers some reviews a day late
    google_business.check_complete(loads.lake_copy, tomorrow)


def test_spark_builds_the_staging_of_the_lake_as_duckdb_does(
    loads: Loads, spark_world, tmp_path
) -> None:
    """On the session's one Spark (spark_world): the lake's tables replace the fixture's raw
    tables of the two sources for this test, which puts the fixture's back at the end."""
    spark, spark_dir, fixture_warehouse = spark_world
    tables = lake_tables(str(loads.lake), [f"raw_{name}" for name in SOURCES])
    models = [f"stg_{t.schema.removeprefix('raw_')}__{t.name}" for t in tables]
    models = [m for m in models if any((harness.PROJECT_DIR / "models").rglob(f"{m}.sql"))]
    assert len(models) >= 4, models
    select = ["--select", *models]
    duck = dbt_command(["run", *select], loads.duckdb, tmp_path / "duckdb")
    assert duck.returncode == 0, duck.output[-3000:]
    try:
        register_lake(spark, tables)
        for t in tables:  # the snapshot only: no row a merge replaced
            relation = f"{t.schema}.{t.name}"
            diff = harness.differences(
                harness.spark_rows(spark, relation), harness.duckdb_rows(loads.lake_copy, relation)
            )
            assert diff == [], relation
        run = harness.dbt_spark(["run", *select], spark_dir, tmp_path / "spark_run")
        assert run.success, harness.failed(run) or run.exception
        unequal = {}
        for model in models:
            on_spark = without_load_id(harness.spark_rows(spark, f"staging.{model}"))
            on_duckdb = without_load_id(harness.duckdb_rows(loads.duckdb, f"staging.{model}"))
            diff = harness.differences(on_spark, on_duckdb)
            if diff:
                unequal[model] = diff
        assert unequal == {}
    finally:
        restore_fixture_tables(spark, tables, fixture_warehouse, tmp_path / "restored")


def restore_fixture_tables(spark: Any, replaced: list, warehouse: Path, out: Path) -> None:
    """The tests/dbt fixture's raw tables of the lake's schemas back in Spark's catalog."""
    schemas = {t.schema for t in replaced}
    for t in replaced:
        spark.sql(f"drop table if exists `{t.schema}`.`{t.name}`")
    register(spark, [t for t in export_raw(warehouse, out) if t.schema in schemas])


def without_load_id(table: tuple[list[str], list[tuple]]) -> tuple[list[str], list[tuple]]:
    """A staging table without ``dlt_load_id`` (each load has its own)."""
    cols, data = table
    keep = [i for i, c in enumerate(cols) if c != "dlt_load_id"]
    return [cols[i] for i in keep], [tuple(r[i] for i in keep) for r in data]
