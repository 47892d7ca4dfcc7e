"""Erasure of a HubSpot contact (issue 16): by e-mail (``--platform hubspot``) or by the site's
login id (``--platform site_user``, the web identity pseudonym Matomo and HubSpot share).

A warehouse is loaded from the sandbox's small world by the project's runner (HubSpot and
Matomo), with the deal tables built by hand under the dbt models' names and a published copy.
The person is a real contact of the world: a web member with a deal and logged-in visits.
After the erasure their contact row, its deal association, their visits and every derived row
of their deal are gone from the warehouse and the published copy, while the deal itself keeps
its amount (the brand's revenue, docs/privacy.md); a full reload honours the erasure list.

Oracles: the world's tables (``hubspot_contacts``, ``hubspot_deals``, ``web_visits``) and the
keyed hashes recomputed by hand (``tests.sources.support.keyed_hash``), never the catalogue."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from privacy.__main__ import main
from tests.privacy.planted import ingest
from tests.privacy.search import bytes_holding, tables_holding
from tests.sources.support import PSEUDONYMISATION_KEY, TODAY, Sandbox

ERASURE_LIST = ("privacy.erasure_list",)
LOADS = pytest.mark.long  # two pipeline runs and a reload: not in the default suite
DERIVED_SQL = """
create schema if not exists marts;
create or replace table marts.fct_sessions as
    select site_id || '-' || cast(visit_id as varchar) as session_key,
           coalesce(user_id_hash, visitor_id_hash) as visitor_key, user_id_hash as user_key,
           brand_id, first_action_at as started_at
    from raw_matomo.visits;
create or replace table marts.fct_crm_deals as
    select d.portal_id || '-' || d.deal_id as deal_key, d.brand_id, d.amount,
           c.portal_id || ':' || c.contact_id as contact_key, c.contact_id, c.web_user_key
    from raw_hubspot.deals d
    left join raw_hubspot.deal_contacts a using (portal_id, deal_id)
    left join raw_hubspot.contacts c on a.portal_id = c.portal_id and a.contact_id = c.contact_id;
create or replace table marts.mart_deal_attribution as
    select d.deal_key, s.session_key, d.amount as attributed_revenue
    from marts.fct_crm_deals d join marts.fct_sessions s on d.web_user_key = s.visitor_key
    union all
    select deal_key, null, amount from marts.fct_crm_deals where web_user_key is null;
"""


@dataclass(frozen=True)
class Contact:
    """A contact of the world as HubSpot serves it, with one of its deals."""

    portal_id: str
    contact_id: str
    email: str
    phone: str | None
    web_user_id: str
    deal_id: str
    amount: float


def contacts_of_the_world(world: Path, count: int) -> list[Contact]:
    """Web members with a deal created by TODAY and a logged-in Matomo visit before it."""
    with duckdb.connect(str(world), read_only=True) as con:
        rows = con.execute(
            "select c.portal_id, cast(c.contact_id as varchar), c.email, "
            "coalesce(c.phone, c.edited_phone), c.web_user_id, cast(min(d.deal_id) as varchar), "
            "cast(arg_min(d.amount, d.deal_id) as double) "
            "from hubspot_contacts c join hubspot_deals d using (portal_id, contact_id) "
            "where c.web_user_id is not null and d.created_at < ? and c.created_at < ? "
            "and d.amount is not null and exists (select 1 from web_visits v "
            "  where v.user_id = c.web_user_id and v.started_at < ?) "
            "group by all order by 2 limit ?",
            [TODAY, TODAY, TODAY, count],
        ).fetchall()
    return [Contact(*row) for row in rows]


def keyed(value: str | None, purpose: str) -> str | None:
    from tests.sources.support import keyed_hash

    return None if value is None else keyed_hash(value, purpose)


def build_derived(db: Path, published: Path) -> None:
    from orchestration.defs.publish import publish_marts

    with duckdb.connect(str(db)) as con:
        con.execute(DERIVED_SQL)
    publish_marts(db, published)


@pytest.fixture(scope="module")
def crm_loaded(sandbox_server: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``w.duckdb`` with HubSpot and Matomo loaded, the deal tables, ``published.duckdb``."""
    folder = tmp_path_factory.mktemp("crm")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
        env.setenv("SANDBOX_HUBSPOT_SEARCH_PER_SECOND", "1000")
        for name in ("hubspot", "matomo"):
            ingest(name, sandbox_server.url, folder / "w.duckdb", folder / "pipelines")
    build_derived(folder / "w.duckdb", folder / "published.duckdb")
    yield folder


