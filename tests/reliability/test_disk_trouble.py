"""Disk trouble: a publication target that cannot be written, a disk that fills up while the
new copy is written, a rename that fails, and a dlt state folder that cannot be created. Each
fails its step with a message naming the path and the cause, leaves no temporary file behind,
and leaves the previous published copy byte for byte as it was.

CI runs as root, where a read-only ``chmod`` stops nothing, so nothing here relies on
permissions: an unwritable directory is a path under a regular file (ENOTDIR, for root too); a
full disk is a child process whose file size limit (``RLIMIT_FSIZE``) is below the copy's size,
so its ``write()`` fails in the middle of the copy (EFBIG, where a full disk gives ENOSPC; the
kernel enforces the limit on root too); a failing rename is ``os.replace`` patched to raise
OSError(EROFS).
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import resource
import signal
from pathlib import Path
from types import SimpleNamespace

import dlt
import duckdb
import pytest

from orchestration.defs import publish
from orchestration.defs.publish import PublicationFailed, publish_marts
from orchestration.defs.warehouse import Warehouse

MART_ROWS = 500_000  # about 4 MB once published: far above the file size limit below
FILE_SIZE_LIMIT = 1 << 20


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> SimpleNamespace:
    """A warehouse whose marts changed since its previous published copy was made."""
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_posts as select 1 as post")
    publish_marts(warehouse, published)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create or replace table marts.fct_posts as select range as post, "
            f"md5(range::varchar) as digest from range({MART_ROWS})"
        )
    return SimpleNamespace(warehouse=warehouse, published=published, before=_digest(published))


def _untouched(files: SimpleNamespace) -> None:
    """The previous copy is whole and unchanged, and no temporary copy is left."""
    assert _digest(files.published) == files.before
    with duckdb.connect(str(files.published), read_only=True) as con:
        assert con.execute("select * from marts.fct_posts").fetchall() == [(1,)]
    leftovers = [p.name for p in files.published.parent.iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_a_target_in_a_directory_that_cannot_exist_fails_clearly(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_posts as select 1 as post")
    (tmp_path / "bi").write_text("a regular file where the BI folder should be")
    target = tmp_path / "bi" / "published.duckdb"
    with pytest.raises(PublicationFailed) as error:
        publish_marts(warehouse, target)
    assert str(target) in str(error.value) and "Not a directory" in str(error.value)
    assert "previous published copy" in str(error.value)


def _publish_with_a_small_disk(warehouse: str, published: str) -> None:
    """Publication in a process that may not write a file past FILE_SIZE_LIMIT."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write(), not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    try:
        publish_marts(Path(warehouse), Path(published))
    except PublicationFailed as error:
        print(f"FAILED: {error}", flush=True)
        os._exit(3)
    os._exit(0)


def test_a_disk_full_during_the_copy_keeps_the_previous_copy(
    files: SimpleNamespace, capfd: pytest.CaptureFixture[str]
) -> None:
    process = multiprocessing.get_context("spawn").Process(
        target=_publish_with_a_small_disk, args=(str(files.warehouse), str(files.published))
    )
    process.start()
    process.join(120)
    out = capfd.readouterr().out
    assert process.exitcode == 3, out
    assert str(files.published) in out and "File too large" in out, out
    _untouched(files)


def test_a_failed_rename_keeps_the_previous_copy(
    files: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(_src: object, _dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(publish.os, "replace", read_only)
    with pytest.raises(PublicationFailed, match="Read-only file system"):
        publish_marts(files.warehouse, files.published)
    _untouched(files)


def test_a_stale_temporary_copy_and_its_wal_are_cleared(files: SimpleNamespace) -> None:
    """What a worker killed mid-publication leaves: a half copy and its log."""
    tmp = files.published.with_name(files.published.name + ".tmp")
    tmp.write_bytes(b"half a DuckDB file")
    tmp.with_name(tmp.name + ".wal").write_bytes(b"half a log")
    assert publish_marts(files.warehouse, files.published) == {"fct_posts": MART_ROWS}
    assert not tmp.exists() and not tmp.with_name(tmp.name + ".wal").exists()


def test_an_ingestion_whose_state_folder_cannot_be_made_fails_before_loading(
    files: SimpleNamespace,
) -> None:
    """dlt's pipelines folder (PULSE_DLT_DIR, its temporary load packages) under a file."""
    from orchestration.defs.ingestion import pipeline_for

    (files.warehouse.parent / "state").write_text("not a folder")
    warehouse = Warehouse(
        path=str(files.warehouse),
        published=str(files.published),
        dlt_dir=str(files.warehouse.parent / "state" / "dlt"),
    )
    source = SimpleNamespace(name="tiktok", dataset="raw_tiktok")
    with pytest.raises(NotADirectoryError, match="state/dlt/tiktok"):
        pipeline_for(source, warehouse).run(dlt.resource([{"id": 1}], name="videos"))
    _untouched(files)
