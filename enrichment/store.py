"""The table ``enrichment.text_sentiment``: incremental scoring of the raw texts.

Kept apart from the Dagster asset so it can be run and tested on any DuckDB connection.
Only texts that are new, whose text changed (md5) or that an older method version scored are
scored again; rows whose item left the raw tables are deleted with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from enrichment.texts import texts_sql

SCHEMA = "enrichment"
TABLE = f"{SCHEMA}.text_sentiment"
BATCH = 5000

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {TABLE} (
    item_key varchar primary key,
    platform varchar not null,
    sentiment_score double not null,
    sentiment_label varchar not null,
    sentiment_method varchar not null,
    language varchar not null,
    text_hash varchar not null,
    scored_at timestamp with time zone not null
);
"""


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database()"
    ).fetchall()
    return {(schema, table) for schema, table in rows}


def refresh_text_sentiment(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Score what is new or changed, drop what is gone; counts of each."""
    from enrichment.sentiment import METHOD, analyse

    con.execute(DDL)
    sql = texts_sql(_existing_tables(con))
    if sql is None:
        return {"scored": 0, "removed": 0, "rows": 0}
    con.execute(f"create or replace temp table _texts as {sql}")
    todo = con.execute(
        f"select t.item_key, t.platform, t.text, t.text_hash from _texts t "
        f"left join {TABLE} s using (item_key) where s.item_key is null "
        "or s.text_hash <> t.text_hash or s.sentiment_method <> ?",
        [METHOD],
    ).fetchall()
    scored_at = datetime.now(UTC)
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        # Comments repeat ("J'adore 😍"): each distinct text is analysed once.
        distinct = list(dict.fromkeys(row[2] for row in batch))
        by_text = dict(zip(distinct, analyse(distinct), strict=True))
        results = [by_text[row[2]] for row in batch]
        frame = pa.table(
            {
                "item_key": [row[0] for row in batch],
                "platform": [row[1] for row in batch],
                "sentiment_score": [r.score for r in results],
                "sentiment_label": [r.label for r in results],
                "sentiment_method": [r.method for r in results],
                "language": [r.language for r in results],
                "text_hash": [row[3] for row in batch],
                "scored_at": pa.array([scored_at] * len(batch), pa.timestamp("us", tz="UTC")),
            }
        )
        con.register("_scored", frame)
        con.execute(f"insert or replace into {TABLE} by name select * from _scored")
        con.unregister("_scored")
    removed = con.execute(
        f"delete from {TABLE} where item_key not in (select item_key from _texts)"
    ).fetchone()[0]
    rows = con.execute(f"select count(*) from {TABLE}").fetchone()[0]
    return {"scored": len(todo), "removed": removed, "rows": rows}
