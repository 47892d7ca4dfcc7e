"""The sandbox served for a benchmark, counting the vendor API requests it answers.

The count is the server's, not the client's: every HTTP request that reaches a vendor route
(anything but the control routes under ``/_sandbox``), whatever client sent it, so the
daily-run ratio is the sandbox's own log, not the benchmark's belief about its sources.

``serve_counted`` serves in a thread of the benchmark's process; ``serve_apart`` in a process of
its own (``python -m benchmarks.bench_sandbox``), as the vendors' APIs are apart from the job in
production: the whole-job benchmark uses it so that the world the sandbox holds is not counted
in the job's memory, nor copied into the run workers it forks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

COUNT_PATH = "/_sandbox/bench/requests"  # the count, for a sandbox served apart


@dataclass
class RequestCounter:
    """ASGI middleware: counts vendor requests, per first path segment (the vendor)."""

    app: Any
    by_vendor: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == COUNT_PATH:
            body = json.dumps({"total": self.total}).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and not scope["path"].startswith("/_sandbox"):
            vendor = scope["path"].strip("/").split("/", 1)[0]
            with self._lock:
                self.by_vendor[vendor] = self.by_vendor.get(vendor, 0) + 1
        await self.app(scope, receive, send)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.by_vendor.values())


@dataclass
class RemoteCount:
    """The request count of a sandbox served apart, read from its counter's route."""

    url: str

    @property
    def total(self) -> int:
        answer = requests.get(f"{self.url}{COUNT_PATH}", timeout=30)
        answer.raise_for_status()
        return int(answer.json()["total"])


@dataclass
class Served:
    """A running sandbox: its base URL and its request counter."""

    url: str
    counter: RequestCounter | RemoteCount

    def clock(self, action: str = "", **params: Any) -> dict[str, str]:
        """Read, ``set`` or ``advance`` the sandbox clock (its control routes)."""
        url = f"{self.url}/_sandbox/clock" + (f"/{action}" if action else "")
        answer = (requests.post if action else requests.get)(url, params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()


@contextlib.contextmanager
def serve_counted(world: Path, today: date | None = None) -> Iterator[Served]:
    """Serve ``world`` on a free loopback port (as ``sandbox.server.run_in_thread`` does),
    with the request counter outside every other layer."""
    import uvicorn

    from sandbox.server import build_app, uvicorn_config

    sandbox = build_app(world, today=today, faults="off")
    counter = RequestCounter(sandbox)
    server = uvicorn.Server(uvicorn_config(counter, "127.0.0.1", 0))
    thread = threading.Thread(target=server.run, name="bench-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the benchmark's sandbox did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(f"http://127.0.0.1:{port}", counter)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sandbox.close()


@contextlib.contextmanager
def serve_apart(world: Path) -> Iterator[Served]:
    """Serve ``world`` as ``serve_counted`` does, in a child process stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        url_file = Path(tmp) / "url"
        command = [sys.executable, "-m", "benchmarks.bench_sandbox",
                   "--world", str(world), "--url-file", str(url_file)]  # fmt: skip
        process = subprocess.Popen(command)
        try:
            deadline = time.monotonic() + 120  # opening a scale world takes a while
            while not url_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark's sandbox process did not start")
                time.sleep(0.1)
            url = url_file.read_text()
            yield Served(url, RemoteCount(url))
        finally:
            process.terminate()
            process.wait(timeout=60)


def point_sources_at(url: str, workdir: Path, registry: Path | None) -> None:
    """This process's sources read the sandbox at ``url`` (dlt reads its configuration from
    the environment), with a token store of their own under ``workdir`` (emptied: a new
    sandbox knows only its initial refresh tokens) and, for a scale world, its registry."""
    from sandbox.credentials import source_env

    if registry is not None:
        os.environ["PULSE_BRANDS"] = str(registry)
    store = workdir / "rotated_tokens.json"
    store.unlink(missing_ok=True)
    os.environ.update(
        source_env(url),
        PULSE_PSEUDONYMISATION_KEY="bench-pseudonymisation-key-0123456789abcdef",
        PULSE_TOKEN_STORE=str(store),
        RUNTIME__DLTHUB_TELEMETRY="false",
        DO_NOT_TRACK="1",
    )


def main() -> None:
    """Serve a world until terminated, writing its URL to ``--url-file`` once it listens."""
    parser = argparse.ArgumentParser(description=serve_apart.__doc__)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--url-file", type=Path, required=True)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with serve_counted(args.world) as served:
        written = args.url_file.with_suffix(".part")
        written.write_text(served.url)
        written.rename(args.url_file)  # whole, or not there
        stop.wait()


if __name__ == "__main__":
    main()
