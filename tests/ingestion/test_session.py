"""The sources' HTTP session reads the environment's proxy settings once per host and run,
and what it reads is what requests would; it decodes each answer once, as requests decodes
it (``ingestion.session.Session``)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ingestion.session import Session


class Answering(requests.adapters.BaseAdapter):
    """Answers every request 200 with ``content`` and keeps the proxies it was sent with."""

    def __init__(self, content: bytes = b"{}") -> None:
        super().__init__()
        self.content = content
        self.proxies: list[dict[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.proxies.append(dict(kwargs.get("proxies") or {}))
        answer = requests.Response()
        answer.status_code, answer.request, answer._content = 200, request, self.content
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


def answered(content: bytes) -> requests.Response:
    session = Session()
    session.mount("https://", Answering(content))
    return session.get("https://api.example/v1/items")


def plain(content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content, response.encoding = 200, content, None
    return response


BODIES = [
    b'{"rows": [{"keys": ["2025-01-01", "caf\xc3\xa9"], "clicks": 3, "ctr": 0.1}]}',
    b'[1, 2.5, -0.0, 1e-7, 12345678901234567890123, "\\u00e9\\ud83d\\ude00", null, true]',
    '{"name": "\u00e9t\u00e9"}'.encode("utf-16"),  # not UTF-8
    b'  {"a": {"b": [{}, []]}}\n',
]


@pytest.mark.parametrize("content", BODIES)
def test_decoded_as_requests_decodes(content: bytes) -> None:
    assert answered(content).json() == plain(content).json()


@pytest.mark.parametrize("content", [b"<html>502 Bad Gateway</html>", b'{"cut": [1, 2', b""])
def test_not_json_raises_as_requests_raises(content: bytes) -> None:
    with pytest.raises(requests.JSONDecodeError):
        plain(content).json()
    with pytest.raises(requests.JSONDecodeError):
        answered(content).json()


def test_body_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    response = answered(BODIES[0])
    calls: list[bytes] = []
    loads = requests.models.complexjson.loads

    def counted(text: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return loads(text, **kwargs)

    monkeypatch.setattr(requests.models.complexjson, "loads", counted)
    first, second = response.json(), response.json()  # classify reads it, then the source
    assert first is second
    assert len(calls) == 1
    assert plain(BODIES[0]).json() == first and len(calls) == 2  # requests' own: every call
