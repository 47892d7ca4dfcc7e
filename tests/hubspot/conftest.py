"""The HubSpot tests run the source unpaced: the sandbox's secondly search limit is lifted for
them, except where a test restores it (``secondly_limit``) to show it is met by retries."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fast_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_HUBSPOT_SEARCH_PER_SECOND", "1000")


@pytest.fixture()
def secondly_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """HubSpot's documented 5 search requests per second per account, as in production."""
    monkeypatch.setenv("SANDBOX_HUBSPOT_SEARCH_PER_SECOND", "5")
    return 5
