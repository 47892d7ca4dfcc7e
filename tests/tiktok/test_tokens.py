"""TikTok user tokens: a token dying mid-run is renewed once through ``/v2/oauth/token/``, a
refused refresh fails naming the account and the secret, and the token endpoint answers as
TikTok documents (https://developers.tiktok.com/doc/oauth-user-access-token-management)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.sources.support import TODAY, Sandbox, cause, vendor_truth
from tests.tiktok.test_source import OPEN_IDS, TOKENS, check_complete, load

CLIENT = {"client_key": "sandbox-tiktok-client", "client_secret": "sandbox-tiktok-secret"}
GRANT_FIELDS = {
    "access_token",
    "expires_in",
    "open_id",
    "refresh_expires_in",
    "refresh_token",
    "scope",
    "token_type",
}


def refresh_form(open_id: str, **changes: str) -> dict[str, str]:
    form = {
        **CLIENT,
        "grant_type": "refresh_token",
        "refresh_token": f"sandbox-tiktok-refresh-{open_id}",
    }
    return {**form, **changes}


def post_token(sandbox: Sandbox, form: dict[str, str]) -> requests.Response:
    return requests.post(f"{sandbox.vendor('tiktok')}/v2/oauth/token/", data=form, timeout=10)


def test_a_token_dying_mid_run_is_renewed_once_and_the_load_is_complete(
    world: Path, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = vendor_truth(world, "tiktok", TODAY)
    first = OPEN_IDS[0]
    # user/info, then video/list pages of 5: the token dies on the second page
    assert len(manifest["accounts"][first]["video_ids"]) > 10
    sandbox.expire_token("tiktok", TOKENS[first], after=2)
    with caplog.at_level(logging.INFO):
        db = load(sandbox, tmp_path, page_size=5)
    assert sandbox.token_grants("tiktok") == 1
    check_complete(db, manifest, TODAY)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "refresh token was rotated" in text and "renewed" in text
    assert f"sandbox-tiktok-refresh-{first}" not in text and "tiktok-access-" not in text


def test_accounts_with_only_a_refresh_token_get_one_each(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    db = load(sandbox, tmp_path, access_tokens=None)
    assert sandbox.token_grants("tiktok") == len(OPEN_IDS)
    check_complete(db, vendor_truth(world, "tiktok", TODAY), TODAY)


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"refresh_tokens": {OPEN_IDS[0]: "revoked-refresh-token-value"}}, "invalid_grant"),
        ({"client_secret": "wrong-client-secret-value"}, "invalid_client"),
    ],
    ids=["refresh-token-refused", "client-refused"],
)
def test_a_refused_refresh_fails_naming_the_account_and_the_secret(
    sandbox: Sandbox, tmp_path: Path, override: dict, code: str
) -> None:
    first = OPEN_IDS[0]
    sandbox.expire_token("tiktok", TOKENS[first], after=0)
    with pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, **override)
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    message = str(error)
    assert message.startswith(f"tiktok: account {first}: renewing the TikTok user access token")
    assert code in message and f'sources.tiktok.refresh_tokens."{first}"' in message
    for secret in ("revoked-refresh-token-value", "wrong-client-secret-value", TOKENS[first]):
        assert secret not in message
    assert "sandbox-tiktok-secret" not in message and "sandbox-tiktok-refresh" not in message
    assert sandbox.token_grants("tiktok") == 0


def test_the_token_endpoint_answers_tiktoks_shapes_and_rotates(sandbox: Sandbox) -> None:
    first, second = OPEN_IDS[:2]
    ok = post_token(sandbox, refresh_form(second))
    body = ok.json()
    assert ok.status_code == 200 and set(body) == GRANT_FIELDS
    assert body["open_id"] == second and body["token_type"] == "Bearer"
    assert body["expires_in"] == 7_200 and body["refresh_expires_in"] == 15_552_000
    assert body["refresh_token"] != f"sandbox-tiktok-refresh-{second}"
    # the minted token is the user's own: user/info answers for that open_id
    info = requests.get(
        f"{sandbox.vendor('tiktok')}/v2/user/info/",
        params={"fields": "open_id"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert info.json()["data"]["user"]["open_id"] == second
    # rotation: the refresh token sent is spent, the returned one works
    assert post_token(sandbox, refresh_form(second)).json()["error"] == "invalid_grant"
    again = post_token(sandbox, refresh_form(second, refresh_token=body["refresh_token"]))
    assert again.json()["open_id"] == second
    refusals = {
        "invalid_client": refresh_form(first, client_secret="nope"),
        "invalid_grant": refresh_form(first, refresh_token="nope"),
        "unsupported_grant_type": refresh_form(first, grant_type="authorization_code"),
    }
    for expected, form in refusals.items():
        resp = post_token(sandbox, form)
        err = resp.json()
        assert resp.status_code == 200, expected  # TikTok's error travels in the body
        assert set(err) == {"error", "error_description", "log_id"} and err["error"] == expected
    assert sandbox.token_grants("tiktok") == 2


def test_an_expired_token_without_refresh_fails_saying_how_to_renew(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    first = OPEN_IDS[0]
    sandbox.expire_token("tiktok", TOKENS[first], after=0)
    with pytest.raises(PipelineStepFailed) as info:
        load(sandbox, tmp_path, refresh_tokens=None)
    message = str(cause(info.value, SourceAuthError))
    assert f"tiktok: account {first}: TikTok user access token rejected" in message
    assert "The access token has expired." in message
    assert f'store it in sources.tiktok.access_tokens."{first}"' in message
    assert TOKENS[first] not in message
