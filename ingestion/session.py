"""The HTTP session every source client uses: requests' own, reading the environment once.

For each request, ``requests.Session`` reads the proxy and CA-bundle settings from the
environment (``merge_environment_settings``), and urllib's proxy lookup scans every
environment variable to do it: 0.43 ms a request with 195 variables. Fed from disk with 90
variables, YouTube's 988 requests took 1.67 s before and 1.41 s after (BENCHMARKS.md, session
14). ``Session`` reads them once per scheme and host and keeps them for its life, one source
run: an environment changed during a run is seen by the next run. What it reads is what
requests reads (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...); only how often
changes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests


class Session(requests.Session):
    """``requests.Session`` with its environment settings read once per scheme and host."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: str | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        parts = urlsplit(url or "")
        key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream,
               verify, cert)  # fmt: skip
        settings = self._environment.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._environment[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}
