"""The catalogue of personal data is complete: a raw table, or a derived column, that looks
like it holds a person and that the catalogue does not classify fails here.

Raw tables: the DDL copied from a real load for the dbt tests (tests/dbt/fixtures, which
``tests/dbt/empty_raw.py`` regenerates from a warehouse) plus every source table the dbt
project reads (its manifest). Derived columns: every column of every dbt model. Pseudonyms: the
catalogue's computation against HMACs recomputed here over the inputs the sources' own row
builders hash."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from privacy.catalogue import (
    BRAND_TABLES,
    DERIVED_PERSON_COLUMNS,
    DERIVED_TEXT_COLUMNS,
    PLATFORMS,
    QUARANTINE,
    RAW_TABLES,
)
from privacy.pseudonyms import UnknownPlatform, pseudonyms
from pulse_config.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from tests.sources.support import PSEUDONYMISATION_KEY, keyed_hash

FIXTURES = PROJECT_ROOT / "tests" / "dbt" / "fixtures"
# Column names that read like a person, what they wrote, or where they come from.
SUSPECT = re.compile(
    r"text|message|body|caption|title|comment|name|email|phone|author|user|reviewer|consumer"
    r"|visitor|description|commentary|hash|keyword|url"
)
# The id of the comment itself is not a person's (the author is in another column).
ITEM_IDS = re.compile(r"(^|_)comment_(id|urn)$")
# Meta's two platforms are one source, hashing under one key; the others are their own source.
SOURCE = {"facebook": "meta", "instagram": "meta"}


def raw_columns() -> dict[tuple[str, str], set[str]]:
    """(source, table) -> string columns, from the fixtures' DDL and the dbt manifest."""
    con = duckdb.connect(":memory:")
    for name in ("raw_meta.sql", "raw_social_empty.sql"):
        con.execute((FIXTURES / name).read_text())
    found: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema like 'raw\\_%' escape '\\'"
    ).fetchall():
        found.setdefault((schema.removeprefix("raw_"), table), set()).add(column)
    for node in manifest()["sources"].values():
        if node["schema"].startswith("raw_"):
            key = (node["schema"].removeprefix("raw_"), node["name"])
            found.setdefault(key, set()).update(node["columns"])
    return found


def manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def unclassified_raw() -> list[tuple[str, str, str]]:
    entries = {(t.source, t.table): t for t in RAW_TABLES}
    missing = []
    for (source, table), columns in sorted(raw_columns().items()):
        suspects = {c for c in columns if SUSPECT.search(c) and not ITEM_IDS.search(c)}
        if not suspects or table == QUARANTINE.table or (source, table) in BRAND_TABLES:
            continue
        entry = entries.get((source, table))
        known = set(entry.personal_columns + entry.not_personal) if entry else set()
        missing += [(source, table, c) for c in sorted(suspects - known)]
    return missing


def test_every_raw_table_with_personal_looking_columns_is_catalogued() -> None:
    assert unclassified_raw() == []


