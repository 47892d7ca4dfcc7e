"""Matomo's token_auth does not expire unless created with an expiry date or deleted: a refused
token fails the run saying which credential, for which site, and how to create a new one
(matomo.org/faq/general/faq_114)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.matomo.test_source import run
from tests.sources.support import Sandbox, cause

REFUSED = "deleted-token-auth-value"


def test_a_refused_token_auth_says_which_how_and_for_whom(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "mt_tokens", token_auth=REFUSED)
    message = str(cause(info.value, SourceAuthError))
    assert message.startswith("matomo: account site 1: Matomo error")
    assert "the token_auth was refused" in message and "Create new token" in message
    assert "sources.matomo.token_auth" in message and REFUSED not in message
