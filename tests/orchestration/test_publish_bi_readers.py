"""The published marts open in the tools BI users have: a DuckDB 1.x engine (the one Evidence,
DBeaver and most drivers embed, in an environment of its own, since this project's is 2.x) reads
the published copy, and one Parquet file per mart holds the same rows.

The oracle is the warehouse the marts were copied from, read with this project's DuckDB; the
warehouse's marts use every column type the dbt marts produce (listed by hand from a demo's
published copy: ``select distinct data_type from information_schema.columns``).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from orchestration.defs import publish
from orchestration.defs.publish import PublicationFailed, parquet_folder, publish_marts

DUCKDB_1X = "duckdb==1.4.*"
READER_ENV = Path(tempfile.gettempdir()) / "pulse-duckdb-1.4"
UV = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uv"

MARTS = {
    "mart_every_type": """select range::bigint as id, (range % 7)::integer as weekday,
        (range * 1000000000000)::hugeint as big, range / 3 as share, range % 2 = 0 as flag,
        'brand-' || range as brand, date '2026-01-01' + range::integer as day,
        timestamp '2026-01-01 08:30:00' + to_hours(range) as at
        from range(1000)""",
    "mart_with_nulls": """select null::bigint as id, null::double as share,
        null::varchar as brand, null::date as day, null::timestamp as at""",
    "mart_empty": "select 1::integer as id where false",
}

READ_EVERY_MART = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = [r[0] for r in con.execute(
    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
out = {"version": duckdb.__version__, "marts": {}}
for name in names:
    rows = con.execute(f"select * from marts.{name} order by all").fetchall()
    out["marts"][name] = [[str(v) for v in row] for row in rows]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def reader_python() -> Path:
    """A Python with DuckDB 1.x from PyPI, in a virtualenv of its own (uv caches the wheel)."""
    python = READER_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([str(UV), "venv", "-q", str(READER_ENV)], check=True)
    subprocess.run(
        [str(UV), "pip", "install", "-q", "--python", str(python), DUCKDB_1X], check=True
    )
    return python


def _read_with(python: Path, database: Path) -> dict:
    done = subprocess.run(
        [str(python), "-c", READ_EVERY_MART, str(database)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _warehouse(path: Path, marts: dict[str, str]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        for name, sql in marts.items():
            con.execute(f"create or replace table marts.{name} as {sql}")
    return path


def _marts_of(database: Path) -> dict[str, list[list[str]]]:
    """Every mart of ``database`` as sorted rows of strings, read with this project's DuckDB."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {
            name: [
                [str(v) for v in row]
                for row in con.execute(f"select * from marts.{name} order by all").fetchall()
            ]
            for (name,) in names
        }


def test_a_duckdb_1x_reader_reads_every_mart_of_the_published_copy(
    tmp_path: Path, reader_python: Path
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", MARTS)
    published = tmp_path / "published.duckdb"
    publish_marts(warehouse, published)
    read = _read_with(reader_python, published)
    assert read["version"].startswith("1.4.")
    expected = _marts_of(warehouse)
    assert {name: len(rows) for name, rows in read["marts"].items()} == {
        "mart_every_type": 1000,
        "mart_with_nulls": 1,
        "mart_empty": 0,
    }
    assert read["marts"] == expected


def test_the_storage_version_follows_its_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", {"mart_empty": MARTS["mart_empty"]})
    published = tmp_path / "published.duckdb"
    for setting, written in ((None, "v1.0.0+"), ("v1.2.0", "v1.2.0+")):
        if setting:
            monkeypatch.setenv("PULSE_PUBLISHED_STORAGE_VERSION", setting)
        publish_marts(warehouse, published)
        with duckdb.connect() as con:
            con.execute(f"attach '{published}' as p (read_only)")
            tags = con.execute(
                "select tags from duckdb_databases() where database_name = 'p'"
            ).fetchone()[0]
        assert tags["storage_version"] == written


def test_each_mart_is_one_parquet_file_with_the_marts_rows(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", MARTS)
    published = tmp_path / "published.duckdb"
    publish_marts(warehouse, published)
    folder = tmp_path / "published_parquet"
    assert parquet_folder(published) == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{m}.parquet" for m in MARTS)
    expected = _marts_of(warehouse)
    with duckdb.connect() as con:
        for name in MARTS:
            rows = con.execute(
                f"select * from read_parquet('{folder / name}.parquet') order by all"
            ).fetchall()
            assert [[str(v) for v in row] for row in rows] == expected[name], name


def test_a_new_publication_replaces_the_parquet_folder_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", {"mart_a": "select 1 as v"})
    published = tmp_path / "published.duckdb"
    publish_marts(warehouse, published)
    first = (tmp_path / "published_parquet").resolve()
    _warehouse(warehouse, {"mart_b": "select 2 as v"})
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.mart_a")
    publish_marts(warehouse, published)
    folder = tmp_path / "published_parquet"
    assert [p.name for p in folder.iterdir()] == ["mart_b.parquet"]  # mart_a went with its folder
    assert not first.exists()
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".published_parquet")]
    assert hidden == [folder.resolve().name]

    def read_only(_src: object, _dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(publish.os, "replace", read_only)
    _warehouse(warehouse, {"mart_c": "select 3 as v"})
    with pytest.raises(PublicationFailed):
        publish_marts(warehouse, published)
    assert [p.name for p in folder.iterdir()] == ["mart_b.parquet"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".published_parquet")]
    assert leftovers == hidden


def test_an_edit_of_the_published_copy_reaches_its_parquet_files(
    tmp_path: Path, reader_python: Path
) -> None:
    """What an erasure does (privacy.compaction.edit_copy): rows deleted from the published
    copy leave its Parquet files too, and DuckDB 1.x still opens the rewritten copy."""
    from privacy import compaction

    warehouse = _warehouse(tmp_path / "warehouse.duckdb", MARTS)
    published = tmp_path / "published.duckdb"
    publish_marts(warehouse, published)

    def erase(con: duckdb.DuckDBPyConnection) -> bool:
        con.execute("delete from marts.mart_every_type where id >= 10")
        return True

    assert compaction.edit_copy(published, erase)
    parquet = tmp_path / "published_parquet" / "mart_every_type.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select count(*) from '{parquet}'").fetchone()[0] == 10
    assert len(_read_with(reader_python, published)["marts"]["mart_every_type"]) == 10
