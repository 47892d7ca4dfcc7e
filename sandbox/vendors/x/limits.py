"""The limits of the X API v2 the sandbox enforces: rate windows, the monthly post cap and how
far back the timelines reach.

- Rate limits (https://docs.x.com/x-api/fundamentals/rate-limits): per endpoint and per app,
  in 15-minute windows; every answer carries ``x-rate-limit-limit``, ``x-rate-limit-remaining``
  and ``x-rate-limit-reset`` (the window's end in unix epoch seconds); over the limit, 429.
- Post cap (https://docs.x.com/x-api/fundamentals/post-cap, formerly ".../tweet-cap"): posts
  received from the timelines, mentions and search count towards a monthly project cap; a post
  returned several times in one day counts once. Over the cap X answers 429 with the problem
  ``UsageCapExceeded`` while ``x-rate-limit-remaining`` is still high (the body below is the
  one reported in https://github.com/xdevplatform/xdk/issues/25).
- Timeline reach (https://docs.x.com/x-api/posts/timelines/migrate/standard-to-twitter-api-v2):
  the user Post timeline serves the 3,200 most recent posts, the mention timeline the 800 most
  recent mentions, whatever ``start_time`` or paging asks for.

Every knob is read from the environment at each request, so a test can tighten a limit on a
running sandbox (``SANDBOX_X_RATE_RESET_S``: window length, default 900;
``SANDBOX_X_RATE_LIMITS``: e.g. ``tweets=2,mentions=5``; ``SANDBOX_X_MONTHLY_POST_CAP``;
``SANDBOX_X_TIMELINE_CAP``; ``SANDBOX_X_MENTIONS_CAP``). Windows also reopen when the sandbox
clock moves to another day, and the post cap starts afresh each calendar month of that clock.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

WINDOW_S = 900.0  # 15 minutes
LIMITS = {"users": 300, "tweets": 900, "mentions": 450, "search": 450}  # app auth, per window
# The sandbox's project is on Pro (1,000,000 posts a month); Basic is 10,000 (post-cap page).
MONTHLY_POST_CAP = 1_000_000
TIMELINE_REACH = 3200
MENTIONS_REACH = 800
CAPPED_BUCKETS = ("tweets", "mentions", "search")  # users lookup returns no posts
USAGE_CAPPED = {  # the body reported in xdevplatform/xdk#25 (its type names api.twitter.com)
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
    "product_name": "standard-basic",
    "account_id": "1000000000000000000",
}


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    """The limits in force for one request (see the module docstring for the variables)."""

    window_s: float
    limits: tuple[tuple[str, int], ...]
    monthly_cap: int
    timeline_reach: int
    mentions_reach: int

    @classmethod
    def from_env(cls) -> Settings:
        limits = dict(LIMITS)
        for item in filter(None, os.environ.get("SANDBOX_X_RATE_LIMITS", "").split(",")):
            bucket, _, value = item.partition("=")
            limits[bucket.strip()] = int(value)
        return cls(
            window_s=float(os.environ.get("SANDBOX_X_RATE_RESET_S", "").strip() or WINDOW_S),
            limits=tuple(sorted(limits.items())),
            monthly_cap=_int_env("SANDBOX_X_MONTHLY_POST_CAP", MONTHLY_POST_CAP),
            timeline_reach=_int_env("SANDBOX_X_TIMELINE_CAP", TIMELINE_REACH),
            mentions_reach=_int_env("SANDBOX_X_MENTIONS_CAP", MENTIONS_REACH),
        )

    def limit(self, bucket: str) -> int:
        return dict(self.limits)[bucket]

    def reach(self, kind: str) -> int:
        """How many of the most recent items a timeline (``tweets``) or ``mentions`` serves."""
        return self.timeline_reach if kind == "tweets" else self.mentions_reach


@dataclass
class _Window:
    day: date
    settings: Settings
    end: float
    used: int


class RateWindows:
    """Request counts per endpoint in wall-clock windows (the reset header is an epoch second
    a client can sleep until)."""

    def __init__(self, now: Any = time.time) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def take(
        self, bucket: str, settings: Settings, today: date, use: bool, exhausted: bool = False
    ) -> tuple[dict[str, str], bool]:
        """The ``x-rate-limit-*`` headers after counting this request (``use``), and whether
        the request is over the window's limit (the limit-th request still passes, with
        ``remaining`` 0)."""
        with self._lock:
            now = self._now()
            win = self._windows.get(bucket)
            if win is None or now >= win.end or win.day != today or win.settings != settings:
                win = _Window(today, settings, now + settings.window_s, 0)
                self._windows[bucket] = win
            win.used += 1 if use else 0
            limit = settings.limit(bucket)
            left = 0 if exhausted else max(0, limit - win.used)
            over = win.used > limit
            # a zero-length window (the test suite's) resets now: clients retry at once
            reset = int(math.ceil(win.end)) if settings.window_s else int(now)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(left),
            "x-rate-limit-reset": str(reset),
        }
        return headers, over


class PostUsage:
    """Posts served per day (each id once a day), summed over the clock's calendar month."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._days: dict[date, set[str]] = {}

    def used(self, today: date) -> int:
        with self._lock:
            return sum(
                len(ids)
                for day, ids in self._days.items()
                if (day.year, day.month) == (today.year, today.month)
            )

    def count(self, today: date, body: dict[str, Any]) -> None:
        """Count the posts of an answer: ``data`` and expanded ``includes.tweets`` (whether X
        counts expansions is not documented; counting them is the stricter reading)."""
        found = [t for t in body.get("data") or [] if isinstance(t, dict)]
        found += (body.get("includes") or {}).get("tweets") or []
        with self._lock:
            self._days.setdefault(today, set()).update(t["id"] for t in found)

    def capped(self, today: date, settings: Settings) -> bool:
        return self.used(today) >= settings.monthly_cap
