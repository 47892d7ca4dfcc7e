"""No `marts` column holds a person's name, a person's platform id or free text (issue 10,
point 8): the BI publication copies `marts`, so comment and review text must stay in the
`restricted` schema. Checked on the built fixture warehouse, three ways: column names, values
equal to a raw comment / review text, and values that read like sentences. Beyond `marts`, no
relation outside the raw datasets and `restricted` (staging views, intermediate tables, the
enrichment) holds a raw comment or review text either.

The oracle is the raw layer itself (the texts the sources loaded), never the models."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# Raw columns holding what people wrote (inbound comments, tweets, reviews, replies).
RAW_TEXT_COLUMNS = (
    ("raw_meta", "facebook_comments", "message"),
    ("raw_meta", "instagram_comments", "text"),
    ("raw_linkedin", "linkedin_comments", "message"),
    # The brand's own tweets are also its posts (stg_x__posts): people's tweets only.
    ("raw_x", "mentions", "text", "not coalesce(is_from_brand, false)"),
    ("raw_x", "replies", "text", "not coalesce(is_from_brand, false)"),
    ("raw_youtube", "comments", "text"),
    ("raw_google_business", "reviews", "comment"),
    ("raw_google_business", "reviews", "reply_comment"),
    ("raw_trustpilot", "reviews", "title"),
    ("raw_trustpilot", "reviews", "text"),
    ("raw_trustpilot", "reviews", "reply_text"),
)
# Column names that suggest text, names or people's ids ...
SUSPECT_NAME = re.compile(
    r"text|message|body|caption|title|comment|name|email|phone|author|user|reviewer|consumer"
)
# ... allowed when they are not strings (counts, flags, scores) or listed here, with why.
ALLOWED_NAMES = {
    ("dim_accounts", "brand_name"): "the brand's name, not a person's",
    ("dim_accounts", "account_name"): "the brand's own account name",
    ("dim_accounts", "username"): "the brand's own account handle",
    ("fct_conversions", "goal_name"): "a website goal configured by the brand",
    ("fct_inbound_items", "author_key"): "pseudonymous: the source's salted hash",
    ("fct_sessions", "user_key"): "pseudonymous visitor key",
    ("fct_crm_deals", "web_user_key"): "pseudonymous: the shared web-identity keyed hash",
    ("fct_reviews", "text_sentiment_label"): "a label derived from the text, not the text",
    ("fct_reviews", "text_sentiment_method"): "the name of the sentiment method",
}
# Values of at least this many words read as free text, except in these columns.
SENTENCE_WORDS = 4
ALLOWED_SENTENCES = {
    ("dim_posts", "hashtags"): "space-separated hashtags of the brand's posts",
    ("mart_sxo_landing_pages", "linking_pillars"): "the brand's pillar names with counts",
}
REPUTATION_MARTS = {"fct_inbound_items", "fct_reviews", "mart_response_sla"}


def marts_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, data type) of every column of the `marts` schema."""
    return con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()


def raw_texts(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every non-empty raw comment / review text of the sources loaded in the warehouse."""
    present = set(
        con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall()
    )
    texts: set[str] = set()
    for schema, table, column, *where in RAW_TEXT_COLUMNS:
        if (schema, table, column) in present:
            rows = con.execute(
                f'select distinct trim("{column}") from {schema}."{table}" '
                f"where nullif(trim(\"{column}\"), '') is not null "
                + "".join(f" and {condition}" for condition in where)
            ).fetchall()
            texts.update(value for (value,) in rows)
    return texts


def suspect_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """String columns named like text or people and not allowed by name."""
    return [
        (table, column)
        for table, column, kind in marts_columns(con)
        if SUSPECT_NAME.search(column)
        and kind == "VARCHAR"
        and (table, column) not in ALLOWED_NAMES
    ]


def modelled_string_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, relation, column) of every string column outside the raw datasets (and their
    dlt staging datasets) and `restricted`: tables and views alike."""
    return con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema <> 'restricted' "
        "and table_schema not like 'raw\\_%' escape '\\' "
        "and table_catalog = current_database() order by 1, 2, 3"
    ).fetchall()


