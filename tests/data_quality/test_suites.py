"""Each raw-table GX suite passes on good rows and fails, on the right expectation, on each
kind of bad row.

The tables are real DuckDB tables and the suites run through the same chunked runner Dagster
uses, with a chunk of two rows so that a duplicate split across chunks is still caught.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_quality.runner import validate_table
from data_quality.spec import Suite
from data_quality.suites import raw_meta

PAST = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FUTURE = datetime.now(UTC) + timedelta(days=30)


def _facebook_posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_id": ["1_1", "1_2", "1_3", "1_4", "1_5"],
            "page_id": ["1"] * 5,
            "created_time": [PAST - timedelta(days=i) for i in range(5)],
            "fetched_at": [PAST + timedelta(days=1)] * 5,
        }
    )


def _instagram_media() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "media_id": ["10", "11", "12", "13"],
            "ig_user_id": ["178"] * 4,
            "timestamp": [PAST - timedelta(hours=i) for i in range(4)],
            "fetched_at": [PAST + timedelta(days=1)] * 4,
        }
    )


def _insights() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_id": ["1_1", "1_1", "1_2"],
            "snapshot_date": [PAST.date()] * 3,
            "metric": ["reactions", "post_clicks", "reactions"],
            "value": [10, 3, 0],
        }
    )


Mutation = Callable[[pd.DataFrame], pd.DataFrame]


def _set(column: str, value: object, row: int = -1) -> Mutation:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = df[column].astype(object)
        df.at[df.index[row], column] = value
        return df

    return mutate


def _duplicate_first(df: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([df, df.iloc[[0]]], ignore_index=True)


CASES: list[tuple[Suite, Callable[[], pd.DataFrame], Mutation, str]] = [
    (raw_meta.FACEBOOK_POSTS, _facebook_posts, _set("post_id", None), "NotBeNull(post_id)"),
    (raw_meta.FACEBOOK_POSTS, _facebook_posts, _duplicate_first, "ToBeUnique(post_id)"),
    (
        raw_meta.FACEBOOK_POSTS,
        _facebook_posts,
        _set("created_time", FUTURE),
        "Between(created_time)",
    ),
    (raw_meta.FACEBOOK_POSTS, _facebook_posts, _set("page_id", None, 0), "NotBeNull(page_id)"),
    (raw_meta.INSTAGRAM_MEDIA, _instagram_media, _duplicate_first, "ToBeUnique(media_id)"),
    (raw_meta.INSTAGRAM_MEDIA, _instagram_media, _set("timestamp", FUTURE), "Between(timestamp)"),
    (raw_meta.FACEBOOK_POST_INSIGHTS, _insights, _set("value", -4), "Between(value)"),
    (raw_meta.FACEBOOK_POST_INSIGHTS, _insights, _set("metric", None), "NotBeNull(metric)"),
]


def _load(path: Path, relation: str, df: pd.DataFrame) -> None:
    schema, table = relation.split(".")
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create schema if not exists {schema}")
        con.register("frame", df)
        con.execute(f"create or replace table {relation} as select * from frame")
    finally:
        con.close()


def _run(tmp_path: Path, suite: Suite, df: pd.DataFrame):
    path = tmp_path / "warehouse.duckdb"
    _load(path, suite.relation, df)
    return validate_table(suite, lambda: duckdb.connect(str(path), read_only=True), chunk_rows=2)


@pytest.mark.parametrize(
    "suite,good", sorted({(c[0].name, c[1]) for c in CASES}, key=lambda c: c[0])
)
def test_suite_passes_on_good_rows(tmp_path: Path, suite: str, good) -> None:
    spec = next(c[0] for c in CASES if c[0].name == suite)
    result = _run(tmp_path, spec, good())
    assert result.success, result.summary()
    assert result.rows == len(good())


@pytest.mark.parametrize("suite,good,mutate,expected", CASES, ids=[c[3] for c in CASES])
def test_suite_fails_on_bad_rows(tmp_path: Path, suite: Suite, good, mutate, expected) -> None:
    result = _run(tmp_path, suite, mutate(good()))
    assert not result.success
    failed = [o.label for o in result.failed]
    assert any(expected in label for label in failed), failed
    assert all(o.unexpected_count >= 1 for o in result.failed)


def test_every_raw_suite_is_exercised_by_a_failing_case() -> None:
    """(The engagement suites have their own cases in test_engagement_suites.py.)"""
    assert {s.name for s in raw_meta.SUITES} == {c[0].name for c in CASES}
