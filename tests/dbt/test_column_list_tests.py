"""The model-level generic tests not_null_columns and not_negative_columns (one query per model
instead of one test per column) fail on bad rows and name each offending column with its
number of offending rows.

The fixture warehouse is built once (built_warehouse), copied, corrupted in known rows, and
`dbt test --store-failures` (not build: the corrupted tables must not be rebuilt) runs the
tests of one mart and one source table; the rows each test returned are read back from the
tables dbt stored them in. The expected counts are the rows the corruption touched, by post id
(fct_post_performance holds one row per post of tests/dbt/fixtures/raw_meta.sql: Facebook
104500000000001_1 and _2, Instagram 17900000000000001, _2 and _3).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.dbt.conftest import DbtRun, broken_copy, dbt_command

TESTS = {
    "not_null": "not_null_columns_fct_post_performance",
    "not_negative": "not_negative_columns_fct_post_performance",
    # Its `date` column is declared `quote: true`: the test quotes the column names.
    "source_not_null": "source_not_null_columns_meta_facebook_page_follows",
}

CORRUPTION = [
    # not_null: er_formula NULL on 1 post, has_reach NULL on 3 posts.
    "update marts.fct_post_performance set er_formula = null where post_id = '104500000000001_1'",
    "update marts.fct_post_performance set has_reach = null "
    "where post_id in ('104500000000001_2', '17900000000000001', '17900000000000003')",
    # not_negative: reach below zero on 1 post, interactions on the 2 Facebook posts;
    # impressions NULL everywhere, which is allowed (NULL means "not given").
    "update marts.fct_post_performance set reach = -1 where post_id = '17900000000000001'",
    "update marts.fct_post_performance set interactions = -7 "
    "where post_id in ('104500000000001_1', '104500000000001_2')",
    "update marts.fct_post_performance set impressions = null",
    # source: 2 of the 3 follower days lose their date.
    "update raw_meta.facebook_page_follows set \"date\" = null where _dlt_id in ('ff1', 'ff3')",
]

EXPECTED = {
    "not_null": {("er_formula", 1), ("has_reach", 3)},
    "not_negative": {("reach", 1), ("interactions", 2)},
    "source_not_null": {("date", 2)},
}


def run_tests(warehouse: Path, work_dir: Path) -> DbtRun:
    args = ["test", "--select", *TESTS.values(), "--store-failures"]
    return dbt_command(args, warehouse, work_dir)


def stored_rows(run: DbtRun, warehouse: Path) -> dict[str, set[tuple[str, int]]]:
    """(column_name, failing_rows) each test returned, from the table dbt stored them in."""
    by_name = {r["unique_id"].split(".")[2]: r for r in run.results}
    rows = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for kind, name in TESTS.items():
            relation = by_name[name]["relation_name"]
            got = con.execute(f"select column_name, failing_rows from {relation}").fetchall()
            rows[kind] = {(column, int(n)) for column, n in got}
    return rows


def test_bad_rows_fail_and_name_each_column_with_its_count(built_warehouse, tmp_path) -> None:
    warehouse, build = built_warehouse
    assert build.returncode == 0, build.output[-3000:]
    broken = broken_copy(warehouse, tmp_path / "broken.duckdb", CORRUPTION)
    run = run_tests(broken, tmp_path)
    assert run.returncode != 0
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in run.results}
    assert statuses == {name: "fail" for name in TESTS.values()}, run.output[-3000:]
    assert stored_rows(run, broken) == EXPECTED
    # dbt counts the rows a test returns: here one per offending column.
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in run.results}
    assert failures == {TESTS[kind]: len(EXPECTED[kind]) for kind in TESTS}


def test_clean_rows_pass(built_warehouse, tmp_path) -> None:
    """Control: the same tests on the unbroken copy pass and store no row."""
    warehouse, _ = built_warehouse
    clean = tmp_path / "clean.duckdb"
    shutil.copy(warehouse, clean)
    run = run_tests(clean, tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert {r["status"] for r in run.results} == {"pass"}
    assert stored_rows(run, clean) == {kind: set() for kind in TESTS}
