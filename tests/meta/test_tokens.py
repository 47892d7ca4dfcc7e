"""Meta tokens cannot be refreshed by the source: one expiring mid-run fails the run cleanly
with a message saying which token, for which account and how to renew it
(developers.facebook.com/docs/graph-api/guides/error-handling, code 190 subcode 463)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.meta.errors import MetaAuthError, classify
from tests.sources.support import Sandbox, cause, load_source, query, requests_seen

TOKEN = "sandbox-meta-token"
TABLES = ["facebook_pages", "facebook_posts", "instagram_media", "facebook_post_insights"]


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_meta.{t}")[0][0] for t in TABLES}


def test_a_token_expiring_mid_run_fails_cleanly_naming_the_account(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    with requests_seen("/meta/") as seen:
        db = load_source("meta", sandbox.url, tmp_path, "meta_tokens")
    before = counts(db)
    assert all(before.values()), before
    sandbox.advance()  # the next day's run: new snapshots would be loaded
    sandbox.expire_token("meta", TOKEN, after=len(seen) // 2)
    with pytest.raises(PipelineStepFailed) as info:
        load_source("meta", sandbox.url, tmp_path, "meta_tokens")
    error = cause(info.value, MetaAuthError)
    assert error is not None, info.value
    message = str(error)
    # which token, for which account, how to renew, and nothing secret
    assert re.match(
        r"meta: account (facebook|instagram) \d+: the Meta access token expired;", message
    )
    assert "code 190, subcode 463" in message and "Session has expired" in message
    assert "System User" in message and "sources.meta.access_token" in message
    assert TOKEN not in message
    # clean failure: nothing of the failed run is loaded, the earlier load is intact
    assert counts(db) == before
    # with a valid token again (the operator renewed it), the next run loads the new day
    requests.post(f"{sandbox.url}/_sandbox/tokens/reset", timeout=10).raise_for_status()
    load_source("meta", sandbox.url, tmp_path, "meta_tokens")
    after = counts(db)
    assert after["facebook_pages"] > before["facebook_pages"]


@pytest.mark.parametrize(
    ("subcode", "says"),
    [(460, "was invalidated: the user changed their password"), (467, "is invalid")],
)
def test_each_token_subcode_says_what_happened(subcode: int, says: str) -> None:
    resp = requests.Response()
    resp.status_code = 400
    body = f'{{"error": {{"code": 190, "error_subcode": {subcode}, "message": "m"}}}}'
    resp._content = body.encode()
    resp.url = "https://graph.facebook.com/v23.0/104500000000001"
    verdict = classify(resp, "facebook 104500000000001")
    assert isinstance(verdict.error, MetaAuthError)
    assert str(verdict.error).startswith(
        f"meta: account facebook 104500000000001: the Meta access token {says}"
    )
