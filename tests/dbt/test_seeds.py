"""The dbt seeds and unit-test fixtures that copy something else must stay equal to it."""

from __future__ import annotations

import csv
from pathlib import Path

from pulse_config.paths import PROJECT_ROOT

REPO = PROJECT_ROOT
SEEDS = REPO / "dbt_project" / "seeds"
FIXTURES = REPO / "dbt_project" / "tests" / "fixtures"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_registry_fixture_is_the_real_registry_plus_new_metrics() -> None:
    """The 'headline ER stable' unit test must extend the registry the project ships."""
    real = read_csv(SEEDS / "metric_registry.csv")
    fixture = read_csv(FIXTURES / "metric_registry_with_new_metrics.csv")
    assert fixture[: len(real)] == real
    added = fixture[len(real) :]
    assert {r["platform_metric"] for r in added} == {"reposts", "engagements", "videoViews"}


def test_metric_values_fixture_adds_only_the_new_metrics() -> None:
    base = read_csv(FIXTURES / "post_metric_values_by_platform.csv")
    extended = read_csv(FIXTURES / "post_metric_values_with_new_metrics.csv")
    assert extended[: len(base)] == base
    assert {r["platform_metric"] for r in extended[len(base) :]} == {
        "reposts",
        "engagements",
        "videoViews",
    }


def test_every_registry_row_is_dated_and_scoped() -> None:
    """Open bounds are spelled 1970-01-01 / 9999-12-31 and scope 'all' (dbt loads seed files
    as text in unit tests, where an empty date cannot be cast)."""
    for row in read_csv(SEEDS / "metric_registry.csv"):
        assert row["valid_from"] <= row["valid_to"], row
        assert row["applies_to_formats"], row
