"""The published copy holds no person (issue 12, point 4): after the demo's full replay (every
source through Dagster, dbt and the publish step, ``orchestration/defs/publish.py``), no
column of the copy BI tools read holds what a person wrote, a platform user id or a name.

The oracle is the sandbox world itself: the ids, names, usernames and texts of every commenter,
reviewer, visitor and fan it generated (never the models or the catalogue). A published string
fails when it equals one of them, contains an id or name of six characters or more that is
not a bare number, equals a text, or reads as a sentence (four words or more). The detector
is shown to fire on a planted copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt.test_marts_hold_no_free_text import ALLOWED_SENTENCES, SENTENCE_WORDS

pytestmark = pytest.mark.e2e

# The people of the world: commenters, reviewers, visitors and fans, never a brand account
# (a Trustpilot reply is signed by a staff member or by the brand itself: the brand's name is
# not a person's); HubSpot's contacts (first and last names, alone and together, e-mails,
# phones, the site's login id) and the deal names teams write after the customer (issue 16).
WORLD_PEOPLE = """
    select value from (
    select author_id from comments where not is_brand
    union select author_name from comments where not is_brand
    union select actor_urn from linkedin_comments where not is_brand
    union select agent_urn from linkedin_comments where not is_brand
    union select author_channel_id from yt_comments where not is_brand
    union select author_name from yt_comments where not is_brand
    union select reviewer_name from gbp_reviews
    union select consumer_id from trustpilot_reviews
    union select consumer_name from trustpilot_reviews
    union select reply_author from trustpilot_reviews
    union select visitor_id from web_visits
    union select user_id from web_visits
    union select author_id from x_tweets where author_id not in (select user_id from x_accounts)
    union select author_username from x_tweets
        where author_id not in (select user_id from x_accounts)
    union select author_name from x_tweets where author_id not in (select user_id from x_accounts)
    union select firstname from hubspot_contacts
    union select lastname from hubspot_contacts
    union select firstname || ' ' || lastname from hubspot_contacts
    union select email from hubspot_contacts
    union select phone from hubspot_contacts
    union select edited_phone from hubspot_contacts
    union select web_user_id from hubspot_contacts
    union select dealname from hubspot_deals
    ) as people (value)
    where value not in (select name from brands)
"""
# What they wrote.
WORLD_TEXTS = """
    select message from comments where not is_brand
    union select message from linkedin_comments where not is_brand
    union select text from yt_comments where not is_brand
    union select comment from gbp_reviews
    union select title from trustpilot_reviews
    union select text from trustpilot_reviews
    union select text from x_tweets where author_id not in (select user_id from x_accounts)
"""
# Ids and names are looked for inside published values too when they are this long and hold a
# letter: a shorter one, or a number (a Meta id in a location id's digits), occurs by chance.
CONTAINED_MIN = 6


def world_values(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables ``people (value)`` and ``texts (value)`` from the attached world."""
    con.execute("use world")
    people = con.execute(WORLD_PEOPLE).fetchall()
    texts = con.execute(WORLD_TEXTS).fetchall()
    con.execute("use memory")
    con.execute("create temp table people (value varchar)")
    con.execute("create temp table texts (value varchar)")
    con.executemany("insert into people values (?)", [r for r in people if r[0]])
    con.executemany("insert into texts values (trim(?))", [r for r in texts if r[0]])


def published_values(con: duckdb.DuckDBPyConnection) -> int:
    """Temp table ``published (place, value)``: every distinct string of the attached copy."""
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = 'published' and data_type = 'VARCHAR'"
    ).fetchall()
    con.execute("create temp table published (place varchar, value varchar)")
    for schema, table, column in columns:
        con.execute(
            f"insert into published select distinct '{table}.{column}', \"{column}\" "
            f'from published.{schema}."{table}" where "{column}" is not null'
        )
    return len(columns)


def findings(published: Path, world: Path) -> dict[str, list[Any]]:
    """What of the world's people the published copy holds, by kind (empty lists: nothing)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{world}' as world (read_only)")
        con.execute(f"attach '{published}' as published (read_only)")
        world_values(con)
        assert published_values(con) > 0
        allowed = [f"{table}.{column}" for table, column in ALLOWED_SENTENCES]
        return {
            "equal to a person's id or name": con.execute(
                "select distinct place from published join people using (value)"
            ).fetchall(),
            "holding an id or name": con.execute(
                "select distinct published.place from published join people "
                f"on length(people.value) >= {CONTAINED_MIN} "
                "and regexp_matches(people.value, '[^0-9]') "
                "and contains(published.value, people.value)"
            ).fetchall(),
            "equal to a text": con.execute(
                "select distinct place from published join texts "
                "on trim(published.value) = texts.value"
            ).fetchall(),
            "reading as a sentence": con.execute(
                "select distinct place from published where not list_contains(?, place) and "
                "len(string_split(regexp_replace(trim(value), '\\s+', ' ', 'g'), ' ')) >= ?",
                [allowed, SENTENCE_WORDS],
            ).fetchall(),
        }


def test_the_published_copy_holds_no_person(replay: dict[str, Any]) -> None:
    published, world = replay["tmp"] / "published.duckdb", replay["world"]
    found = findings(published, world)
    assert found == {kind: [] for kind in found}
    # Not vacuous: people and their texts were loaded (the texts are in `restricted`), and the
    # copy holds the reputation marts built from them.
    with duckdb.connect(str(published), read_only=True) as con:
        items = con.execute("select count(*), count(author_key) from marts.fct_inbound_items")
        assert min(items.fetchone()) > 0
    with duckdb.connect() as con:
        con.execute(f"attach '{world}' as world (read_only)")
        con.execute(f"attach '{replay['tmp'] / 'warehouse.duckdb'}' as wh (read_only)")
        world_values(con)
        kept = con.execute(
            "select count(*) from texts join wh.restricted.rst_inbound_texts as r "
            "on trim(r.item_text) = texts.value"
        ).fetchone()[0]
        assert kept > 0


def test_the_detector_finds_a_planted_person(replay: dict[str, Any], tmp_path: Path) -> None:
    """A copy of the published file with one comment's author id, name and text in a table
    of its own: each check fires."""
    planted = tmp_path / "planted.duckdb"
    shutil.copy(replay["tmp"] / "published.duckdb", planted)
    with duckdb.connect() as con:
        con.execute(f"attach '{replay['world']}' as world (read_only)")
        author, name, text = con.execute(
            "select author_id, author_name, message from world.comments "
            "where not is_brand and platform = 'facebook' and message like '% % % %' limit 1"
        ).fetchone()
        email, phone = con.execute(
            "select email, phone from world.hubspot_contacts where phone is not null limit 1"
        ).fetchone()
    with duckdb.connect(str(planted)) as con:
        con.execute("create table marts.leak (author varchar, said varchar, note varchar)")
        con.execute("insert into marts.leak values (?, ?, ?)", [author, text, f"by {name}"])
        con.execute("create table marts.crm_leak (contact varchar, note varchar)")
        con.execute("insert into marts.crm_leak values (?, ?)", [email, f"tel {phone}"])
    found = findings(planted, replay["world"])
    assert ("leak.author",) in found["equal to a person's id or name"]
    assert ("leak.note",) in found["holding an id or name"]
    assert ("leak.said",) in found["equal to a text"]
    assert ("leak.said",) in found["reading as a sentence"]
    assert ("crm_leak.contact",) in found["equal to a person's id or name"]
    assert ("crm_leak.note",) in found["holding an id or name"]
