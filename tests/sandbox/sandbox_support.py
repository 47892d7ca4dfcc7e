"""Shared by the sandbox tests: the small world's parameters and a tiny Graph client.

(A module of its own, not conftest, because other test folders have a conftest of their own.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import requests

from sandbox.world.generator import WorldSpec

SMALL = WorldSpec(seed=42, start=date(2025, 11, 1), days=45)
TODAY = date(2025, 12, 15)  # start + days - 1
TOKEN = "sandbox-meta-token"
META = "/meta"  # where the sandbox mounts the Graph API (graph.facebook.com in production)
V = "/v23.0"


class Graph:
    """A tiny Graph client for tests: GET with the token, JSON back."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.meta = base + META
        self.http = requests.Session()

    def get(
        self, path: str, token: str | None = TOKEN, headers: dict | None = None, **params: Any
    ) -> requests.Response:
        if token is not None:
            params["access_token"] = token
        return self.http.get(self.meta + V + path, params=params, headers=headers, timeout=30)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def walk(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Follow ``paging.next`` to the end; checks the last page has no next/after."""
        out: list[dict[str, Any]] = []
        body = self.ok(path, **params)
        while True:
            out.extend(body["data"])
            paging = body.get("paging", {})
            if "next" not in paging:
                assert "after" not in paging.get("cursors", {})
                return out
            assert paging["cursors"]["after"]
            response = self.http.get(paging["next"], timeout=30)
            assert response.status_code == 200, response.text
            body = response.json()

    def control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, self.base + "/_sandbox" + path, timeout=30, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()
