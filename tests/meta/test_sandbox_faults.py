"""Fault injection: Meta throttling codes, 5xx, timeouts, corrupt pages, configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from sandbox.faults import FaultConfig
from sandbox.server import build_app
from tests.sandbox.sandbox_support import Graph

FB_PAGE = "104500000000001"
THROTTLES = {4: 403, 17: 400, 32: 400, 613: 400, 80001: 400}


def test_each_throttling_code(graph: Graph) -> None:
    for code, status in THROTTLES.items():
        response = graph.get(
            f"/{FB_PAGE}", headers={"X-Sandbox-Fault": f"throttle,throttle_code={code}"}
        )
        assert response.status_code == status
        err = response.json()["error"]
        assert (
            err["code"] == code and err["is_transient"] is True and err["type"] == "OAuthException"
        )
        assert err["message"].startswith(f"(#{code})") and err["fbtrace_id"]
        assert json.loads(response.headers["X-App-Usage"])["call_count"] == 100
        buc = json.loads(response.headers["X-Business-Use-Case-Usage"])[FB_PAGE][0]
        assert buc["type"] == "pages" and buc["call_count"] == 100
        assert buc["estimated_time_to_regain_access"] == 0
        assert "Date" in response.headers


def test_throttle_rotates_through_all_codes(graph: Graph) -> None:
    codes = {
        graph.get(f"/{FB_PAGE}", headers={"X-Sandbox-Fault": "throttle=1"}).json()["error"]["code"]
        for _ in range(5)
    }
    assert codes == set(THROTTLES)


def test_server_error_and_corrupt_page(graph: Graph) -> None:
    seen = set()
    for _ in range(2):
        response = graph.get(f"/{FB_PAGE}", headers={"X-Sandbox-Fault": "server_error"})
        assert response.status_code == 500
        err = response.json()["error"]
        assert err["is_transient"] is True
        seen.add((err["code"], err["message"].split(".")[0]))
    assert seen == {(1, "An unexpected error has occurred"), (2, "Service temporarily unavailable")}
    corrupt = graph.get(f"/{FB_PAGE}/published_posts", headers={"X-Sandbox-Fault": "corrupt"})
    assert corrupt.status_code == 200
    with pytest.raises(ValueError):
        corrupt.json()
    expired = graph.get(f"/{FB_PAGE}", headers={"X-Sandbox-Fault": "token_expired"})
    assert expired.json()["error"]["error_subcode"] == 463


def test_timeout_outlasts_the_client(graph: Graph) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        graph.http.get(
            graph.meta + f"/v23.0/{FB_PAGE}",
            params={"access_token": "sandbox-meta-token"},
            headers={"X-Sandbox-Fault": "timeout,timeout_s=1.5"},
            timeout=0.3,
        )


def test_control_routes_are_never_faulted(graph: Graph) -> None:
    response = graph.http.get(
        graph.base + "/_sandbox/health", headers={"X-Sandbox-Fault": "throttle"}
    )
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_standing_configuration_is_deterministic(graph: Graph) -> None:
    def sequence() -> list[int]:
        graph.control("PUT", "/faults", data="throttle=0.3,server_error=0.2,seed=7")
        return [graph.get(f"/{FB_PAGE}").status_code for _ in range(20)]

    try:
        first, second = sequence(), sequence()
    finally:
        graph.control("PUT", "/faults", data="none")
    assert first == second
    assert 200 in first and 500 in first and ({400, 403} & set(first))
    assert graph.control("GET", "/faults")["throttle"] == 0.0


def test_env_configuration(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_FAULTS", "throttle=0.25,seed=3,timeout_s=0.1")
    sandbox = build_app(world)
    try:
        assert sandbox.faults.config == FaultConfig(throttle=0.25, seed=3, timeout_s=0.1)
    finally:
        sandbox.close()
    with pytest.raises(ValueError):
        FaultConfig.parse("explode=1")
