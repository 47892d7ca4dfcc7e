"""Access tokens that renew themselves through the vendor's OAuth 2 token endpoint.

Access tokens are short-lived: Google's last one hour, TikTok's 24 hours, LinkedIn's 60 days
(each vendor's reference is cited where its source builds a ``Refresher``). A source that
holds a refresh token and the app's client credentials renews its access token:

- before the first request when it has no access token, and before a request when the last
  renewal said the token has less than ``EARLY_S`` seconds left;
- once when the API rejects the token (``TokenRejected``): the request is sent again with the
  new token; a new token rejected again fails the source.

Every vendor's token endpoint speaks RFC 6749: a form POST with ``grant_type=refresh_token``,
answered by ``{"access_token", "expires_in", ...}`` or ``{"error", "error_description"}``
(https://www.rfc-editor.org/rfc/rfc6749#section-6, #section-5.2). Only the form's field names
differ (TikTok says ``client_key`` where Google and LinkedIn say ``client_id``).

Neither token is ever logged or put in an error: messages name the source, the account and
the secret's key, never its value.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from ingestion.http import SourceAuthError
from ingestion.token_store import TokenStore

logger = logging.getLogger(__name__)

EARLY_S = 300.0  # renew this long before the announced expiry, so no request carries a dying token
REFRESH_TIMEOUT_S = 30.0
REFRESH_ATTEMPTS = 3  # a token endpoint's 5xx or network error is retried this often
REFRESH_FIELD = "refresh_token"  # the form field of the refresh token, every vendor alike


@dataclass(frozen=True)
class Refresher:
    """One vendor's token endpoint and the form it takes to renew an access token.

    ``form`` holds the client credentials and the refresh token under the vendor's own field
    names; ``renew_hint`` tells a person how to get a new refresh token when it is refused.
    """

    token_url: str
    form: dict[str, str]
    renew_hint: str

    @classmethod
    def grant(
        cls,
        token_url: str,
        refresh_token: str,
        client: tuple[str, str],
        renew_hint: str,
        client_field: str = "client_id",
    ) -> Refresher:
        """RFC 6749's refresh form for ``client`` (id, secret); ``client_field`` is what the
        vendor calls the client id (TikTok: ``client_key``)."""
        client_id, client_secret = client
        form = {
            "grant_type": "refresh_token",
            client_field: client_id,
            "client_secret": client_secret,
            REFRESH_FIELD: refresh_token,
        }
        return cls(token_url, form, renew_hint)

    def with_refresh_token(self, refresh_token: str) -> Refresher:
        """The same endpoint with a rotated refresh token (TikTok and LinkedIn may send one)."""
        return Refresher(
            self.token_url, {**self.form, REFRESH_FIELD: refresh_token}, self.renew_hint
        )


@dataclass
class BearerToken:
    """The access token of one account, renewed through ``refresher`` when it has one.

    ``what`` names the token in messages (e.g. "TikTok access token"), ``secret_key`` the
    secret that holds it (e.g. "sources.tiktok.access_tokens"): a message says which token,
    for which account, and where to put a new one, never the token.
    """

    source: str
    account: str
    what: str
    secret_key: str
    access_token: str | None = None
    refresher: Refresher | None = None
    expires_at: float | None = None  # time.monotonic() of the announced expiry
    refreshes: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    store: TokenStore = field(default_factory=TokenStore.from_env, repr=False)
    _configured: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.use(self.refresher)

    def use(self, refresher: Refresher | None) -> None:
        """Renew through ``refresher``, starting from the latest rotation of its refresh token
        that an earlier run stored (``ingestion.token_store``)."""
        self.refresher = refresher
        self._configured = self._refresh_token()
        if refresher and self._configured:
            latest = self.store.current(refresher.token_url, self._configured)
            self.refresher = refresher.with_refresh_token(latest)

    @property
    def can_refresh(self) -> bool:
        return self.refresher is not None

    def secrets(self) -> list[str]:
        """Every secret value this token holds: what ``redact`` must mask in any text."""
        values = [self.access_token or ""]
        if self.refresher:
            secret_fields = (REFRESH_FIELD, "client_secret")  # a client id is public
            values += [self.refresher.form.get(k, "") for k in secret_fields]
        return [v for v in values if v]

    def header(self, session: requests.Session) -> dict[str, str]:
        """``Authorization: Bearer ...``, renewing first when the token is missing or dying."""
        if self.refresher and (self.access_token is None or self._dying()):
            self.refresh(session)
        if not self.access_token:
            raise self._error(f"no {self.what}: set {self.secret_key} (or its refresh token)")
        return {"Authorization": f"Bearer {self.access_token}"}

    def _dying(self) -> bool:
        return self.expires_at is not None and self.clock() >= self.expires_at - EARLY_S

    def rejected(self, session: requests.Session, refreshed_already: bool, cause: str) -> None:
        """The API refused the token: renew it once, or fail saying which token and how.

        ``cause`` is the API's own error, already free of secrets (the classifier's text)."""
        if not self.refresher:
            raise self._error(
                f"{self.what} rejected ({cause}) and no refresh token is configured: renew it "
                f"and store it in {self.secret_key}"
            )
        if refreshed_already:
            raise self._error(
                f"a freshly renewed {self.what} was rejected too ({cause}): check the app's "
                f"scopes and the account's permissions; {self.refresher.renew_hint}"
            )
        self.refresh(session)

    def refresh(self, session: requests.Session) -> None:
        """POST the refresh form to the token endpoint; keep the new token and its expiry."""
        assert self.refresher is not None
        body = self._post_refresh(session)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise self._error("the token endpoint answered without an access_token")
        self.access_token = token
        expires_in = body.get("expires_in")
        self.expires_at = (
            self.clock() + float(expires_in) if isinstance(expires_in, int | float) else None
        )
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token():
            self.refresher = self.refresher.with_refresh_token(rotated)
            if self._configured:
                self.store.rotated(self.refresher.token_url, self._configured, rotated)
            logger.info(
                "%s: account %s: the refresh token was rotated; the new one is kept in %s",
                self.source,
                self.account,
                self.store.path,
            )
        self.refreshes += 1
        logger.info("%s: account %s: %s renewed", self.source, self.account, self.what)

    def _refresh_token(self) -> str | None:
        return self.refresher.form.get(REFRESH_FIELD) if self.refresher else None

    def _post_refresh(self, session: requests.Session) -> dict[str, Any]:
        assert self.refresher is not None
        last = ""
        for attempt in range(1, REFRESH_ATTEMPTS + 1):
            try:
                resp = session.post(
                    self.refresher.token_url,
                    data=self.refresher.form,
                    # None drops the session's token; the form is a form, whatever the session says
                    headers={
                        "Authorization": None,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    timeout=REFRESH_TIMEOUT_S,
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                last = type(exc).__name__
            else:
                body = _json_object(resp)
                if resp.status_code < 400 and not body.get("error"):
                    return body
                if resp.status_code < 500 and resp.status_code != 429:
                    raise self._error(self._refusal(resp.status_code, body))
                last = f"HTTP {resp.status_code}"
            if attempt < REFRESH_ATTEMPTS:
                time.sleep(2.0 * attempt)
        raise self._error(f"the token endpoint failed {REFRESH_ATTEMPTS} times ({last})")

    def _refusal(self, status: int, body: dict[str, Any]) -> str:
        """RFC 6749 section 5.2's error, without echoing anything but its code and text."""
        code = str(body.get("error") or f"HTTP {status}")
        text = str(body.get("error_description") or "")[:200]
        assert self.refresher is not None
        return (
            f"renewing the {self.what} failed ({code}: {text}); the refresh token or the client "
            f"credentials were refused: {self.refresher.renew_hint}"
        )

    def _error(self, message: str) -> SourceAuthError:
        return SourceAuthError(self.source, self.account, message)


def _json_object(resp: requests.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
