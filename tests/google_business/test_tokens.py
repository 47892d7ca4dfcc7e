"""Business Profile's one-hour OAuth token: renewed once mid-run through the sandbox's stand-in
for https://oauth2.googleapis.com/token, and a refused refresh token fails naming the location
and the secret, never a secret value. Expected shapes are Google's documented ones, written
here."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.google_business.stub import LOC1
from tests.google_business.test_source import check_complete, truth
from tests.sources.google_token import assert_refusals
from tests.sources.support import TODAY, Sandbox, cause, load_source, requests_seen

VENDOR = "google_business"
STATIC = "sandbox-google-business-token"
REFRESH = "sandbox-google_business-refresh"
CLIENT, SECRET = "sandbox-google_business-client", "sandbox-google_business-secret"
EXPIRES_AFTER = 5  # of the run's dozen requests: the token dies in the middle of the load


def test_token_expiring_mid_run_is_renewed_once_and_the_load_is_complete(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.expire_token(VENDOR, STATIC, after=EXPIRES_AFTER)
    caplog.set_level(logging.DEBUG)  # from here on: the run's own log
    with requests_seen(f"/{VENDOR}/") as seen:
        db = load_source(VENDOR, sandbox.url, tmp_path, "gbp_tok")
    assert sandbox.token_grants(VENDOR) == 1
    renewal = seen.index(f"{sandbox.url}/{VENDOR}/token")
    assert renewal == EXPIRES_AFTER + 1  # five good answers, one 401, then the renewal
    assert len(seen) > renewal + 1  # the refused page again, then the rest of the run
    check_complete(db, truth(world, TODAY))
    assert "access token renewed" in caplog.text  # logged, without either token
    for secret in (STATIC, REFRESH, SECRET, f"{VENDOR}-access-"):
        assert secret not in caplog.text


def test_refused_refresh_token_names_location_and_secret_not_its_value(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    revoked = "revoked-gbp-refresh-77c1"
    with pytest.raises(PipelineStepFailed) as info:
        load_source(
            VENDOR, sandbox.url, tmp_path, "gbp_rev", access_token=None, refresh_token=revoked
        )
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    text = str(error)
    assert text.startswith(f"google_business: account {LOC1}: ")
    assert "invalid_grant: Token has been expired or revoked." in text
    assert "sources.google_business.refresh_token" in text and "7 days" in text
    assert revoked not in text and SECRET not in text and CLIENT not in text
    assert sandbox.token_grants(VENDOR) == 0


def test_sandbox_token_endpoint_answers_googles_shapes(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/{VENDOR}/token"
    form = {"grant_type": "refresh_token", "client_id": CLIENT, "client_secret": SECRET}
    ok = requests.post(url, data={**form, "refresh_token": REFRESH}, timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}  # no refresh_token
    assert body["expires_in"] == 3599 and body["token_type"] == "Bearer"
    assert body["scope"] == "https://www.googleapis.com/auth/business.manage"
    reviews = requests.get(
        f"{sandbox.url}/{VENDOR}/v4/{LOC1}/reviews",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert reviews.status_code == 200, reviews.text  # the new token opens the API

    assert_refusals(url, form, REFRESH)
    assert sandbox.token_grants(VENDOR) == 1


def test_expired_token_gets_the_expired_reason(sandbox: Sandbox) -> None:
    sandbox.expire_token(VENDOR, STATIC, after=0)
    resp = requests.get(
        f"{sandbox.url}/{VENDOR}/v4/{LOC1}/reviews",
        headers={"Authorization": f"Bearer {STATIC}"},
        timeout=10,
    )
    err = resp.json()["error"]
    assert (resp.status_code, err["status"]) == (401, "UNAUTHENTICATED")
    assert err["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
