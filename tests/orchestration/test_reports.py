"""Reports a person opens from the UI: each GX validation writes an HTML page the check's
metadata links to; the publish asset previews every mart; a raw table records the rows loaded
and the rows it holds; the dbt step records row counts and links the dbt docs it generates
(the whole dbt step on the fixture warehouse is ``long``).

Oracles are the frames the tests load (their lengths, their first keys, the one value each
test breaks) and DuckDB's own counts, never the report code's output read back as truth.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pandas as pd
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetMaterialization,
    AssetsDefinition,
    AssetSelection,
    MarkdownMetadataValue,
    Output,
    materialize,
)
from dagster_dlt import DagsterDltResource

from ingestion.catalogue import Source
from orchestration.definitions import defs
from orchestration.defs.dbt_reports import with_docs_link
from orchestration.defs.ingestion import build_source_assets
from orchestration.defs.reports import markdown_table, table_row_counts
from orchestration.defs.warehouse import Warehouse
from tests.data_quality.engagement_frames import TABLES, load

POSTS = "marts.fct_post_performance"
CONTRACT = AssetCheckKey(
    AssetKey(["marts", "fct_post_performance"]), "gx_marts_fct_post_performance"
)
BROKEN = "ExpectColumnValuesToBeNull(er_headline_not_er_formula)"
PUBLISHED = AssetKey(["published", "marts"])


def _check_def():
    (found,) = [c for c in defs.asset_checks or [] if CONTRACT in c.check_keys]
    return found


def _publish_def() -> AssetsDefinition:
    (found,) = [
        a for a in defs.assets or [] if isinstance(a, AssetsDefinition) and PUBLISHED in a.keys
    ]
    return found


def _posts(broken: bool) -> pd.DataFrame:
    posts = TABLES[POSTS][0]()
    if broken:  # a headline ER that is not the formula's: the contract suite's invariant
        posts = posts.astype(object)
        posts.at[posts.index[2], "er_headline"] = 0.32
    return posts


def _check_once(tmp_path: Path, posts: pd.DataFrame):
    warehouse = tmp_path / "warehouse.duckdb"
    load(warehouse, POSTS, posts)
    result = materialize(
        [_check_def()],
        selection=AssetSelection.checks(CONTRACT),
        resources={"warehouse": Warehouse(path=str(warehouse))},
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def _page_of(evaluation, tmp_path: Path) -> str:
    path = Path(evaluation.metadata["report_path"].value)
    assert path.is_file()
    assert path.is_relative_to(tmp_path / "reports" / "gx" / "marts_fct_post_performance")
    assert evaluation.metadata["report"].value == path.as_uri()
    return path.read_text()


def test_a_failing_suite_writes_a_page_naming_the_failing_expectation(tmp_path: Path) -> None:
    posts = _posts(broken=True)
    evaluation = _check_once(tmp_path, posts)
    assert evaluation.passed is False
    page = _page_of(evaluation, tmp_path)
    assert "FAILED" in page
    (line,) = [row for row in page.split("<tr") if BROKEN in row]
    assert "failed-row" in line and f"1 unexpected of {len(posts)}" in line
    assert posts.at[posts.index[2], "post_id"] in line  # the violation shows the row's key


def test_a_passing_suite_writes_a_page_too(tmp_path: Path) -> None:
    posts = _posts(broken=False)
    evaluation = _check_once(tmp_path, posts)
    assert evaluation.passed is True
    page = _page_of(evaluation, tmp_path)
    assert "FAILED" not in page
    assert f"{len(posts):,}" in page and BROKEN in page


def test_the_publish_asset_previews_every_mart(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    frames = {relation: build() for relation, (build, _types) in TABLES.items()}
    for relation, df in frames.items():
        load(warehouse, relation, df)
    resources = {
        "warehouse": Warehouse(path=str(warehouse), published=str(tmp_path / "published.duckdb"))
    }
    result = materialize([_publish_def()], resources=resources)
    (event,) = result.asset_materializations_for_node(_publish_def().node_def.name)
    metadata = event.metadata
    assert metadata["dagster/row_count"].value == sum(len(df) for df in frames.values())
    for relation, df in frames.items():
        preview = metadata[f"preview_{relation.split('.')[1]}"]
        assert isinstance(preview, MarkdownMetadataValue)
        assert f"**{len(df):,} rows**" in preview.value
        first = str(df.iloc[0, 0])  # the key of the first row, as loaded
        assert f"| {first} |" in preview.value, (relation, preview.value[:400])


def test_markdown_table_escapes_pipes() -> None:
    table = markdown_table(["a", "b"], [("x|y", None)])
    assert table.splitlines() == ["| a | b |", "| --- | --- |", "| x\\|y |  |"]


def test_row_counts_of_present_tables(tmp_path: Path) -> None:
    warehouse = Warehouse(path=str(tmp_path / "w.duckdb"))
    with duckdb.connect(str(warehouse.file)) as con:
        con.execute("create schema raw_x; create table raw_x.posts as select * from range(7)")
    assert table_row_counts(warehouse, "raw_x", ["posts", "absent"]) == {"posts": 7}


def test_each_dbt_materialisation_links_its_page_of_the_docs(tmp_path: Path) -> None:
    warehouse = Warehouse(path=str(tmp_path / "warehouse.duckdb"))
    events = [
        Output(None, "m", metadata={"unique_id": "model.pulse.fct_x"}),
        AssetMaterialization("s", metadata={"unique_id": "seed.pulse.brands"}),
    ]
    linked = list(with_docs_link(events, warehouse))
    page = (tmp_path / "reports" / "dbt_docs" / "static_index.html").as_uri()
    assert linked[0].metadata["dbt_docs"].value == page + "#!/model/model.pulse.fct_x"
    assert linked[1].metadata["dbt_docs"].value == page + "#!/seed/seed.pulse.brands"


@pytest.mark.long
def test_the_dbt_step_counts_rows_and_writes_the_docs(tmp_path: Path) -> None:
    """The dbt asset of the definitions on the fixture warehouse of tests/dbt: every table
    model's materialisation has DuckDB's row count; the docs site is in reports/dbt_docs."""
    from orchestration.dbt_project import dbt_cli
    from orchestration.defs.transform import dbt_models
    from tests.dbt.conftest import make_warehouse

    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    result = materialize(
        [dbt_models],
        resources={"dbt": dbt_cli(), "warehouse": Warehouse(path=str(warehouse))},
        raise_on_error=False,
    )
    counted = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if "dagster/row_count" in materialization.metadata:
            counted[tuple(materialization.asset_key.path)] = materialization.metadata
    assert ("marts", "fct_post_performance") in counted, sorted(counted)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (schema, table), metadata in counted.items():
            (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            assert metadata["dagster/row_count"].value == rows, (schema, table)
            assert "dbt_docs" in metadata
    docs = tmp_path / "reports" / "dbt_docs"
    for name in ("index.html", "static_index.html", "manifest.json", "catalog.json"):
        assert (docs / name).is_file(), name
    assert "fct_post_performance" in (docs / "catalog.json").read_text()


@dlt.source(name="tally")
def _tally_source(ids: tuple[int, ...] = (1, 2)) -> Any:
    return dlt.resource([{"id": i} for i in ids], name="rows")  # appends, dlt's default


def _load_tally(warehouse: Path, ids: tuple[int, ...]) -> dict[str, Any]:
    source = Source("tally", lambda: _tally_source(ids=ids), "0 0 * * *", "test source")
    result = materialize(
        [build_source_assets(source)],
        resources={"warehouse": Warehouse(path=str(warehouse)), "dlt": DagsterDltResource()},
    )
    (event,) = result.get_asset_materialization_events()
    return event.event_specific_data.materialization.metadata


def test_a_raw_table_records_rows_loaded_and_rows_in_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):  # neither the developer's warehouse nor a sandbox leaks in
        if name.startswith(("PULSE_", "SOURCES__")):
            monkeypatch.delenv(name)
    warehouse = tmp_path / "warehouse.duckdb"
    first = _load_tally(warehouse, (1, 2))
    assert (first["rows_loaded"].value, first["dagster/row_count"].value) == (2, 2)
    second = _load_tally(warehouse, (3,))
    assert (second["rows_loaded"].value, second["dagster/row_count"].value) == (1, 3)
