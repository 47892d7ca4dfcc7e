"""The shared HTTP configuration (``ingestion.http.HttpConfig``) reaches every source as before.

Each source's retry and page-size options are set as ``sources.<name>.<option>`` (config.toml or
env) or passed as ``_http``; their defaults are the values the sources documented before the
options moved into one configuration (docs/sources/*.md), written out here by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from dlt.common.configuration.inject import get_fun_last_config

from ingestion.catalogue import source_named
from ingestion.tiktok import tiktok_source

# (max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s, page_size)
DOCUMENTED_DEFAULTS = {
    "meta": (6, 900.0, 2.0, 300.0, 60.0, 100),
    "linkedin": (6, 900.0, 2.0, 300.0, 60.0, 100),
    "x": (6, 960.0, 2.0, 120.0, 60.0, 100),
    "tiktok": (6, 900.0, 2.0, 300.0, 60.0, 20),
    "youtube": (6, 900.0, 2.0, 300.0, 60.0, None),
    "google_business": (6, 600.0, 2.0, 120.0, 60.0, 50),
    "trustpilot": (6, 900.0, 2.0, 300.0, 60.0, 100),
    "ga4": (6, 900.0, 2.0, 300.0, 60.0, 10_000),
    "matomo": (6, 900.0, 2.0, 300.0, 60.0, 100),
}
FIELDS = (
    "max_attempts",
    "max_total_wait_s",
    "backoff_base_s",
    "backoff_max_s",
    "request_timeout_s",
    "page_size",
)


def resolved_http(name: str, **kwargs: Any) -> dict[str, Any]:
    """The ``_http`` configuration dlt resolved for source ``name`` built with ``kwargs``."""
    factory = source_named(name).factory
    factory(**kwargs)
    http = get_fun_last_config(factory)["_http"]
    return {field: getattr(http, field) for field in FIELDS}


@pytest.fixture
def no_source_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ``SOURCES__*`` variable of the caller's shell leaks into the resolution."""
    import os

    for key in list(os.environ):
        if key.startswith("SOURCES__"):
            monkeypatch.delenv(key)
    return monkeypatch


@pytest.mark.parametrize("name", sorted(DOCUMENTED_DEFAULTS))
def test_defaults_are_the_documented_ones(name: str, no_source_env: pytest.MonkeyPatch) -> None:
    assert resolved_http(name) == dict(zip(FIELDS, DOCUMENTED_DEFAULTS[name], strict=True))


def test_options_are_read_in_the_sources_own_section(no_source_env: pytest.MonkeyPatch) -> None:
    no_source_env.setenv("SOURCES__X__MAX_ATTEMPTS", "3")
    no_source_env.setenv("SOURCES__X__PAGE_SIZE", "7")
    got = resolved_http("x")
    assert (got["max_attempts"], got["page_size"]) == (3, 7)
    assert got["max_total_wait_s"] == 960.0  # the other options keep X's defaults
    assert resolved_http("tiktok")["max_attempts"] == 6  # another source's section is not read
    # an explicit argument wins over the environment, as for any source argument
    assert resolved_http("x", _http={"max_attempts": 2})["max_attempts"] == 2


class AlwaysThrottled(BaseHTTPRequestHandler):
    """Answers every request 429 with ``Retry-After: 0`` and counts them."""

    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        type(self).hits += 1
        body = b'{"data": {}, "error": {"code": "rate_limit_exceeded", "message": "slow down"}}'
        self.send_response(429)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def throttled() -> Iterator[str]:
    AlwaysThrottled.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), AlwaysThrottled)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def attempts_made(base_url: str, **kwargs: Any) -> int:
    """Requests the TikTok source sends for one account before it gives up."""
    source = tiktok_source(base_url=base_url, access_tokens={"o1": "t"}, **kwargs)
    accounts = source.with_resources("tiktok_accounts")
    with pytest.raises(Exception, match="failed [0-9]+ times") as failure:
        list(accounts)
    assert "rate_limit_exceeded" in str(failure.value)
    return AlwaysThrottled.hits


def test_the_configured_policy_is_the_one_requests_get(
    throttled: str, no_source_env: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    registry = tmp_path / "brands.yaml"
    registry.write_text(
        "brands:\n  - id: b1\n    name: B1\n    timezone: UTC\n    accounts:\n      tiktok: o1\n"
    )
    no_source_env.setenv("SOURCES__TIKTOK__MAX_ATTEMPTS", "3")
    assert attempts_made(throttled, registry_path=str(registry)) == 3
    AlwaysThrottled.hits = 0
    assert attempts_made(throttled, registry_path=str(registry), _http={"max_attempts": 2}) == 2
