"""Trustpilot's API key does not expire (the OAuth tokens of the private endpoints are not used
here): a refused key fails the run saying which credential, for which business unit, and how
to get a current one (developers.trustpilot.com/authentication)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.support import Sandbox, cause, load_source

REFUSED = "revoked-api-key-value"


def test_a_refused_api_key_says_which_how_and_for_whom(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        load_source("trustpilot", sandbox.url, tmp_path, "tp_tokens", api_key=REFUSED)
    message = str(cause(info.value, SourceAuthError))
    assert message.startswith("trustpilot: account 5f1e0a0b0c0d0e0f10111201:")
    assert "the Trustpilot API key was refused" in message and "regenerated" in message
    assert "sources.trustpilot.api_key" in message and REFUSED not in message
