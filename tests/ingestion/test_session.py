"""The sources' HTTP session reads the environment's proxy settings once per host and run,
and what it reads is what requests would (``ingestion.session.Session``)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ingestion.session import Session


class Answering(requests.adapters.BaseAdapter):
    """Answers every request 200 and keeps the proxies it was sent with."""

    def __init__(self) -> None:
        super().__init__()
        self.proxies: list[dict[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.proxies.append(dict(kwargs.get("proxies") or {}))
        answer = requests.Response()
        answer.status_code, answer.request, answer._content = 200, request, b"{}"
        return answer

    def close(self) -> None:
        pass


def scans_of_environment(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every proxy lookup requests makes from the environment, by URL."""
    seen: list[str] = []
    lookup = requests.sessions.get_environ_proxies

    def counted(url: str, no_proxy: Any = None) -> dict[str, str]:
        seen.append(url)
        return lookup(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    return seen


def test_environment_read_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    seen = scans_of_environment(monkeypatch)
    session, adapter = Session(), Answering()
    session.mount("https://", adapter)
    for page in range(3):
        session.get(f"https://api.example/v1/items?page={page}")
    session.get("https://internal.example/v1/items")
    assert len(seen) == 2  # api.example once, internal.example once
    proxy = "http://proxy.example:3128"
    assert [p.get("https") for p in adapter.proxies] == [proxy] * 3 + [None]  # NO_PROXY holds

    plain, reference = requests.Session(), Answering()
    plain.mount("https://", reference)
    for page in range(3):
        plain.get(f"https://api.example/v1/items?page={page}")
    plain.get("https://internal.example/v1/items")
    assert len(seen) == 2 + 4  # requests' own session reads it on every request
    assert reference.proxies == adapter.proxies  # and finds the same settings
