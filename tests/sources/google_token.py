"""What Google's token endpoint answers to a refused refresh, written out from Google's
reference (developers.google.com/identity/protocols/oauth2/web-server#offline) and google-auth's
``google/oauth2/_client.py``: shared by the three Google sources' token tests."""

from __future__ import annotations

import requests

REVOKED = (
    400,
    {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
)
UNKNOWN_CLIENT = (
    401,
    {"error": "invalid_client", "error_description": "The OAuth client was not found."},
)
WRONG_SECRET = (401, {"error": "invalid_client", "error_description": "Unauthorized"})


def assert_refusals(url: str, form: dict[str, str], refresh_token: str) -> None:
    """A revoked refresh token, an unknown client and a wrong secret each get Google's answer."""
    cases = [
        ({"refresh_token": "gone"}, REVOKED),
        ({"client_id": "x", "refresh_token": refresh_token}, UNKNOWN_CLIENT),
        ({"client_secret": "x", "refresh_token": refresh_token}, WRONG_SECRET),
    ]
    for change, expected in cases:
        answer = requests.post(url, data={**form, **change}, timeout=10)
        assert (answer.status_code, answer.json()) == expected, change
