"""Retention (issue 12, point 5): on a warehouse loaded from the sandbox, a Facebook comment
planted with a long random text 13 months and some days before "now" loses its text and its
author's pseudonyms in raw, restricted, intermediate, marts and the published copy, and the
text's bytes are gone from the DuckDB file; a recent comment keeps both; the row stays, so the
counts do not change.

Oracles: the planted texts and ids (tests/privacy/planted.py), keyed hashes recomputed here,
dates computed by hand."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.warehouse import warehouse_from_env
from privacy.commands import retention
from privacy.dlt_files import remove_loaded_before
from privacy.retention import BadRetention, Retention, expire_raw, horizon, retention_months
from tests.privacy.planted import PERSON
from tests.privacy.search import bytes_holding, tables_holding
from tests.sources.support import keyed_hash

# 13 months before 2027-01-03 is 2025-12-03: the old comment (2025-11-20) expires, the recent
# one (2025-12-08) and the planted person's (2025-12-05) do not.
NOW = datetime(2027, 1, 3, 12, tzinfo=UTC)
OLD_AUTHOR = keyed_hash("100000000999002", "meta")
RECENT_AUTHOR = keyed_hash("100000000999003", "meta")


def one(db: Path, sql: str) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()


def comment(db: Path, text_of: str) -> str:
    """SQL: the raw row of the planted comment whose id ends in ``text_of``."""
    return f"from raw_meta.facebook_comments where comment_id like '%\\_{text_of}' escape '\\'"


@contextmanager
def held_open(db: Path) -> Iterator[None]:
    """A BI tool's read-only session on ``db`` in another process, for the block's length."""
    code = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print('open', flush=True); time.sleep(600)"
    )
    reader = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == b"open"
        yield
        assert reader.poll() is None, "the reader's session was cut"
    finally:
        reader.kill()
        reader.wait()


def test_horizon_is_calendar_months() -> None:
    assert horizon(NOW, 13) == datetime(2025, 12, 3, 12, tzinfo=UTC)
    assert horizon(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert horizon(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)


def test_retention_setting() -> None:
    assert retention_months({}) == 13
    assert retention_months({"PULSE_RETENTION_MONTHS": "24"}) == 24
    for bad in ("0", "-3", "1.5", "thirteen"):
        with pytest.raises(BadRetention, match="PULSE_RETENTION_MONTHS"):
            retention_months({"PULSE_RETENTION_MONTHS": bad})


def test_old_text_and_pseudonyms_are_gone_from_tables_and_bytes(warehouse_copy: Path) -> None:
    db, published = warehouse_copy / "w.duckdb", warehouse_copy / "published.duckdb"
    rows_before = one(db, "select count(*) from raw_meta.facebook_comments")[0]
    daily_before = one(db, "select sum(items) from marts.mart_reputation_daily")[0]
    # Not vacuous: the old text is in the tables and verbatim in the file, its author's
    # pseudonym in raw, marts and the published copy.
    assert {t for t, _ in tables_holding(db, [PERSON.old_text])} >= {
        "raw_meta.facebook_comments.message",
        "restricted.rst_inbound_texts.item_text",
    }
    assert bytes_holding(db, [PERSON.old_text]) == [PERSON.old_text]
    assert tables_holding(published, [OLD_AUTHOR]) == [
        ("marts.fct_inbound_items.author_key", OLD_AUTHOR)
    ]

    env = {
        "PULSE_WAREHOUSE": str(db),
        "PULSE_PUBLISHED": str(published),
        "PULSE_DLT_DIR": str(warehouse_copy / "pipelines"),
    }
    with held_open(published):  # a BI tool reading the copy does not stop retention
        first = retention(warehouse_from_env(env), 13, now=NOW)
    assert first.total > 0

    assert tables_holding(db, [PERSON.old_text, OLD_AUTHOR]) == []
    assert tables_holding(published, [OLD_AUTHOR]) == []
    assert bytes_holding(db, [PERSON.old_text, OLD_AUTHOR]) == []
    assert bytes_holding(published, [OLD_AUTHOR]) == []
    # The row stays, blank: the post keeps its comment count, the daily counts are unchanged.
    assert one(db, f"select message, author_id_hash, author_name_hash {comment(db, '999002')}") == (
        None,
        None,
        None,
    )
    assert one(db, "select count(*) from raw_meta.facebook_comments")[0] == rows_before
    assert one(db, "select sum(items) from marts.mart_reputation_daily")[0] == daily_before
    # Younger than the horizon: untouched.
    assert one(db, f"select message, author_id_hash {comment(db, '999003')}") == (
        PERSON.recent_text,
        RECENT_AUTHOR,
    )
    assert {v for _, v in tables_holding(db, [PERSON.recent_text, RECENT_AUTHOR])} == {
        PERSON.recent_text,
        RECENT_AUTHOR,
    }
    assert bytes_holding(db, [PERSON.recent_text]) == [PERSON.recent_text]
    # The next day: nothing left to blank, the file is not rewritten.
    stamp = db.stat().st_mtime_ns
    assert retention(warehouse_from_env(env), 13, now=NOW).total == 0
    assert db.stat().st_mtime_ns == stamp


def test_a_column_the_source_does_not_declare_expires_with_the_person(tmp_path: Path) -> None:
    """A field Trustpilot added since (stored keyed, as ``surprise_field``) is blanked in old
    rows like the reviewer's pseudonyms; a declared, non-personal column (stars) and dlt's
    own columns stay, and a recent row keeps everything (issue 12, point 3)."""
    db = tmp_path / "w.duckdb"
    old, recent = "2025-11-20 10:00:00+00", "2025-12-08 10:00:00+00"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw_trustpilot")
        con.execute(
            "create table raw_trustpilot.reviews (review_id varchar, created_at timestamptz, "
            "stars bigint, consumer_id_hash varchar, surprise_field varchar, _dlt_id varchar)"
        )
        con.execute(
            "insert into raw_trustpilot.reviews values "
            f"('r1', '{old}', 4, 'h-old', 'k-old', 'd1'), "
            f"('r2', '{recent}', 5, 'h-new', 'k-new', 'd2')"
        )
        report = Retention(horizon(NOW, 13))
        expire_raw(con, report.horizon, report)
        rows = con.execute(
            "select review_id, stars, consumer_id_hash, surprise_field, _dlt_id "
            "from raw_trustpilot.reviews order by 1"
        ).fetchall()
    assert rows == [("r1", 4, None, None, "d1"), ("r2", 5, "h-new", "k-new", "d2")]
    assert report.rows == {"raw_trustpilot.reviews": 1}


def test_loaded_dlt_packages_older_than_the_horizon_are_removed(tmp_path: Path) -> None:
    loaded = tmp_path / "meta" / "load" / "loaded"
    old, young = datetime(2025, 11, 1, tzinfo=UTC), datetime(2025, 12, 20, tzinfo=UTC)
    for at in (old, young):
        (loaded / str(at.timestamp()) / "completed_jobs").mkdir(parents=True)
    assert remove_loaded_before(tmp_path, datetime(2025, 12, 3, tzinfo=UTC)) == 1
    assert [p.name for p in loaded.iterdir()] == [str(young.timestamp())]
