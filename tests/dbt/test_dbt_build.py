"""dbt build over hand-made raw_meta rows: it passes, the marts hold hand-computed values,
and bad raw rows make it fail on a named test."""

from __future__ import annotations

import pytest

from tests.dbt.conftest import dbt_command, make_warehouse


def test_dbt_build_passes(built_warehouse):
    _, run = built_warehouse
    assert run.returncode == 0, run.output[-4000:]
    assert not run.failed_nodes()
    kinds = {r["unique_id"].split(".")[0] for r in run.results}
    assert {"model", "test", "unit_test"} <= kinds


# Hand-computed from tests/dbt/fixtures/raw_meta.sql (latest snapshot 2025-11-04):
#   FB 104500000000001_1: 50 reactions + 6 comments + 4 shares = 60; reach 1000,
#     views 1500, followers on 2025-11-02 from page_follows = 990.
#   IG reel 17900000000000001: 35 + 5 + 3 + 7 saves = 50; reach 600, views 1100,
#     followers on 2025-11-02 = 2000 - 7 (gain of 11-03) = 1993.
EXPECTED = {
    "104500000000001_1": dict(
        interactions=60,
        reach=1000,
        impressions=1500,
        followers=990,
        er_by_reach=6.0,
        er_by_followers=60 / 990 * 100,
        er_by_impressions=4.0,
    ),
    "17900000000000001": dict(
        interactions=50,
        reach=600,
        impressions=1100,
        followers=1993,
        er_by_reach=50 / 600 * 100,
        er_by_followers=50 / 1993 * 100,
        er_by_impressions=50 / 1100 * 100,
    ),
}
COLUMNS = [
    "interactions",
    "reach",
    "impressions",
    "followers",
    "er_by_reach",
    "er_by_followers",
    "er_by_impressions",
]


@pytest.mark.parametrize("post_id", sorted(EXPECTED))
def test_er_of_hand_computed_posts(built_warehouse, query, post_id):
    rows = query(
        f"select {', '.join(COLUMNS)}, er_headline, er_formula, er_formula_version "
        "from marts.fct_post_performance where post_id = ?",
        [post_id],
    )
    assert len(rows) == 1
    got = dict(
        zip(COLUMNS + ["er_headline", "er_formula", "er_formula_version"], rows[0], strict=True)
    )
    for col, want in EXPECTED[post_id].items():
        assert got[col] == pytest.approx(want), col
    # The default headline is ER by followers (product.md), version v2.
    assert got["er_headline"] == pytest.approx(EXPECTED[post_id]["er_by_followers"])
    assert (got["er_formula"], got["er_formula_version"]) == ("by_followers", "v2")


def test_missing_or_zero_denominator_is_null(built_warehouse, query):
    rows = dict(
        query(
            "select post_id, er_by_reach from marts.fct_post_performance "
            "where post_id in ('104500000000001_2', '17900000000000002')"
        )
    )
    # FB post 2 has reach 0; IG image 2 has no reach row at all. Both NULL, never 0.
    assert rows == {"104500000000001_2": None, "17900000000000002": None}
    (interactions,) = query(
        "select interactions from marts.fct_post_performance where post_id = '17900000000000002'"
    )[0]
    assert interactions == 23  # 20 likes + 2 comments + 1 save; shares not given


def test_followers_backfill(built_warehouse, query):
    rows = query(
        "select platform, cast(date_day as varchar), followers, followers_source, "
        "followers_basis from intermediate.int_account_followers_daily "
        "where account_id in ('104500000000001', '17841400000000001') order by 1, 2"
    )
    assert rows == [
        ("facebook", "2025-11-01", 980, "page_follows_series", "observed"),
        ("facebook", "2025-11-02", 990, "page_follows_series", "observed"),
        ("facebook", "2025-11-03", 1000, "snapshot", "observed"),
        ("facebook", "2025-11-04", 1010, "snapshot", "observed"),
        ("instagram", "2025-11-01", 1987, "follower_gains_backfill", "reconstructed"),
        ("instagram", "2025-11-02", 1993, "follower_gains_backfill", "reconstructed"),
        ("instagram", "2025-11-03", 2000, "snapshot", "observed"),
        ("instagram", "2025-11-04", 2012, "snapshot", "observed"),
    ]


def test_negative_delta_kept_and_flagged(built_warehouse, query):
    rows = query(
        "select comments_delta, has_negative_delta from marts.fct_post_metrics_daily "
        "where post_id = '104500000000001_1' order by snapshot_date"
    )
    assert rows == [(7, False), (-1, True)]


BAD_ROWS = {
    "duplicate_post_id": (
        "insert into raw_meta.facebook_posts select * from raw_meta.facebook_posts "
        "where post_id = '104500000000001_1'",
        "test.community_pulse.source_unique_meta_facebook_posts_post_id",
    ),
    "negative_count": (
        "insert into raw_meta.instagram_media_insights values ('17900000000000002', "
        "'17841400000000001', '2025-11-04', 'shares', -5, '2025-11-04 23:59:59+00')",
        # One test per model and invariant: metric_value is one of its columns.
        "test.community_pulse.not_negative_columns_stg_meta__instagram_media_insights.",
    ),
}


# What a bad Meta row reaches first: the source's tests and Meta's staging models (with the
# seeds and the brands they read). The marts downstream are test_dbt_build_passes' business.
META_STAGE = [
    "resource_type:seed",
    "path:models/registry",
    "source:meta",
    "path:models/staging/meta",
]


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_raw_row_fails_named_test(tmp_path, case):
    sql, test_prefix = BAD_ROWS[case]
    # Unit tests check SQL, not data (test_dbt_build_passes runs them). No --fail-fast: it
    # can cancel the failing test before its result is recorded (seen once in CI).
    args = ["build", "--select", *META_STAGE, "--exclude-resource-type", "unit_test"]
    run = dbt_command(args, make_warehouse(tmp_path / "warehouse.duckdb", sql), tmp_path)
    assert run.returncode != 0
    failed = run.failed_nodes()
    assert any(node.startswith(test_prefix) for node in failed), sorted(failed)
