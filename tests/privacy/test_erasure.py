"""Erasure (issue 12, point 6): a person with comments on two platforms and a review, loaded
from the sandbox, is erased with ``python -m privacy erase`` on each platform; then no table of
the warehouse or the published copy, no byte of either file and no dlt file holds their ids,
names, pseudonyms or texts; a rerun of ingestion does not bring them back; a second erasure
removes nothing and is logged as such.

Oracles: the planted values (tests/privacy/planted.py) and their keyed hashes recomputed here
(``tests.sources.support.keyed_hash``), never the catalogue or the code under test."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from privacy.__main__ import main
from tests.privacy.planted import PERSON, ingest
from tests.privacy.search import bytes_holding, files_holding, tables_holding
from tests.sources.support import PSEUDONYMISATION_KEY, keyed_hash

ERASURES = [
    ("facebook", PERSON.facebook_id, PERSON.facebook_name),
    ("instagram", PERSON.instagram_id, PERSON.instagram_username),
    ("trustpilot", PERSON.trustpilot_id, PERSON.trustpilot_name),
]
# Each platform's source, whose own key hashes its people (docs/privacy.md, "Pseudonyms").
SOURCE = {"facebook": "meta", "instagram": "meta", "trustpilot": "trustpilot"}
HASHES = [
    keyed_hash(value, SOURCE[platform])
    for platform, user_id, name in ERASURES
    for value in (user_id, name)
]
# Zoé's Facebook name is also a namesake's (another id): its hash stays in the namesake's row.
SHARED_NAME = keyed_hash(PERSON.facebook_name, "meta")
OWN_HASHES = [h for h in HASHES if h != SHARED_NAME]
# The erasure list keeps the pseudonyms on purpose: ingestion needs them to drop the person.
ERASURE_LIST = ("privacy.erasure_list",)


@pytest.fixture()
def env(warehouse_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
    monkeypatch.setenv("PULSE_PUBLISHED", str(warehouse_copy / "published.duckdb"))
    monkeypatch.setenv("PULSE_DLT_DIR", str(warehouse_copy / "pipelines"))
    return warehouse_copy


def erase(db: Path, platform: str, user_id: str, name: str) -> None:
    main(
        [
            "--db",
            str(db),
            "erase",
            "--platform",
            platform,
            "--user-id",
            user_id,
            "--name",
            name,
            "--by",
            "test-operator",
        ]
    )


def log_rows(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select platform, outcome, rows_removed, tables, run_by from privacy.erasure_log "
            "order by erased_at"
        ).fetchall()


def namesake_rows_only(db: Path) -> bool:
    """The shared name's hash is left only in rows of the namesake's own id."""
    with duckdb.connect(str(db), read_only=True) as con:
        owners = con.execute(
            "select distinct author_id_hash from raw_meta.facebook_comments "
            "where author_name_hash = ?",
            [SHARED_NAME],
        ).fetchall()
    holders = {t for t, _ in tables_holding(db, [SHARED_NAME], skip=ERASURE_LIST)}
    return owners == [(keyed_hash(PERSON.namesake_id, "meta"),)] and holders <= {
        "raw_meta.facebook_comments.author_name_hash",
        "raw_meta_staging.facebook_comments.author_name_hash",
    }


def test_the_planted_person_is_there_before(env: Path) -> None:
    """Not vacuous: every text, hash and derived row is there, and the texts are in the file's
    bytes verbatim, before any erasure."""
    db = env / "w.duckdb"
    held = {value for _, value in tables_holding(db, [*PERSON.texts(), *HASHES])}
    assert held == {*PERSON.texts(), *HASHES}
    assert bytes_holding(db, PERSON.texts()) == PERSON.texts()
    assert {v for _, v in tables_holding(env / "published.duckdb", HASHES)} == {
        keyed_hash(PERSON.facebook_id, "meta"),
        keyed_hash(PERSON.instagram_id, "meta"),
        keyed_hash(PERSON.trustpilot_id, "trustpilot"),
    }
    assert files_holding(env / "pipelines", [PERSON.facebook_text])


def test_erasure_removes_the_person_everywhere(env: Path, planted_sandbox: str) -> None:
    db, published = env / "w.duckdb", env / "published.duckdb"
    for platform, user_id, name in ERASURES:
        erase(db, platform, user_id, name)
    wanted = [*PERSON.clear_values(), *OWN_HASHES]
    assert tables_holding(db, wanted, skip=ERASURE_LIST) == []
    assert tables_holding(published, [*wanted, SHARED_NAME]) == []
    assert bytes_holding(db, PERSON.clear_values()) == []
    assert bytes_holding(published, [*PERSON.clear_values(), *HASHES]) == []
    assert namesake_rows_only(db)
    assert files_holding(env / "pipelines", wanted) == []
    # Someone else's comment on the same post is still there (the erasure is not a purge),
    # and so is a namesake's: same name, another id, another person.
    others = [PERSON.recent_text, PERSON.namesake_text, keyed_hash(PERSON.namesake_id, "meta")]
    assert {v for _, v in tables_holding(db, others)} == set(others)
    log = log_rows(db)
    assert [(p, o, by) for p, o, _, _, by in log] == [
        (p, "erased", "test-operator") for p, _, _ in ERASURES
    ]
    assert all(rows > 0 for _, _, rows, _, _ in log)
    # The audit row says which tables, never whom.
    assert tables_holding(db, wanted, skip=(*ERASURE_LIST,)) == []

    # The vendor still serves the comment: a rerun of Meta's ingestion must not reload it.
    ingest("meta", planted_sandbox, db, env / "pipelines")
    assert tables_holding(db, wanted, skip=ERASURE_LIST) == []
    assert files_holding(env / "pipelines", wanted) == []
    assert {v for _, v in tables_holding(db, others)} == set(others)  # the rerun loaded them
    assert namesake_rows_only(db)

    erase(db, "facebook", PERSON.facebook_id, PERSON.facebook_name)
    assert log_rows(db)[-1][:3] == ("facebook", "nothing to erase", 0)
