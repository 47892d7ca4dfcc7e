"""The LinkedIn client over the shared sandbox (tests/conftest.py starts it and resets its
clock and faults around every test)."""

from __future__ import annotations

import pytest

from tests.linkedin.client import LinkedIn
from tests.sources.support import Sandbox


@pytest.fixture()
def li(sandbox: Sandbox) -> LinkedIn:
    return LinkedIn(sandbox.url)
