"""What the matrix runs: the faults (sandbox specs) and how each source is run in a cell.

Each fault is a standing sandbox configuration (sandbox/faults.py, sandbox/paging_faults.py).
Error faults come as a bounded burst after a few requests (``skip``, ``max_fires``), as a
real outage does; a looping cursor loops for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.sources.support import FAST_RETRIES, TODAY


@dataclass(frozen=True)
class Fault:
    """One column of the matrix: the sandbox spec and the kind ``/faults/fired`` counts."""

    name: str
    kind: str | None  # None: the control column, no fault
    spec: str
    what: str


FAULTS: tuple[Fault, ...] = (
    Fault("none", None, "off", "control: no fault (checks the oracle itself)"),
    Fault("throttle", "throttle", "throttle=0.3,max_fires=8,seed=3",
          "throttling in the vendor's own dialect (429, quota 403, Retry-After...)"),
    Fault("server_error", "server_error", "server_error=1,max_fires=3,skip=5",
          "a burst of three 5xx after five requests"),
    Fault("timeout", "timeout", "timeout=1,max_fires=2,skip=4,timeout_s=3",
          "two requests that hang past the client's 1 s timeout"),
    Fault("reset", "reset", "reset=1,max_fires=2,skip=6",
          "two connections reset mid-body"),
    Fault("corrupt", "corrupt", "corrupt=1,max_fires=2,skip=3",
          "two truncated JSON bodies with status 200"),
    Fault("token_expired", "token_expired", "token_expired=1,max_fires=1,skip=5",
          "the access token reported expired mid-run"),
    Fault("short_page", "short_page", "short_page=0.5,seed=5",
          "valid pages with half the items asked and a next cursor"),
    Fault("repeat_page", "repeat_page", "repeat_page=0.5,max_fires=1,seed=5",
          "the previous page served again, once"),
    Fault("loop_cursor", "loop_cursor", "loop_cursor=0.5,max_fires=1,seed=5",
          "a next cursor leading back to the first page, forever"),
    Fault("wrong_type", "wrong_type", "wrong_type=0.5,max_fires=1,seed=5",
          "one record with a field of the wrong type"),
)  # fmt: skip

MATOMO_DAYS = 10
"""Matomo is loaded from TODAY - 9 days (a 40-day backfill is most of the matrix's time)."""

RUN_OPTIONS: dict[str, dict[str, Any]] = {
    # small pages so that every listing has several (as the per-source tests do)
    "meta": {"page_size": 10},
    "linkedin": {"page_size": 10},
    "tiktok": {"page_size": 7},
    "trustpilot": {"page_size": 40},
    "google_business": {"page_size": 20},
    "ga4": {"page_size": 400},
    "search_console": {"page_size": 2000},
    "brevo": {"page_size": 3},
    "hubspot": {"page_size": 100, "search_interval_s": 0.0},
    "matomo": {
        "start_date": (TODAY - timedelta(days=MATOMO_DAYS - 1)).isoformat(),
        "page_size": 40,
    },
    "youtube": {"playlist_page_size": 10, "analytics_page_size": 100},
}

CLIENT_TIMEOUT_S = 1.0
"""The client's request timeout in the cells (the sandbox's hung requests last 3 s)."""


def run_options(source: str) -> dict[str, Any]:
    """The factory overrides of ``source`` in every cell: fast retries and a short timeout."""
    return {**FAST_RETRIES, "request_timeout_s": CLIENT_TIMEOUT_S, **RUN_OPTIONS.get(source, {})}


def fault_named(name: str) -> Fault:
    for fault in FAULTS:
        if fault.name == name:
            return fault
    raise KeyError(f"unknown fault {name!r} (known: {', '.join(f.name for f in FAULTS)})")