def load_raw_texts(con: duckdb.DuckDBPyConnection) -> None:
    """The raw texts as temp table ``raw_texts (value)`` (needs a writable connection)."""
    con.execute("create or replace temp table raw_texts (value varchar)")
    con.executemany("insert into raw_texts values (?)", [(text,) for text in raw_texts(con)])


def holds_raw_text(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    """Whether a value of the column, trimmed, equals a text of ``raw_texts``."""
    values = f'(select distinct trim("{column}") as value from {schema}."{table}")'
    return bool(
        con.execute(
            f"select count(*) from {values} as v inner join raw_texts using (value)"
        ).fetchone()[0]
    )


def modelled_columns_holding_raw_text(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, str]]:
    """String columns outside raw and `restricted` holding a raw text (``load_raw_texts``
    first)."""
    return [c for c in modelled_string_columns(con) if holds_raw_text(con, *c)]


def columns_holding(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """String columns of `marts` with a value equal to a raw text or reading as a sentence
    (SENTENCE_WORDS words or more)."""
    load_raw_texts(con)
    found = []
    for table, column, kind in marts_columns(con):
        if kind != "VARCHAR":
            continue
        equal = holds_raw_text(con, "marts", table, column)
        sentences = 0
        if (table, column) not in ALLOWED_SENTENCES:
            sentences = con.execute(
                f'select count(*) from (select distinct trim("{column}") as value '
                f'from marts."{table}") as v '
                f"where len(string_split(regexp_replace(value, '\\s+', ' ', 'g'), ' ')) "
                f">= {SENTENCE_WORDS}"
            ).fetchone()[0]
        if equal or sentences:
            found.append((table, column))
    return found


def test_reputation_marts_built_and_text_restricted(built_warehouse) -> None:
    """Not vacuous: the reputation marts exist and the raw texts are in `restricted`."""
    warehouse, _ = built_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {table for table, _, _ in marts_columns(con)}
        assert tables >= REPUTATION_MARTS
        texts = raw_texts(con)
        restricted = {
            value
            for (value,) in con.execute(
                "select distinct trim(item_text) from restricted.rst_inbound_texts"
            ).fetchall()
        }
    assert texts, "the fixture should load some comment text"
    assert restricted & texts


def test_no_marts_column_is_named_for_text_or_people(built_warehouse) -> None:
    warehouse, _ = built_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert suspect_columns(con) == []


def test_no_marts_value_is_raw_text_or_a_sentence(built_warehouse, tmp_path: Path) -> None:
    warehouse, _ = built_warehouse
    # Temp tables need a writable connection: query a copy, never the shared warehouse.
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        assert columns_holding(con) == []


def test_raw_text_lives_only_in_restricted(built_warehouse, tmp_path: Path) -> None:
    """Staging does not stage free text; no modelled relation but `restricted` holds it."""
    warehouse, _ = built_warehouse
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        schemas = {schema for schema, _, _ in modelled_string_columns(con)}
        assert schemas >= {"staging", "intermediate", "marts"}
        load_raw_texts(con)
        assert modelled_columns_holding_raw_text(con) == []


def test_author_keys_are_source_hashes(built_warehouse) -> None:
    """author_key is the source's pseudonymous hash, never a name or a platform id."""
    warehouse, _ = built_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hashes = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema like 'raw\\_%' escape '\\' and (column_name like '%hash' "
            "or (table_schema = 'raw_x' and column_name = 'author_id'))"
        ).fetchall()
        known = {
            value
            for schema, table, column in hashes
            for (value,) in con.execute(
                f'select distinct "{column}" from {schema}."{table}"'
            ).fetchall()
        }
        keys = {
            key
            for (key,) in con.execute(
                "select distinct author_key from marts.fct_inbound_items "
                "where author_key is not null"
            ).fetchall()
        }
    assert keys <= known
