"""The site's user id meets on one pseudonym in Matomo and HubSpot (docs/identity.md).

The deal attribution joins a contact's visits on it, so both row builders must hash the same
login id to the same digest, and that digest must be the documented derivation under the
shared ``web_identity`` purpose (computed here by hand, tests/sources/support.py), never the
Matomo visitor's purpose nor HubSpot's own."""

from __future__ import annotations

from datetime import datetime

from ingestion.hubspot import rows as hubspot_rows
from ingestion.matomo import helpers as matomo_rows
from ingestion.privacy import WEB_IDENTITY_PURPOSE, Pseudonymiser
from privacy.pseudonyms import pseudonyms
from pulse_config.registry import MatomoSite
from tests.sources.support import PSEUDONYMISATION_KEY, keyed_hash

USER = "u-000042"
AT = datetime(2025, 11, 3, 10, 0, 0)


def _hashers(source: str) -> tuple[Pseudonymiser, Pseudonymiser]:
    own = Pseudonymiser.for_source(PSEUDONYMISATION_KEY, source)
    return own, Pseudonymiser.for_source(PSEUDONYMISATION_KEY, WEB_IDENTITY_PURPOSE)


def test_matomo_and_hubspot_hash_the_site_user_id_alike() -> None:
    own, web = _hashers("matomo")
    visit = {"idVisit": 7, "visitorId": "abcdef0123456789", "userId": USER,
             "firstActionTimestamp": 1762164000, "actionDetails": []}  # fmt: skip
    row, _ = matomo_rows.visit_rows(visit, MatomoSite("1"), "b", AT, own, web)
    h_own, h_web = _hashers("hubspot")
    contact = {"id": "101", "properties": {"createdate": "2025-11-03T10:01:00.000Z",
               "lastmodifieddate": "2025-11-03T10:01:00.000Z", "web_user_id": USER}}  # fmt: skip
    crm = hubspot_rows.contact_row(contact, "146000001", "b", AT, h_own, h_web)
    expected = keyed_hash(USER, "web_identity")
    assert row["user_id_hash"] == crm["web_user_key"] == expected
    assert row["visitor_id_hash"] == keyed_hash("abcdef0123456789", "matomo")
    assert expected not in (keyed_hash(USER, "matomo"), keyed_hash(USER, "hubspot"))


def test_quarantined_visit_hashes_the_user_id_under_the_shared_purpose() -> None:
    own, web = _hashers("matomo")
    out = matomo_rows.redact({"idVisit": 7, "userId": USER, "visitorId": "ab"}, own, web)
    assert out["userId"] == keyed_hash(USER, "web_identity")
    assert out["visitorId"] == keyed_hash("ab", "matomo")


def test_erasure_computes_the_site_users_pseudonym() -> None:
    assert pseudonyms("site_user", [USER], key=PSEUDONYMISATION_KEY) == [
        keyed_hash(USER, "web_identity")
    ]
    assert pseudonyms("matomo", ["abcdef0123456789"], key=PSEUDONYMISATION_KEY) == [
        keyed_hash("abcdef0123456789", "matomo")
    ]
