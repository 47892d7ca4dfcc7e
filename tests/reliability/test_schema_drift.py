"""Schema drift, per kind, on Trustpilot (whose unknown fields ride along as text columns):
after a clean first day, the second day's answers lose a field (removed), carry it under
another name (renamed) or carry a value of the wrong type (type change).

- removed or renamed: the ``schema_drift`` check of the table, as Dagster runs it, fails with
  WARN severity and names the column that went NULL (a rename also names the new column);
- a clean second day passes every check;
- a type change is quarantined with a reason naming the field, never loaded as NULL.

Marked ``long`` (run by ``pytest -m long``): a removed nested field (Trustpilot's business
unit) and removed fields of X, a source that keeps no unknown field.

Oracle: the field -> column pairs are written here by hand from the Trustpilot reference
(https://developers.trustpilot.com/business-units-api#get-a-business-unit's-reviews), not read
from the source's code; the rows touched are counted in the answers as they are rewritten.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetCheckKey, AssetCheckSeverity, AssetKey, AssetSelection, materialize

from orchestration.definitions import defs
from orchestration.defs.warehouse import Warehouse
from tests.sources.support import TODAY, Sandbox, load_source, patched_json, query

TABLES = ("business_units", "reviews", "review_snapshots")


def run_checks(db: Path, source: str = "trustpilot", tables: tuple[str, ...] = TABLES) -> Any:
    """The schema-drift checks of ``tables``, run by Dagster: table -> evaluation."""
    keys = [AssetCheckKey(AssetKey([f"raw_{source}", t]), "schema_drift") for t in tables]
    checks = [c for c in defs.asset_checks or [] if set(c.check_keys) & set(keys)]
    result = materialize(
        checks,
        selection=AssetSelection.checks(*keys),
        resources={"warehouse": Warehouse(path=str(db))},
        raise_on_error=False,
    )
    return {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}


def two_days(sandbox: Sandbox, tmp: Path, mutate: Any = None, source: str = "trustpilot") -> Path:
    """A clean load the day before TODAY, then TODAY's load with ``mutate`` on the answers."""
    sandbox.set_today(TODAY - timedelta(days=1))
    load_source(source, sandbox.url, tmp, "drift")
    sandbox.advance(1)
    if mutate is None:
        return load_source(source, sandbox.url, tmp, "drift")
    with patched_json(mutate):
        return load_source(source, sandbox.url, tmp, "drift")


def each_review(change: Any) -> Any:
    """A ``patched_json`` mutation applying ``change(review)`` to every listed review."""

    def mutate(url: str, kwargs: dict[str, Any], body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("reviews"), list):
            for review in body["reviews"]:
                change(review)
        return body

    return mutate


def test_a_clean_second_day_passes_every_check(sandbox: Sandbox, tmp_path: Path) -> None:
    evaluations = run_checks(two_days(sandbox, tmp_path))
    assert set(evaluations) == set(TABLES)
    for table, evaluation in evaluations.items():
        assert evaluation.passed, (table, evaluation.description)
        assert evaluation.metadata["earlier_rows"].value > 0, table  # day 1 is the baseline
        assert evaluation.metadata["newest_rows"].value > 0, table


def test_a_removed_field_fails_naming_its_column(sandbox: Sandbox, tmp_path: Path) -> None:
    def drop_language(review: dict[str, Any]) -> None:
        review.pop("language", None)

    evaluations = run_checks(two_days(sandbox, tmp_path, each_review(drop_language)))
    reviews = evaluations["reviews"]
    assert not reviews.passed
    assert reviews.severity == AssetCheckSeverity.WARN
    assert reviews.metadata["went_null"].value == ["language"]
    assert "raw_trustpilot.reviews" in reviews.description
    assert "language" in reviews.description
    assert evaluations["business_units"].passed
    assert evaluations["review_snapshots"].passed


@pytest.mark.long  # the default run keeps one removed field (reviews)
def test_a_removed_nested_field_fails_naming_its_column(sandbox: Sandbox, tmp_path: Path) -> None:
    """``score.trustScore`` of the business unit gone: ``trust_score`` (one row a day)."""

    def drop_trust_score(url: str, kwargs: dict[str, Any], body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("score"), dict):
            body["score"].pop("trustScore", None)
        return body

    evaluations = run_checks(two_days(sandbox, tmp_path, drop_trust_score))
    units = evaluations["business_units"]
    assert not units.passed
    assert units.severity == AssetCheckSeverity.WARN
    assert units.metadata["went_null"].value == ["trust_score"]
    assert evaluations["reviews"].passed


