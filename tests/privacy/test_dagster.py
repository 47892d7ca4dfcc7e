"""The Dagster side: retention is a step of every daily run, after publication, and the
erasure job takes the command's config and erases like it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration.defs.warehouse import Warehouse
from tests.privacy.planted import PERSON
from tests.privacy.search import tables_holding
from tests.sources.support import PSEUDONYMISATION_KEY, keyed_hash

RETENTION = AssetKey(["privacy", "retention"])


def test_retention_runs_in_the_daily_job_after_publication() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    daily = defs.resolve_job_def("transform_and_publish")
    assert RETENTION in daily.asset_layer.executable_asset_keys
    assert AssetKey(["published", "marts"]) in graph.get(RETENTION).parent_keys
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == "transform_and_publish"


def test_erase_person_job(warehouse_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.defs.privacy import erase_person

    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
    warehouse = Warehouse(
        path=str(warehouse_copy / "w.duckdb"),
        published=str(warehouse_copy / "published.duckdb"),
        dlt_dir=str(warehouse_copy / "pipelines"),
    )
    config = {
        "platform": "instagram",
        "user_id": PERSON.instagram_id,
        "names": [PERSON.instagram_username],
    }
    result = erase_person.execute_in_process(
        run_config={"ops": {"erase_one_person": {"config": config}}},
        resources={"warehouse": warehouse},
    )
    assert result.success
    db = warehouse_copy / "w.duckdb"
    wanted = [PERSON.instagram_text, keyed_hash(PERSON.instagram_id, "meta")]
    assert tables_holding(db, wanted, skip=("privacy.erasure_list",)) == []
    with duckdb.connect(str(db), read_only=True) as con:
        run_by, outcome = con.execute("select run_by, outcome from privacy.erasure_log").fetchone()
    assert run_by.startswith(f"dagster run {result.run_id}")
    assert outcome == "erased"
