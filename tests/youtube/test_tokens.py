"""YouTube's one-hour OAuth token, shared by the Data and Analytics APIs: renewed once mid-run
through the sandbox's stand-in for https://oauth2.googleapis.com/token; a refused refresh token
fails naming the channel and the secret, never a secret value; the API-key mode (no OAuth) still
reads the Data API. Expected shapes are Google's documented ones, written here."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.google_token import assert_refusals
from tests.sources.support import TODAY, Sandbox, cause, query, requests_seen
from tests.youtube.test_source import _check_full
from tests.youtube.truth import CHANNELS, TOKEN, load, manifest_of

REFRESH, CLIENT, SECRET = (
    "sandbox-youtube-refresh",
    "sandbox-youtube-client",
    "sandbox-youtube-secret",
)
EXPIRES_AFTER = 50  # of the run's hundred-odd requests: the token dies in the middle of the load
SCOPES = (
    "https://www.googleapis.com/auth/youtube.readonly "
    "https://www.googleapis.com/auth/yt-analytics.readonly"
)


def test_token_expiring_mid_run_is_renewed_once_and_the_load_is_complete(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.expire_token("youtube", TOKEN, after=EXPIRES_AFTER)
    caplog.set_level(logging.DEBUG)  # from here on: the run's own log
    with requests_seen("/youtube/") as seen:
        db = load(sandbox.url, tmp_path)
    assert sandbox.token_grants("youtube") == 1  # one renewal for both APIs
    renewal = seen.index(f"{sandbox.url}/youtube/token")
    assert renewal == EXPIRES_AFTER + 1  # fifty good answers, one 401, then the renewal
    after = seen[renewal + 1 :]
    assert any("/youtube/v3/" in u for u in after) and any("/v2/reports" in u for u in after)
    _check_full(db, manifest_of(world, TODAY), TODAY)
    assert "access token renewed" in caplog.text  # logged, without either token
    for secret in (TOKEN, REFRESH, SECRET, "youtube-access-"):
        assert secret not in caplog.text


def test_refused_refresh_token_names_channel_and_secret_not_its_value(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    revoked = "revoked-yt-refresh-19be"
    with pytest.raises(PipelineStepFailed) as info:
        load(sandbox.url, tmp_path, access_token=None, refresh_token=revoked)
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    text = str(error)
    assert text.startswith(f"youtube: account {CHANNELS[0]}: ")
    assert "invalid_grant: Token has been expired or revoked." in text
    assert "sources.youtube.refresh_token" in text and "7 days" in text
    assert revoked not in text and SECRET not in text and CLIENT not in text
    assert sandbox.token_grants("youtube") == 0


def test_api_key_mode_reads_the_data_api_without_oauth(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    with requests_seen("/youtube/") as seen:
        db = load(
            sandbox.url,
            tmp_path,
            resources=("videos",),
            access_token=None,
            refresh_token=None,
            api_key="sandbox-youtube-key",
        )
    ids = sorted(r[0] for r in query(db, "select video_id from raw_youtube.videos"))
    assert ids == sorted(manifest_of(world, TODAY)["video_ids"])
    assert seen and all("key=sandbox-youtube-key" in u for u in seen)
    assert sandbox.token_grants("youtube") == 0


def test_sandbox_token_endpoint_answers_googles_shapes(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/youtube/token"
    form = {"grant_type": "refresh_token", "client_id": CLIENT, "client_secret": SECRET}
    ok = requests.post(url, data={**form, "refresh_token": REFRESH}, timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}  # no refresh_token
    assert body["expires_in"] == 3599 and body["token_type"] == "Bearer"
    assert body["scope"] == SCOPES
    channels = requests.get(
        f"{sandbox.url}/youtube/youtube/v3/channels",
        params={"part": "id", "id": CHANNELS[0]},
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert channels.status_code == 200, channels.text  # the new token opens the API

    assert_refusals(url, form, REFRESH)
    assert sandbox.token_grants("youtube") == 1


def test_expired_token_gets_googles_invalid_credentials(sandbox: Sandbox) -> None:
    sandbox.expire_token("youtube", TOKEN, after=0)
    resp = requests.get(
        f"{sandbox.url}/youtube/v2/reports",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    err = resp.json()["error"]
    assert (resp.status_code, err["status"], err["errors"][0]["reason"]) == (
        401,
        "UNAUTHENTICATED",
        "authError",
    )
