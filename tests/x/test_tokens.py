"""X's app-only Bearer token does not expire but can be invalidated: a refused token fails the
run saying which credential, for which account, and how to get a current one
(docs.x.com/fundamentals/authentication/oauth-2-0/bearer-tokens)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.support import Sandbox, cause, load_source

REFUSED = "invalidated-bearer-token-value"


def test_a_refused_bearer_token_says_which_how_and_for_whom(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        load_source("x", sandbox.url, tmp_path, "x_tokens", bearer_token=REFUSED)
    message = str(cause(info.value, SourceAuthError))
    assert message.startswith("x: account 1460000000000000001: bearer token rejected")
    assert "an X app-only bearer token does not expire" in message
    assert "invalidated when revoked" in message and "Keys and tokens" in message
    assert "sources.x.bearer_token" in message and REFUSED not in message
