"""One pseudonymiser hashes many values: each one as if it were the only one.

The pseudonymiser keys its HMAC once and copies the keyed state for every value; a value
hashed into the shared state instead would change every hash after the first. The oracle is
``keyed_hash``, computed by hand from the documented derivation (docs/privacy.md).
"""

from __future__ import annotations

from ingestion.privacy import Pseudonymiser
from tests.sources.support import PSEUDONYMISATION_KEY, keyed_hash


def test_every_value_is_hashed_alone_in_any_order() -> None:
    hasher = Pseudonymiser.for_source(PSEUDONYMISATION_KEY, "hubspot")
    values = ["ada@example.com", "42", "ada@example.com", "Zoë", "42"]
    assert [hasher(v) for v in values] == [keyed_hash(v, "hubspot") for v in values]


def test_absent_values_stay_absent_and_do_not_disturb_the_next() -> None:
    hasher = Pseudonymiser.for_source(PSEUDONYMISATION_KEY, "meta")
    assert [hasher(None), hasher(""), hasher(7)] == [None, None, keyed_hash("7", "meta")]
