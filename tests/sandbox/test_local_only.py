"""The sandbox stays local: ``serve`` binds to loopback unless told otherwise (and then warns),
and the control routes (/_sandbox/...) answer 403 to any client that is not on loopback, while
the vendor routes answer every client alike (issue 12, point 9)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from sandbox.__main__ import main
from sandbox.server import Sandbox

REMOTE = ("203.0.113.7", 40123)  # TEST-NET-3 (RFC 5737): an address that is never loopback
X_USER = "1460000000000000001"  # config/brands.yaml: maison-lumiere's X account
X_TOKEN = {"Authorization": "Bearer sandbox-x-token"}  # sandbox/credentials.py


def _call(app: Any, client: tuple[str, int], method: str, path: str, **kw: Any) -> httpx.Response:
    """One request to the ASGI app as seen from ``client`` (the scope's ``client``)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
            return await http.request(method, path, **kw)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def app(world: Path) -> Any:
    sandbox = Sandbox(world, faults="")
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_sandbox/health"),
        ("GET", "/_sandbox/manifest"),
        ("GET", "/_sandbox/faults"),
        ("PUT", "/_sandbox/faults"),
        ("POST", "/_sandbox/clock/advance"),
        ("GET", "/_sandbox"),
    ],
)
def test_control_routes_refuse_a_remote_client(app: Any, method: str, path: str) -> None:
    response = _call(app, REMOTE, method, path)
    assert response.status_code == 403, response.text
    assert "loopback" in response.json()["error"]


def test_a_refused_control_call_changes_nothing(app: Any) -> None:
    """The 403 is not cosmetic: the clock a remote client tried to move has not moved."""
    local = ("127.0.0.1", 5000)
    today = _call(app, local, "GET", "/_sandbox/clock").json()["today"]
    faults = _call(app, local, "GET", "/_sandbox/faults").json()
    assert _call(app, REMOTE, "POST", "/_sandbox/clock/advance?days=-3").status_code == 403
    assert _call(app, REMOTE, "PUT", "/_sandbox/faults", content="throttle=1").status_code == 403
    assert _call(app, local, "GET", "/_sandbox/clock").json()["today"] == today
    assert _call(app, local, "GET", "/_sandbox/faults").json() == faults
    # the same call from loopback does take effect: the check above could have seen a change
    moved = _call(app, local, "POST", "/_sandbox/clock/advance?days=-3")
    assert moved.status_code == 200 and moved.json()["today"] != today
    _call(app, local, "POST", "/_sandbox/clock/set", params={"today": today})


@pytest.mark.parametrize("client", [("127.0.0.1", 1), ("127.8.9.10", 2), ("::1", 3)])
def test_control_routes_answer_loopback(app: Any, client: tuple[str, int]) -> None:
    response = _call(app, client, "GET", "/_sandbox/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_vendor_routes_answer_a_remote_client_as_a_local_one(app: Any) -> None:
    """Same status and body from either address: the guard only stands before /_sandbox."""
    path = f"/x/2/users/{X_USER}"
    remote = _call(app, REMOTE, "GET", path, headers=X_TOKEN)
    local = _call(app, ("127.0.0.1", 5000), "GET", path, headers=X_TOKEN)
    assert remote.status_code == local.status_code == 200
    assert remote.json() == local.json()
    assert remote.json()["data"]["id"] == X_USER


def test_a_path_that_only_starts_like_the_control_prefix_is_a_vendor_path(app: Any) -> None:
    """``/_sandboxes`` is not under ``/_sandbox/``: it gets the app's own 404, not the 403."""
    assert _call(app, REMOTE, "GET", "/_sandboxes").status_code == 404


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture()
def served(monkeypatch: pytest.MonkeyPatch) -> list[uvicorn.Config]:
    """``serve`` up to the point where uvicorn would start: the configs it would run."""
    configs: list[uvicorn.Config] = []

    def run(self: uvicorn.Server, *args: Any, **kwargs: Any) -> None:
        configs.append(self.config)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    return configs


def test_serve_binds_to_loopback_by_default(world: Path, served: list) -> None:
    assert main(["serve", "--world", str(world)]) == 0
    assert [c.host for c in served] == ["127.0.0.1"]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serve_refuses_a_non_loopback_host_without_the_flag(
    world: Path, served: list, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--world", str(world), "--host", host])
    assert exit_.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert served == []


def test_serve_on_another_host_with_the_flag_warns(
    world: Path, served: list, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--world", str(world), "--host", "0.0.0.0", "--allow-remote"]) == 0
    assert [c.host for c in served] == ["0.0.0.0"]
    err = capsys.readouterr().err
    assert "WARNING" in err and "0.0.0.0" in err and "/_sandbox" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_serve_accepts_loopback_hosts_without_the_flag(
    world: Path, served: list, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--world", str(world), "--host", host]) == 0
    assert [c.host for c in served] == [host]
    assert "WARNING" not in capsys.readouterr().err
