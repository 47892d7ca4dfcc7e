"""GA4's one-hour OAuth token: renewed once mid-run through the sandbox's stand-in for
https://oauth2.googleapis.com/token, and a refused refresh token fails naming the property and
the secret, never a secret value. Expected shapes are Google's documented ones, written here."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.ga4.test_source import expected, loaded
from tests.sources.google_token import assert_refusals
from tests.sources.support import TODAY, Sandbox, cause, load_source, requests_seen

STATIC = "sandbox-ga4-token"
REFRESH, CLIENT, SECRET = "sandbox-ga4-refresh", "sandbox-ga4-client", "sandbox-ga4-secret"
PAGE_SIZE = 400  # several runReport pages per property on the small world
EXPIRES_AFTER = 3  # the static token answers 3 requests, then is expired: mid-paging


def test_token_expiring_mid_run_is_renewed_once_and_the_load_is_complete(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.expire_token("ga4", STATIC, after=EXPIRES_AFTER)
    caplog.set_level(logging.DEBUG)  # from here on: the run's own log
    with requests_seen("/ga4/") as seen:
        db = load_source("ga4", sandbox.url, tmp_path, "ga4_tok", page_size=PAGE_SIZE)
    assert sandbox.token_grants("ga4") == 1
    renewal = seen.index(f"{sandbox.url}/ga4/token")
    assert renewal == EXPIRES_AFTER + 1  # three good answers, one 401, then the renewal
    assert len(seen) > renewal + 1  # the refused page again, then the rest of the run
    assert loaded(db) == expected(world, TODAY)
    assert "access token renewed" in caplog.text  # logged, without either token
    for secret in (STATIC, REFRESH, SECRET, "ga4-access-"):
        assert secret not in caplog.text


def test_refused_refresh_token_names_property_and_secret_not_its_value(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    revoked = "revoked-ga4-refresh-4f8a"
    with pytest.raises(PipelineStepFailed) as info:
        load_source(
            "ga4", sandbox.url, tmp_path, "ga4_rev", access_token=None, refresh_token=revoked
        )
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    text = str(error)
    assert text.startswith("ga4: account property 410000001: ")
    assert "invalid_grant: Token has been expired or revoked." in text
    assert "sources.ga4.refresh_token" in text and "7 days" in text
    assert revoked not in text and SECRET not in text and CLIENT not in text
    assert sandbox.token_grants("ga4") == 0


def test_sandbox_token_endpoint_answers_googles_shapes(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/ga4/token"
    form = {"grant_type": "refresh_token", "client_id": CLIENT, "client_secret": SECRET}
    ok = requests.post(url, data={**form, "refresh_token": REFRESH}, timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}  # no refresh_token
    assert body["expires_in"] == 3599 and body["token_type"] == "Bearer"
    assert body["scope"] == "https://www.googleapis.com/auth/analytics.readonly"
    report = requests.post(
        f"{sandbox.url}/ga4/v1beta/properties/410000001:runReport",
        json={
            "dateRanges": [{"startDate": "2025-12-01", "endDate": "2025-12-01"}],
            "metrics": [{"name": "sessions"}],
        },
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert report.status_code == 200, report.text  # the new token opens the API

    assert_refusals(url, form, REFRESH)
    assert sandbox.token_grants("ga4") == 1


def test_expired_token_gets_the_expired_reason(sandbox: Sandbox) -> None:
    sandbox.expire_token("ga4", STATIC, after=0)
    resp = requests.post(
        f"{sandbox.url}/ga4/v1beta/properties/410000001:runReport",
        json={},
        headers={"Authorization": f"Bearer {STATIC}"},
        timeout=10,
    )
    err = resp.json()["error"]
    assert (resp.status_code, err["status"]) == (401, "UNAUTHENTICATED")
    assert err["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
