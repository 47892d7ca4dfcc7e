"""The asset scores new and changed texts only, on a tiny DuckDB file.

Raw tables hold a few hand-written rows in the raw layout (only the columns the text SQL reads);
expectations are counts of rows written, known from the fixture.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from enrichment.sentiment import METHOD
from enrichment.store import TABLE, refresh_text_sentiment

RAW = """
create schema raw_meta;
create table raw_meta.facebook_comments (comment_id varchar, message varchar,
    is_from_page boolean, fetched_at timestamptz);
insert into raw_meta.facebook_comments values
    ('c1', 'Livraison rapide, merci !', false, '2026-10-01 10:00:00+00'),
    ('c2', 'Toujours pas reçu ma commande, c''est inadmissible.', false, '2026-10-01 10:00:00+00'),
    ('c3', 'Merci pour votre message !', true, '2026-10-01 10:00:00+00'),
    ('c4', null, false, '2026-10-01 10:00:00+00');
create schema raw_trustpilot;
create table raw_trustpilot.reviews (review_id varchar, title varchar, text varchar,
    fetched_at timestamptz);
insert into raw_trustpilot.reviews values
    ('r1', 'À éviter', 'Colis arrivé cassé.', '2026-10-01 10:00:00+00');
"""


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute(RAW)
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            f"select item_key, sentiment_label, sentiment_method, scored_at from {TABLE}"
        ).fetchall()
    }


def test_first_run_scores_inbound_texts_only(con: duckdb.DuckDBPyConnection) -> None:
    assert refresh_text_sentiment(con) == {"scored": 3, "removed": 0, "rows": 3}
    rows = _rows(con)
    # c3 is the brand's own reply, c4 has no text.
    assert set(rows) == {"facebook:c1", "facebook:c2", "trustpilot:r1"}
    assert {k: v[0] for k, v in rows.items()} == {
        "facebook:c1": "positive",
        "facebook:c2": "negative",
        "trustpilot:r1": "negative",
    }
    assert {v[1] for v in rows.values()} == {METHOD}


def test_second_run_scores_nothing_and_a_changed_text_is_rescored(
    con: duckdb.DuckDBPyConnection,
) -> None:
    refresh_text_sentiment(con)
    before = _rows(con)
    assert refresh_text_sentiment(con) == {"scored": 0, "removed": 0, "rows": 3}
    assert _rows(con) == before

    # An edited comment arrives in a later fetch (the latest fetch wins), and one is deleted.
    con.execute(
        "insert into raw_meta.facebook_comments values "
        "('c1', 'Finalement colis abîmé, très déçu.', false, '2026-10-02 10:00:00+00')"
    )
    con.execute("delete from raw_trustpilot.reviews where review_id = 'r1'")
    assert refresh_text_sentiment(con) == {"scored": 1, "removed": 1, "rows": 2}
    after = _rows(con)
    assert after["facebook:c1"][0] == "negative"
    assert after["facebook:c1"][2] > before["facebook:c1"][2]
    assert after["facebook:c2"] == before["facebook:c2"]


def test_a_new_method_version_rescores_everything(con: duckdb.DuckDBPyConnection) -> None:
    refresh_text_sentiment(con)
    con.execute(f"update {TABLE} set sentiment_method = 'older/0'")
    assert refresh_text_sentiment(con)["scored"] == 3


def test_the_dagster_asset_writes_the_table(tmp_path: Path) -> None:
    from dagster import materialize

    from orchestration.defs.enrichment import text_sentiment
    from orchestration.defs.warehouse import Warehouse

    path = tmp_path / "asset.duckdb"
    with duckdb.connect(str(path)) as setup:
        setup.execute(RAW)
    warehouse = Warehouse(path=str(path), published=str(tmp_path / "published.duckdb"))
    result = materialize([text_sentiment], resources={"warehouse": warehouse})
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["scored"].value == 3
    assert text_sentiment.key.path == ["enrichment", "text_sentiment"]
