"""A person planted in a copy of the small world, and a warehouse loaded from it.

The generated world has no commenter on two platforms, and its texts are templates shared by
many people, so a search for "their text" would prove nothing. The planted person, Zoé, has a
Facebook comment, an Instagram comment and a Trustpilot review, each with a long random text
(random letters: DuckDB stores such a string verbatim, which the tests check before they
check it is gone). Their ids are clear in the world (the vendor's side) and hashed by the
sources with the test key; the oracle of every hash is ``tests.sources.support.keyed_hash``.
"""

from __future__ import annotations

import inspect
import random
import shutil
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from tests.sources.support import http_fields, sandbox_options


def random_text(seed: int, words: int = 40) -> str:
    """A long text no template or compression shares with anything else."""
    rng = random.Random(seed)
    return " ".join(
        "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(5, 11)))
        for _ in range(words)
    )


@dataclass(frozen=True)
class Person:
    """Planted ids, names and texts, as the vendors serve them."""

    facebook_id: str = "100000000999001"
    facebook_name: str = "Zoé Plantéeforerasure"
    instagram_id: str = "17850000000999001"
    instagram_username: str = "zoe.planteeforerasure"
    trustpilot_id: str = "5ff5ced3799c32bd55999001"
    trustpilot_name: str = "Zoé Plantéeforerasure P."
    facebook_text: str = random_text(1)
    instagram_text: str = random_text(2)
    review_text: str = random_text(3)
    old_text: str = random_text(4)  # a Facebook comment older than the retention
    recent_text: str = random_text(5)  # a Facebook comment of someone else, recent
    namesake_id: str = "100000000999004"  # another Facebook user with Zoé's name
    namesake_text: str = random_text(6)

    def texts(self) -> list[str]:
        return [self.facebook_text, self.instagram_text, self.review_text]

    def clear_values(self) -> list[str]:
        """What must not be found anywhere after the erasure (never stored: ids and names
        are hashed by the sources; texts are stored in clear until erased)."""
        return [
            self.facebook_id,
            self.facebook_name,
            self.instagram_id,
            self.instagram_username,
            self.trustpilot_id,
            *self.texts(),
        ]


PERSON = Person()


def _copy_comment(con: duckdb.DuckDBPyConnection, template: str, **values: Any) -> None:
    """Insert a copy of comment ``template`` of the world with ``values`` replaced."""
    replaced = ", ".join(f"? as {column}" for column in values)
    con.execute(
        f"insert into comments select * replace ({replaced}) from comments where comment_id = ?",
        [*values.values(), template],
    )


def _template(con: duckdb.DuckDBPyConnection, platform: str, start: str, end: str) -> str:
    """A top-level comment of someone else on ``platform`` between the two days: a post the
    source lists (the planted copy keeps its post, its account and its id pattern)."""
    return con.execute(
        "select comment_id from comments where platform = ? and not is_brand "
        "and parent_id is null and created_time between ? and ? order by comment_id limit 1",
        [platform, start, end],
    ).fetchone()[0]


def _comments(post: str, old: str, media: str) -> list[tuple[str, dict[str, Any]]]:
    """(template, values) of each planted comment."""
    p, on_post = PERSON, post.split("_")[0]
    return [
        (post, {"comment_id": f"{on_post}_999001", "author_id": p.facebook_id,
                "author_name": p.facebook_name, "message": p.facebook_text,
                "created_time": datetime(2025, 12, 5, 9)}),
        (old, {"comment_id": old.split("_")[0] + "_999002", "author_id": "100000000999002",
               "author_name": "Old Commenter", "message": p.old_text,
               "created_time": datetime(2025, 11, 20, 9)}),
        (post, {"comment_id": f"{on_post}_999003", "author_id": "100000000999003",
                "author_name": "Recent Commenter", "message": p.recent_text,
                "created_time": datetime(2025, 12, 8, 9)}),
        (post, {"comment_id": f"{on_post}_999004", "author_id": p.namesake_id,
                "author_name": p.facebook_name, "message": p.namesake_text,
                "created_time": datetime(2025, 12, 7, 9)}),
        (media, {"comment_id": "17829084000999001", "author_id": p.instagram_id,
                 "author_name": p.instagram_username, "message": p.instagram_text,
                 "created_time": datetime(2025, 12, 5, 10)}),
    ]  # fmt: skip


def plant(world: Path, target: Path) -> Path:
    """A copy of ``world`` with Zoé's two comments and review, a namesake's comment, and the
    dated comments of the retention test (older than 13 months at 2027-01-03, and younger)."""
    shutil.copy(world, target)
    with duckdb.connect(str(target)) as con:
        post = _template(con, "facebook", "2025-12-04", "2025-12-06")
        old = _template(con, "facebook", "2025-11-18", "2025-11-22")
        media = _template(con, "instagram", "2025-12-04", "2025-12-06")
        for template, values in _comments(post, old, media):
            _copy_comment(con, template, **values)
        review = con.execute(
            "select review_id from trustpilot_reviews where created_at < '2025-12-01' "
            "order by review_id limit 1"
        ).fetchone()[0]
        con.execute(
            "insert into trustpilot_reviews select * replace (? as review_id, ? as consumer_id, "
            "? as consumer_name, ? as text, ? as created_at) from trustpilot_reviews "
            "where review_id = ?",
            [
                "694c60504bb580fb25999001",
                PERSON.trustpilot_id,
                PERSON.trustpilot_name,
                PERSON.review_text,
                datetime(2025, 12, 6, 11),
                review,
            ],
        )
    return target


def run_options(name: str, url: str) -> dict[str, Any]:
    """The keywords ``ingestion.run.run_source`` passes to source ``name``'s factory to read
    the sandbox at ``url`` (as ``tests.sources.support.build_source`` builds them)."""
    from ingestion.catalogue import source_named

    factory = source_named(name).factory
    accepted = inspect.signature(factory).parameters
    http = http_fields(factory)
    options = {k: v for k, v in sandbox_options(name, url).items() if k in accepted or k in http}
    if http:
        options["_http"] = {k: options.pop(k) for k in list(options) if k in http}
    return options


def ingest(name: str, url: str, db: Path, pipelines: Path) -> None:
    """One run of source ``name`` through the project's runner (``ingestion.run``), which
    honours the erasure list."""
    from ingestion.run import run_source

    run_source(name, db, pipelines_dir=pipelines, **run_options(name, url))
