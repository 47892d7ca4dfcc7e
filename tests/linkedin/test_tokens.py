"""LinkedIn's 60-day access token: one dying mid-run is renewed once through the token endpoint
(another host in production, mounted under /linkedin here), a refused refresh fails naming the
secret, and the endpoint answers LinkedIn's shapes
(https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.linkedin.client import ORG, LinkedIn, run_source
from tests.linkedin.test_source import _check_against
from tests.sources.support import TODAY, Sandbox, cause, requests_seen

ACCESS = "sandbox-linkedin-token"
FORM = {
    "grant_type": "refresh_token",
    "refresh_token": "sandbox-linkedin-refresh",
    "client_id": "sandbox-linkedin-client",
    "client_secret": "sandbox-linkedin-secret",
}


def post_token(sandbox: Sandbox, **changes: str) -> requests.Response:
    url = f"{sandbox.vendor('linkedin')}/oauth/v2/accessToken"
    return requests.post(url, data={**FORM, **changes}, timeout=10)


def test_a_token_dying_mid_run_is_renewed_once_and_the_load_is_complete(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    after = 25
    sandbox.expire_token("linkedin", ACCESS, after=after)
    with requests_seen("/linkedin/rest/") as seen, caplog.at_level(logging.INFO):
        db = run_source(sandbox.url, tmp_path)
    assert len(seen) > after + 20, len(seen)  # it died in the middle, not at the end
    assert sandbox.token_grants("linkedin") == 1
    _check_against(db, li.manifest(), TODAY.isoformat())
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "LinkedIn access token renewed" in text
    assert "sandbox-linkedin-refresh" not in text and "linkedin-access-" not in text


def test_a_refused_refresh_fails_naming_the_secret_without_its_value(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.expire_token("linkedin", ACCESS, after=0)
    with pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox.url, tmp_path, refresh_token="revoked-refresh-token-value")
    message = str(cause(info.value, SourceAuthError))
    assert message.startswith(f"linkedin: account {ORG}")  # every organization of the token
    assert "renewing the LinkedIn access token failed (invalid_grant" in message
    assert "sources.linkedin.refresh_token" in message
    for secret in ("revoked-refresh-token-value", "sandbox-linkedin-secret", ACCESS):
        assert secret not in message
    assert sandbox.token_grants("linkedin") == 0


def test_an_expired_token_without_refresh_fails_saying_how_to_renew(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.expire_token("linkedin", ACCESS, after=0)
    with pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox.url, tmp_path, refresh_token=None)
    message = str(cause(info.value, SourceAuthError))
    assert "EXPIRED_ACCESS_TOKEN (serviceErrorCode 65601)" in message
    assert "no refresh token is configured" in message
    assert "store it in sources.linkedin.access_token" in message and ACCESS not in message


def test_the_token_endpoint_answers_linkedins_shapes(sandbox: Sandbox) -> None:
    ok = post_token(sandbox)
    body = ok.json()
    assert ok.status_code == 200
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert body["expires_in"] == 60 * 86_400 and body["refresh_token_expires_in"] == 365 * 86_400
    # the minted token opens the API
    org = LinkedIn(sandbox.url).get(
        f"/rest/organizations/{ORG}", {"Authorization": f"Bearer {body['access_token']}"}
    )
    assert org.status_code == 200, org.text
    refusals = {
        ("invalid_grant", 400): {"refresh_token": "nope"},
        ("invalid_client", 401): {"client_secret": "nope"},
        ("unsupported_grant_type", 400): {"grant_type": "authorization_code"},
    }
    for (code, status), changes in refusals.items():
        resp = post_token(sandbox, **changes)
        assert (resp.status_code, resp.json()["error"]) == (status, code)
        assert set(resp.json()) == {"error", "error_description"}
    assert sandbox.token_grants("linkedin") == 1
