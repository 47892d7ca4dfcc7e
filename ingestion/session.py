"""The HTTP session every source client uses: requests' own, reading the environment once
and decoding each JSON body once.

For each request, ``requests.Session`` reads the proxy and CA-bundle settings from the
environment (``merge_environment_settings``), and urllib's proxy lookup scans every
environment variable to do it: 0.43 ms a request with 195 variables. Fed from disk with 90
variables, YouTube's 988 requests took 1.67 s before and 1.41 s after (BENCHMARKS.md, session
14). ``Session`` reads them once per scheme and host and keeps them for its life, one source
run: an environment changed during a run is seen by the next run. What it reads is what
requests reads (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...); only how often
changes.

Each answer is read at least twice: its API's ``classify`` checks the body is JSON, then
the source reads it, and ``requests`` decodes the body again on every ``json()`` call.
``JsonResponse`` keeps the first decoding: Search Console's 20 pages of 167,212 rows were
decoded 40 times, 1.2 s of a 3.0 s replay (BENCHMARKS.md, session 15). The decoder is
requests' own, so what is accepted, refused and how numbers come back is unchanged (orjson,
faster, would turn an integer past 64 bits into a float without a word).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

_UNREAD = object()


class JsonResponse(requests.Response):
    """``requests.Response`` whose ``json()`` decodes the body once. Callers share the decoded
    value: they read it and never change it."""

    _decoded: Any = _UNREAD

    def json(self, **kwargs: Any) -> Any:
        if kwargs:  # a decoder option: decoded as asked, not kept
            return super().json(**kwargs)
        if self._decoded is _UNREAD:
            self._decoded = super().json()  # a body that is not JSON raises every time
        return self._decoded


class Session(requests.Session):
    """``requests.Session`` with its environment settings read once per scheme and host, and
    its answers decoded once (``JsonResponse``)."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = super().send(request, **kwargs)
        response.__class__ = JsonResponse  # same object and fields, json() decoded once
        return response

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
