"""The limits of TikTok's Display API v2 the sandbox enforces: rate windows and short pages.

- Rate limits (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit): by default 600
  requests per endpoint (``/v2/user/info/``, ``/v2/video/list/``, ``/v2/video/query/``, each
  counted separately) in a one-minute *sliding* window; over it TikTok answers HTTP 429 with
  the error code ``rate_limit_exceeded``. The page documents no ``Retry-After`` and no
  rate-limit headers, so the sandbox sends none. Not documented, so the sandbox picks: the
  count is per app (every token together, the stricter reading), and a refused request does
  not count towards the window.
- Short pages: the v1 video/list reference (https://developers.tiktok.com/doc/tiktok-api-v1-video-list)
  says that "due to our trust and safety policies, it is possible that the endpoint returns
  less than max_count number of videos even if response.data.has_more is true"; the v2 page
  does not repeat it. Off by default; a test turns it on to show the source pages on
  ``has_more``, never on the page length.

Every knob is read from the environment at each request, so a test can tighten a limit on a
running sandbox: ``SANDBOX_TIKTOK_RATE_LIMIT`` (requests per window and endpoint, default 600),
``SANDBOX_TIKTOK_RATE_WINDOW_S`` (default 60), ``SANDBOX_TIKTOK_PAGE_CAP`` (at most this many
videos per video/list page whatever ``max_count`` asks, default 0 = no cap).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

RATE_LIMIT = 600
WINDOW_S = 60.0


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def page_cap(max_count: int) -> int:
    """How many videos a video/list page holds: ``max_count``, or fewer when capped."""
    cap = int(_env_number("SANDBOX_TIKTOK_PAGE_CAP", 0))
    return min(max_count, cap) if cap > 0 else max_count


class SlidingWindows:
    """Admitted requests per endpoint over the last window (wall-clock seconds)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def admit(self, endpoint: str) -> bool:
        """Count one request to ``endpoint``; False (not counted) when the window is full."""
        limit = int(_env_number("SANDBOX_TIKTOK_RATE_LIMIT", RATE_LIMIT))
        window = _env_number("SANDBOX_TIKTOK_RATE_WINDOW_S", WINDOW_S)
        with self._lock:
            now = self._now()
            hits = self._hits.setdefault(endpoint, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True