def test_a_renamed_field_fails_naming_both_columns(sandbox: Sandbox, tmp_path: Path) -> None:
    def rename_title(review: dict[str, Any]) -> None:
        if "title" in review:
            review["headline"] = review.pop("title")

    evaluations = run_checks(two_days(sandbox, tmp_path, each_review(rename_title)))
    reviews = evaluations["reviews"]
    assert not reviews.passed
    assert reviews.severity == AssetCheckSeverity.WARN
    assert reviews.metadata["went_null"].value == ["title"]
    assert reviews.metadata["new_columns"].value == ["headline"]
    assert "title" in reviews.description and "headline" in reviews.description


@pytest.mark.parametrize(
    ("field", "wrong"),
    [
        ("numberOfLikes", lambda n: f"{n} likes"),  # a count as a non-numeric string
        ("id", lambda n: 4_815_162_342 + n),  # an id as a number
    ],
)
def test_a_type_change_is_quarantined_naming_the_field(
    sandbox: Sandbox, tmp_path: Path, field: str, wrong: Any
) -> None:
    """Every third review of the second day carries the wrong type: each is quarantined
    (under its id, or the broken id itself) with a reason naming the field, and none of them
    is loaded that day, with a NULL or otherwise."""
    listed: list[str] = []
    quarantined_as: set[str] = set()

    def break_type(review: dict[str, Any]) -> None:
        listed.append(review["id"])
        if len(listed) % 3 == 0:
            review[field] = wrong(len(listed))
            quarantined_as.add(str(review["id"]))

    db = two_days(sandbox, tmp_path, each_review(break_type))
    planted = set(listed[2::3])
    assert planted
    quarantined = query(
        db,
        "select record_id, reason from raw_trustpilot.quarantine where resource = 'reviews' "
        "and quarantine_date = ?",
        [TODAY],
    )
    assert {record_id for record_id, _ in quarantined} == quarantined_as
    assert len(quarantined) == len(planted)
    assert all(f"'{field}'" in reason for _, reason in quarantined), quarantined[:3]
    loaded_today = query(
        db,
        "select review_id, number_of_likes from raw_trustpilot.reviews "
        "where (fetched_at at time zone 'UTC')::date = ?",
        [TODAY],
    )
    assert loaded_today, "the other reviews of the day still load"
    assert not planted & {review_id for review_id, _ in loaded_today}
    assert all(likes is not None for _, likes in loaded_today)


def test_every_raw_table_of_vendor_records_has_a_drift_check() -> None:
    raw = {
        key
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0].startswith("raw_") and key.path[-1] not in ("quarantine", "reported_totals")
    }
    drift = {
        k.asset_key
        for c in defs.asset_checks or []
        for k in c.check_keys
        if k.name == "schema_drift"
    }
    assert len(raw) > 40 and drift == raw  # 43 tables of the 9 sources when written


@pytest.mark.parametrize(
    ("earlier_rows", "earlier_filled", "newest_rows", "went_null"),
    [
        (10, 10, 1, True),  # always filled before: one NULL row is enough
        (100, 30, 2, False),  # filled in 30%: 2 NULL rows happen by chance (0.7^2 = 0.49)
        (100, 30, 19, False),  # 0.7^19 = 0.00114: still not unlikely enough
        (100, 30, 20, True),  # 0.7^20 = 0.000798 < 1 in 1000
        (100, 0, 500, False),  # never filled: nothing went NULL
        (0, 0, 5, False),  # first load: nothing to compare with
    ],
)
def test_the_rule_on_hand_computed_numbers(
    earlier_rows: int, earlier_filled: int, newest_rows: int, went_null: bool
) -> None:
    from orchestration.defs.schema_drift import Fill

    assert Fill("c", earlier_rows, earlier_filled, newest_rows, 0).went_null is went_null
    assert Fill("c", earlier_rows, earlier_filled, newest_rows, 1).went_null is False


@pytest.mark.long  # the default run keeps one removed field (reviews)
def test_removed_fields_fail_on_a_source_without_extra_columns(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """X keeps no unknown field: ``lang`` and ``public_metrics.impression_count`` gone from
    every post (https://docs.x.com/x-api/fundamentals/data-dictionary#tweet) show only as
    their columns going NULL."""

    def drop(url: str, kwargs: dict[str, Any], body: Any) -> Any:
        tweets = body.get("data") if isinstance(body, dict) else None
        for tweet in tweets if isinstance(tweets, list) else []:
            if isinstance(tweet, dict) and "author_id" in tweet:  # a post, not a user
                tweet.pop("lang", None)
                (tweet.get("public_metrics") or {}).pop("impression_count", None)
        return body

    evaluations = run_checks(two_days(sandbox, tmp_path, drop, "x"), "x", ("posts", "post_metrics"))
    assert evaluations["posts"].metadata["went_null"].value == ["lang"]
    assert evaluations["post_metrics"].metadata["went_null"].value == ["impression_count"]
    assert not evaluations["posts"].passed and not evaluations["post_metrics"].passed
    assert evaluations["posts"].metadata["new_columns"].value == []
