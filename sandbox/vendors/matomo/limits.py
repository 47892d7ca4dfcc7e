"""What a Matomo 5 instance refuses before running a method: tokens and Matomo Cloud's rate limit.

- Tokens (matomo-org/matomo 5.x): a token that is given but unknown, expired, or "secure only"
  and not sent securely fails authentication (``core/API/Request.php::
  forceReloadAuthUsingTokenAuth`` -> ``plugins/Login/Login.php::onFailedAPILogin``), HTTP 401
  (``core/NoAccessException.php``, 401 since 5.0.0, PR #19813) with one of the two messages
  below. "Secure only" tokens (Matomo 5, https://matomo.org/faq/general/faq_114/) count only
  when sent in a POST body (``plugins/UsersManager/Model.php::getTokenByTokenAuthIfNotExpired``
  adds ``secure_only = 0`` otherwise). No token at all is the anonymous user, refused later by
  the access check ("requires 'view' access", also 401).
- Rate limits: self-hosted Matomo has none (https://forum.matomo.org/t/api-calls-restrictions/40949);
  Matomo Cloud limits by IP, e.g. "Live resources 200 / 1 min, contains method=live or
  module=live" and 8 simultaneous raw-data queries per account, answering 429
  (https://matomo.org/faq/troubleshooting/matomo-cloud-api-usage-limits/). Off by default (the
  sandbox instance is self-hosted); ``SANDBOX_MATOMO_LIVE_RATE_LIMIT=200/60`` (requests per
  seconds, sliding) emulates Cloud's Live rule, read at each request. Cloud's 429 body and
  whether it sends ``Retry-After`` are not documented: the sandbox sends plain text and no
  header, the stricter reading. The simultaneous-queries rule is not emulated (the source asks
  one page at a time).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

LOGIN_FAILED_SECURE = (
    "Unable to authenticate with the provided token. It is either invalid or expired."
)
LOGIN_FAILED_GET = (
    "Unable to authenticate with the provided token. It is either invalid, expired or is "
    "required to be sent as a POST parameter."
)
DEFAULT_SECURE_TOKENS = "sandbox-matomo-secure-token"


def is_live(params: dict[str, str]) -> bool:
    """Cloud's Live rule: the request "contains method=live or module=live"."""
    return "live" in f"{params.get('method', '')} {params.get('module', '')}".lower()


class LiveWindows:
    """Live requests per client IP over a sliding window (off unless configured)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def admit(self, client: str) -> bool:
        """Count one Live request from ``client``; False (not counted) over the limit."""
        raw = os.environ.get("SANDBOX_MATOMO_LIVE_RATE_LIMIT", "").strip()
        if not raw:
            return True
        limit, _, seconds = raw.partition("/")
        window = float(seconds or 60)
        with self._lock:
            now = self._now()
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= int(limit):
                return False
            hits.append(now)
            return True
