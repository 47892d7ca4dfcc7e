"""A sandbox over the small world with a planted person (``planted.py``), and a warehouse
loaded from it by the project's runner: Meta (two platforms) and Trustpilot (a review), plus
derived tables built by hand with the dbt models' column names and a published copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.privacy.planted import ingest, plant
from tests.sources.support import PSEUDONYMISATION_KEY, TODAY

DERIVED_SQL = """
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists restricted;
create or replace table intermediate.int_inbound_items as
    select 'facebook:' || comment_id as item_key, author_id_hash as author_key,
           created_time as received_at from raw_meta.facebook_comments
    union all
    select 'instagram:' || comment_id, author_id_hash, "timestamp" from raw_meta.instagram_comments
    union all
    select 'trustpilot:' || review_id, consumer_id_hash, created_at from raw_trustpilot.reviews;
create or replace table marts.fct_inbound_items as
    select item_key, author_key, received_at, 1 as item_count from intermediate.int_inbound_items;
create or replace table restricted.rst_inbound_texts as
    select 'facebook:' || comment_id as item_key, message as item_text,
           created_time as received_at from raw_meta.facebook_comments
    union all
    select 'instagram:' || comment_id, text, "timestamp" from raw_meta.instagram_comments
    union all
    select 'trustpilot:' || review_id, title || '. ' || text, created_at
    from raw_trustpilot.reviews;
create or replace table marts.mart_reputation_daily as
    select cast(received_at as date) as day, count(*) as items
    from intermediate.int_inbound_items group by 1;
"""


def build_derived(db: Path, published: Path) -> None:
    """Derived tables named as the dbt models name them, and the published copy of marts."""
    from orchestration.defs.publish import publish_marts

    with duckdb.connect(str(db)) as con:
        con.execute(DERIVED_SQL)
    publish_marts(db, published)


@pytest.fixture(scope="module")
def planted_sandbox(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sandbox's URL over a copy of the world holding the planted person."""
    from sandbox.server import run_in_thread

    planted = plant(world, tmp_path_factory.mktemp("planted") / "world.duckdb")
    with run_in_thread(planted, today=TODAY, faults="") as url:
        yield url


@pytest.fixture(scope="module")
def loaded(planted_sandbox: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``w.duckdb`` (Meta and Trustpilot loaded, derived tables built),
    ``published.duckdb`` and dlt's ``pipelines``: copy it before changing it."""
    folder = tmp_path_factory.mktemp("loaded")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
        for name in ("meta", "trustpilot"):
            ingest(name, planted_sandbox, folder / "w.duckdb", folder / "pipelines")
    build_derived(folder / "w.duckdb", folder / "published.duckdb")
    return folder


@pytest.fixture()
def warehouse_copy(loaded: Path, tmp_path: Path) -> Path:
    """A private copy of the loaded folder for one test."""
    target = tmp_path / "loaded"
    shutil.copytree(loaded, target)
    return target