@pytest.fixture()
def env(crm_loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "crm"
    shutil.copytree(crm_loaded, target)
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
    monkeypatch.setenv("PULSE_PUBLISHED", str(target / "published.duckdb"))
    monkeypatch.setenv("PULSE_DLT_DIR", str(target / "pipelines"))
    monkeypatch.setenv("SANDBOX_HUBSPOT_SEARCH_PER_SECOND", "1000")
    return target


def erase(db: Path, platform: str, user_id: str) -> None:
    main(["--db", str(db), "erase", "--platform", platform, "--user-id", user_id, "--by", "t"])


def count(db: Path, sql: str, params: list) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchone()[0]


def person_hashes(person: Contact) -> list[str]:
    """The pseudonyms HubSpot and Matomo store for the person (the names are left out:
    namesakes share them)."""
    found = [
        keyed(person.email, "hubspot"),
        keyed(person.phone, "hubspot"),
        keyed(person.web_user_id, "web_identity"),
    ]
    return [h for h in found if h]


def state(db: Path, person: Contact) -> dict[str, object]:
    """What the warehouse holds of the person and their deal."""
    key, portal = person.contact_id, person.portal_id
    deal_key = f"{portal}-{person.deal_id}"
    web = keyed(person.web_user_id, "web_identity")
    return {
        "contacts": count(
            db,
            "select count(*) from raw_hubspot.contacts where portal_id = ? and contact_id = ?",
            [portal, key],
        ),
        "links": count(
            db,
            "select count(*) from raw_hubspot.deal_contacts where portal_id = ? and contact_id = ?",
            [portal, key],
        ),
        "deal_amount": count(
            db,
            "select any_value(amount) from raw_hubspot.deals where portal_id = ? and deal_id = ?",
            [portal, person.deal_id],
        ),
        "visits": count(db, "select count(*) from raw_matomo.visits where user_id_hash = ?", [web]),
        "derived_deal_rows": count(
            db,
            "select (select count(*) from marts.fct_crm_deals where deal_key = ?) + "
            "(select count(*) from marts.mart_deal_attribution where deal_key = ?)",
            [deal_key, deal_key],
        ),
    }


@LOADS
def test_a_contact_erased_by_email_goes_everywhere_and_the_deal_stays(
    env: Path, sandbox_server: Sandbox
) -> None:
    db, published = env / "w.duckdb", env / "published.duckdb"
    person, other = contacts_of_the_world(sandbox_server.world, 2)
    hashes = person_hashes(person)
    before = state(db, person)
    # Not vacuous: the contact, its link, its visits and its derived rows are loaded.
    assert before["contacts"] == 1 and before["links"] >= 1 and before["visits"] >= 1
    assert before["deal_amount"] == pytest.approx(person.amount)
    assert before["derived_deal_rows"] >= 2
    # The marts carry the web key (fct_sessions, fct_crm_deals), never the e-mail or phone.
    web = keyed(person.web_user_id, "web_identity")
    assert {v for _, v in tables_holding(published, hashes)} == {web}
    other_before = state(db, other)
    visits_before = count(db, "select count(*) from raw_matomo.visits", [])

    erase(db, "hubspot", f"  {person.email.upper()} ")  # the world's address is lower case

    assert tables_holding(db, hashes, skip=ERASURE_LIST) == []
    assert tables_holding(published, hashes) == []
    assert bytes_holding(published, hashes) == []
    after = state(db, person)
    assert after == {
        "contacts": 0,
        "links": 0,
        "deal_amount": pytest.approx(person.amount),  # the revenue stays, without the person
        "visits": 0,
        "derived_deal_rows": 0,  # rebuilt by the next dbt build, without a contact
    }
    assert count(db, "select count(*) from raw_matomo.visits", []) == (
        visits_before - before["visits"]
    )
    assert state(db, other) == other_before  # another contact is untouched
    with duckdb.connect(str(db), read_only=True) as con:
        log = con.execute("select platform, outcome from privacy.erasure_log").fetchall()
    assert log == [("hubspot", "erased")]

    # The vendor still serves the contact and its association: a full reload into a new
    # warehouse holding only the erasure list brings the deal, never the person nor the link.
    reload = env / "reload.duckdb"
    with duckdb.connect(str(reload)) as con:
        con.execute(f"attach '{db}' as old (read_only)")
        con.execute("create schema privacy")
        con.execute("create table privacy.erasure_list as select * from old.privacy.erasure_list")
        con.execute("create schema _pulse")  # the sandbox record (pulse_config/environments.py)
        con.execute("create table _pulse.environment as select * from old._pulse.environment")
    ingest("hubspot", sandbox_server.url, reload, env / "pipelines2")
    assert tables_holding(reload, hashes, skip=ERASURE_LIST) == []
    assert (
        count(
            reload,
            "select count(*) from raw_hubspot.deal_contacts where portal_id = ? and contact_id = ?",
            [person.portal_id, person.contact_id],
        )
        == 0
    )
    assert count(
        reload,
        "select any_value(amount) from raw_hubspot.deals where portal_id = ? and deal_id = ?",
        [person.portal_id, person.deal_id],
    ) == pytest.approx(person.amount)
    assert (
        count(
            reload,
            "select count(*) from raw_hubspot.contacts where portal_id = ? and contact_id = ?",
            [other.portal_id, other.contact_id],
        )
        == 1
    )  # the filter is not a purge: another contact of the same portal is back


@LOADS
def test_the_site_login_id_erases_the_contact_and_the_visits(
    env: Path, sandbox_server: Sandbox
) -> None:
    db = env / "w.duckdb"
    _, person = contacts_of_the_world(sandbox_server.world, 2)
    hashes = person_hashes(person)
    assert state(db, person)["contacts"] == 1

    erase(db, "site_user", person.web_user_id)

    assert tables_holding(db, hashes, skip=ERASURE_LIST) == []
    assert tables_holding(env / "published.duckdb", hashes) == []
    after = state(db, person)
    assert (after["contacts"], after["links"], after["visits"]) == (0, 0, 0)
    assert after["deal_amount"] == pytest.approx(person.amount)


def test_hubspot_erasure_hashes_the_address_in_both_cases() -> None:
    """A contact's address may be stored as typed or in lower case: erasure looks for both
    forms of the given address (pseudonyms recomputed by hand), trimmed."""
    from privacy.pseudonyms import pseudonyms

    given = "Zoe.Plantee42@Example.FR"
    assert pseudonyms("hubspot", [f" {given} "], PSEUDONYMISATION_KEY) == [
        keyed(given, "hubspot"),
        keyed(given.lower(), "hubspot"),
    ]
    lower = "zoe.plantee42@example.fr"
    assert pseudonyms("hubspot", [lower], PSEUDONYMISATION_KEY) == [keyed(lower, "hubspot")]


def test_the_erasure_list_drops_a_link_to_an_erased_contact() -> None:
    """A deal's association holds no pseudonym: it is dropped on the erased record's key,
    while the deal and another contact's link pass."""
    from privacy.erasure_list import Erased

    erased = Erased(records=frozenset({"146000001:101"}))
    assert erased.holds({"portal_id": "146000001", "deal_id": "9", "contact_id": "101"})
    assert erased.holds({"portal_id": "146000001", "contact_id": "101", "email_hash": None})
    assert not erased.holds({"portal_id": "146000001", "deal_id": "9", "contact_id": "102"})
    assert not erased.holds({"portal_id": "146000002", "deal_id": "9", "contact_id": "101"})
    assert not erased.holds({"portal_id": "146000001", "deal_id": "101", "amount": 3.0})
