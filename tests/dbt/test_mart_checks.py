"""The dbt data tests on the engagement marts catch bad mart rows.

The marts are built from the fixture, then corrupted in place, one fault per mart, and
`dbt test` (not build: the corrupted tables must not be rebuilt) must fail the named test.
"""

from __future__ import annotations

import shutil

from tests.dbt.conftest import broken_copy, dbt_command

# fault name -> (SQL that corrupts a built mart, prefix of the dbt test that must fail)
FAULTS = {
    "deltas_do_not_sum_to_latest": (
        "update marts.fct_post_metrics_daily set comments_delta = comments_delta + 1 "
        "where is_first_snapshot and comments_delta is not null",
        "test.community_pulse.deltas_sum_to_latest_fct_post_metrics_daily",
    ),
    "post_twice_in_dim_posts": (
        "insert into marts.dim_posts select * from marts.dim_posts limit 1",
        "test.community_pulse.unique_dim_posts_post_id",
    ),
    "account_day_twice": (
        "insert into marts.fct_account_daily select * from marts.fct_account_daily limit 1",
        "test.community_pulse.unique_combination_of_columns_fct_account_daily",
    ),
    "more_posts_with_er_than_posts": (
        "update marts.mart_pillar_performance set posts_with_er = posts + 1",
        "test.community_pulse.expression_is_true_mart_pillar_performance_posts_posts_with_er",
    ),
    "unknown_recommendation": (
        "update marts.mart_pillar_performance set recommendation = 'maybe'",
        "test.community_pulse.in_vocabulary_mart_pillar_performance_recommendation",
    ),
    "hour_out_of_day": (
        "update marts.mart_best_time_to_post set hour = 24",
        "test.community_pulse.expression_is_true_mart_best_time_to_post_hour",
    ),
    "p_value_above_one": (
        "insert into marts.mart_ab_tests (experiment_id, variant, experiment_dimension, "
        "brand_id, platform, posts, posts_without_exposure, control_variant, p_value, "
        "z_statistic, is_significant, experiment_start, experiment_end) values ('e', 'b', "
        "'hook', 'b1', 'x', 1, 0, 'a', 1.5, 0.1, false, date '2025-11-01', date '2025-11-02')",
        "test.community_pulse.expression_is_true_mart_ab_tests_p_value",
    ),
    "more_posts_with_the_headline_than_posts": (
        "update marts.mart_er_coverage set posts_with_er_headline = posts + 1",
        "test.community_pulse.expression_is_true_mart_er_coverage_posts_with_er_headline",
    ),
    "unknown_followers_basis": (
        "update marts.fct_post_performance set followers_basis = 'guessed' "
        "where followers_basis is not null",
        "test.community_pulse.in_vocabulary_fct_post_performance_followers_basis",
    ),
    "unknown_metrics_basis": (
        "update marts.fct_post_metrics_daily set metrics_basis = 'guessed'",
        "test.community_pulse.in_vocabulary_fct_post_metrics_daily_metrics_basis",
    ),
    "scorecard_period_twice": (
        "insert into marts.mart_kpi_scorecard select * from marts.mart_kpi_scorecard limit 1",
        "test.community_pulse.unique_combination_of_columns_mart_kpi_scorecard",
    ),
}


def test_each_mart_fault_fails_its_named_test(built_warehouse, tmp_path) -> None:
    warehouse, run = built_warehouse
    assert run.returncode == 0, run.output[-3000:]
    broken = broken_copy(warehouse, tmp_path / "broken.duckdb", [s for s, _ in FAULTS.values()])
    models = [
        "fct_post_metrics_daily",
        "dim_posts",
        "fct_account_daily",
        "mart_pillar_performance",
        "mart_best_time_to_post",
        "mart_ab_tests",
        "mart_kpi_scorecard",
        "mart_er_coverage",
        "fct_post_performance",
    ]
    data_tests = ("--exclude-resource-type", "unit_test")  # the data is broken, not the SQL
    result = dbt_command(["test", "--select", *models, *data_tests], broken, tmp_path)
    assert result.returncode != 0
    failed = result.failed_nodes()
    missed = [
        name
        for name, (_, prefix) in FAULTS.items()
        if not any(node.startswith(prefix) for node in failed)
    ]
    assert missed == [], sorted(failed)


def test_the_same_marts_pass_unbroken(built_warehouse, tmp_path) -> None:
    """Control: without the faults the same tests pass, so the failures above are the faults'."""
    warehouse, _ = built_warehouse
    clean = tmp_path / "clean.duckdb"
    shutil.copy(warehouse, clean)
    result = dbt_command(
        [
            "test",
            "--select",
            "fct_post_metrics_daily",
            "fct_post_performance",
            "dim_posts",
            "mart_pillar_performance",
            "mart_er_coverage",
            "--exclude-resource-type",
            "unit_test",
        ],
        clean,
        tmp_path,
    )
    assert result.returncode == 0, result.output[-3000:]