def test_the_check_catches_a_new_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not vacuous: a new raw table with an author column fails the check."""
    real = raw_columns()
    monkeypatch.setattr(
        "tests.privacy.test_catalogue.raw_columns",
        lambda: {**real, ("x", "direct_messages"): {"sender_id_hash", "body"}},
    )
    assert unclassified_raw() == [
        ("x", "direct_messages", "body"),
        ("x", "direct_messages", "sender_id_hash"),
    ]


def test_catalogued_raw_tables_exist() -> None:
    """No stale entry: each catalogued table is one a source loads."""
    present = set(raw_columns())
    assert [(t.source, t.table) for t in RAW_TABLES if (t.source, t.table) not in present] == []


# Model columns named like a person or a text that are neither, with why.
NOT_A_PERSON = {
    "user_count": "a count of users",
    "username": "the brand account's handle (dim_accounts, int_accounts)",
    "ig_user_id": "the brand's Instagram account",
    "user_id": "the brand's X account (stg_x__*): a person's is author_key",
    "post_text": "the brand's own posts (restricted.rst_post_texts)",
    "tweet_text": "the brand's own tweets (stg_x__posts, a view)",
    "commentary": "the brand's LinkedIn posts (stg_linkedin__posts, a view)",
    "commentary_little_text": "the brand's LinkedIn posts (stg_linkedin__posts, a view)",
    "author_urn": "the brand's LinkedIn organization, author of its posts",
    "author_type": "person or organization",
    "has_text": "a flag",
    "text_lower": "the brand's post text lower-cased (int_posts)",
    "text_hash": "an md5 of a text, to rescore only changed texts (enrichment)",
    "message": "the brand's Facebook posts (stg_meta__facebook_posts, a view)",
    "google_message": "Google's error message (stg_youtube__comments_disabled)",
    "text_sentiment_label": "a label computed from the text, not the text",
    "text_sentiment_method": "the name of the sentiment method",
    "text_sentiment_score": "a score",
    "message_id": "the id of a comment or tweet (its author is author_key)",
    "message_key": "platform:message_id, a link column",
    "has_reviewer_photo": "a flag",
    "is_reviewer_anonymous": "a flag",
    "visitor_type": "new or returning",
    "visitor_visit_number": "a number",
}
PERSON_LIKE = re.compile(r"author|visitor|consumer|reviewer|user|_hash$")
TEXT_LIKE = re.compile(r"text|message|commentary|body")


def test_every_model_column_that_holds_a_person_is_known() -> None:
    """Derived tables are found by these names: a model column named like a person or a text
    must be one of them, or listed above as neither."""
    unknown = set()
    for node in manifest()["nodes"].values():
        if node["resource_type"] != "model":
            continue
        for column in node["columns"]:
            if column in NOT_A_PERSON or column.endswith(("_count", "_rank")):
                continue
            if PERSON_LIKE.search(column) and column not in DERIVED_PERSON_COLUMNS:
                unknown.add((node["name"], column))
            if TEXT_LIKE.search(column) and column not in DERIVED_TEXT_COLUMNS:
                unknown.add((node["name"], column))
    assert sorted(unknown) == []


@pytest.mark.parametrize(
    ("platform", "given", "hashed"),
    [
        ("facebook", "100000000000664", "100000000000664"),
        ("instagram", "17850000000000100", "17850000000000100"),
        ("youtube", "UCabc", "UCabc"),
        ("x", "1234", "1234"),
        ("trustpilot", "5ff5ced3799c32bd55036813", "5ff5ced3799c32bd55036813"),
        ("matomo", "a1b2c3d4e5f60718", "a1b2c3d4e5f60718"),
        ("google_business", "Louis R.", "Louis R."),
        # LinkedIn hashes the comment's actor URN (ingestion/linkedin/rows.py, comment()).
        ("linkedin", "ab12CD", "urn:li:person:ab12CD"),
        ("linkedin", "urn:li:person:ab12CD", "urn:li:person:ab12CD"),
    ],
)
def test_pseudonym_is_the_sources_hmac(platform: str, given: str, hashed: str) -> None:
    source = SOURCE.get(platform, platform)
    assert pseudonyms(platform, [given], key=PSEUDONYMISATION_KEY) == [keyed_hash(hashed, source)]


def test_names_are_hashed_as_given_and_platforms_are_checked() -> None:
    assert pseudonyms("linkedin", ["ab12CD", "Zoé"], key=PSEUDONYMISATION_KEY) == [
        keyed_hash("urn:li:person:ab12CD", "linkedin"),
        keyed_hash("Zoé", "linkedin"),
    ]
    with pytest.raises(UnknownPlatform, match="myspace"):
        pseudonyms("myspace", ["1"], key=PSEUDONYMISATION_KEY)
    assert {p.source for p in PLATFORMS.values()} <= {t.source for t in RAW_TABLES}


def test_linkedin_source_hashes_what_the_catalogue_hashes() -> None:
    """The LinkedIn row builder itself, fed a comment by member ab12CD, stores the pseudonym
    the erasure computes from the member id alone."""
    from ingestion.linkedin import rows
    from ingestion.privacy import Pseudonymiser

    raw = {
        "commentUrn": "urn:li:comment:(urn:li:activity:1,2)",
        "id": "2",
        "actor": "urn:li:person:ab12CD",
        "created": {"time": 1_700_000_000_000},
        "message": {"text": "hello"},
    }
    hasher = Pseudonymiser.for_source(PSEUDONYMISATION_KEY, "linkedin")
    row = rows.comment(raw, "urn:li:share:1", "42", None, hasher)
    assert [row["author_urn_hash"]] == pseudonyms("linkedin", ["ab12CD"], PSEUDONYMISATION_KEY)


def test_the_fixtures_hold_raw_tables() -> None:
    """Not vacuous: the DDL the check reads covers every source."""
    sources = {source for source, _ in raw_columns()}
    assert sources >= {t.source for t in RAW_TABLES}
    assert Path(FIXTURES / "raw_social_empty.sql").exists()
