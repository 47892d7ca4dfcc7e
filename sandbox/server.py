"""One ASGI app for the whole sandbox: vendor APIs, control routes, clock and faults.

``run_in_thread`` serves it with uvicorn in a background thread, for tests and the Dagster
demo; ``python -m sandbox serve`` runs it in the foreground.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from sandbox.clock import Clock
from sandbox.control_guard import ControlGuard
from sandbox.faults import FaultConfig, FaultMiddleware
from sandbox.tokens import TokenBook
from sandbox.vendors import discover
from sandbox.world.manifest import build_manifest
from sandbox.world.store import open_readonly, world_info


class DateHeader:
    """ASGI middleware: every response's ``Date`` is the sandbox clock's now."""

    def __init__(self, app: Any, clock: Clock) -> None:
        self.app, self.clock = app, clock

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", self.clock.http_date().encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, dated)


class Sandbox:
    """The app and its state: read-only world connection, clock, vendors, faults."""

    def __init__(
        self,
        world_path: str | os.PathLike[str],
        today: date | None = None,
        faults: FaultConfig | str | None = None,
    ) -> None:
        self.world_path = Path(world_path)
        self.con = open_readonly(self.world_path)
        cur = self.con.cursor()
        info = world_info(cur)
        cur.close()
        first: date = info["start_date"]
        last = first + timedelta(days=info["days"] + info["horizon"] - 1)
        self.clock = Clock(today or first + timedelta(days=info["days"] - 1), first, last)
        if faults is None:
            faults = os.environ.get("SANDBOX_FAULTS")
        config = faults if isinstance(faults, FaultConfig) else FaultConfig.parse(faults)
        control = [
            Route("/_sandbox/health", self.health),
            Route("/_sandbox/clock", self.clock_get),
            Route("/_sandbox/clock/advance", self.clock_advance, methods=["POST"]),
            Route("/_sandbox/clock/set", self.clock_set, methods=["POST"]),
            Route("/_sandbox/manifest", self.manifest),
            Route("/_sandbox/faults", self.faults_route, methods=["GET", "PUT"]),
            Route("/_sandbox/faults/fired", self.faults_fired),
            Route("/_sandbox/tokens", self.tokens_get),
            Route("/_sandbox/tokens/expire", self.tokens_expire, methods=["POST"]),
            Route("/_sandbox/tokens/reset", self.tokens_reset, methods=["POST"]),
        ]
        self.vendors = {v.name: v.api(self.con, self.clock) for v in discover()}
        mounts = [Mount(f"/{name}", routes=api.routes()) for name, api in self.vendors.items()]
        inner = Starlette(routes=control + mounts)
        errors = [api.errors for api in self.vendors.values()]
        self.faults = FaultMiddleware(inner, errors, config)
        # /_sandbox/... (clock, faults, manifest) answers loopback clients only.
        self.app = ControlGuard(DateHeader(self.faults, self.clock))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def close(self) -> None:
        self.con.close()

    # --- control routes (no vendor, no faults) -----------------------------------------------

    def health(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "world": str(self.world_path),
                "vendors": list(self.vendors),
                "today": self.clock.today.isoformat(),
            }
        )

    def clock_get(self, request: Request) -> JSONResponse:
        return JSONResponse(self.clock.as_dict())

    def clock_advance(self, request: Request) -> JSONResponse:
        try:
            self.clock.advance(int(request.query_params.get("days", 1)))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(self.clock.as_dict())

    def clock_set(self, request: Request) -> JSONResponse:
        try:
            self.clock.set(date.fromisoformat(request.query_params["today"]))
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": f"bad or missing today: {exc}"}, status_code=409)
        return JSONResponse(self.clock.as_dict())

    def manifest(self, request: Request) -> JSONResponse:
        day = request.query_params.get("today")
        return JSONResponse(
            build_manifest(self.con, date.fromisoformat(day) if day else self.clock.today)
        )

    async def faults_route(self, request: Request) -> JSONResponse:
        if request.method == "PUT":
            spec = (await request.body()).decode().strip()
            if spec.startswith("{"):
                spec = ",".join(
                    f"{k}={v}" for k, v in (await request.json()).items() if v is not None
                )
            try:
                self.faults.configure(FaultConfig.parse(spec))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(self.faults.config.as_dict())

    def faults_fired(self, request: Request) -> JSONResponse:
        """How many faults of each kind were served since the last ``PUT /_sandbox/faults``."""
        return JSONResponse(self.faults.fired())

    def token_books(self) -> dict[str, TokenBook]:
        """The vendors that run an authorization server (``token_book``), by name."""
        books = {name: getattr(api, "token_book", None) for name, api in self.vendors.items()}
        return {name: book for name, book in books.items() if isinstance(book, TokenBook)}

    def tokens_get(self, request: Request) -> JSONResponse:
        """Refreshes served and tokens expired, per vendor (tests check "one refresh")."""
        return JSONResponse({name: book.as_dict() for name, book in self.token_books().items()})

    def tokens_expire(self, request: Request) -> JSONResponse:
        """``?vendor=V&token=T&after=N``: T answers N more requests of V, then is expired."""
        q = request.query_params
        book = self.token_books().get(q.get("vendor", ""))
        if book is None or not q.get("token"):
            return JSONResponse({"error": "need vendor (with a token endpoint) and token"}, 400)
        book.expire_after(q["token"], int(q.get("after", 0)))
        return JSONResponse(book.as_dict())

    def tokens_reset(self, request: Request) -> JSONResponse:
        for book in self.token_books().values():
            book.reset()
        return JSONResponse({"status": "ok"})


def ensure_world(world_path: str | os.PathLike[str], progress: bool = True) -> Path:
    """Generate the default world at ``world_path`` unless a store of the current generator
    version is already there (a store from an older generator lacks what the marts now read,
    so it is regenerated rather than served stale)."""
    from sandbox.world.generator import GENERATOR_VERSION, generate

    path = Path(world_path)
    say = (lambda msg: print(msg, flush=True)) if progress else None
    stored = _stored_generator_version(path)
    if stored is not None and stored != GENERATOR_VERSION:
        if say:
            say(f"the sandbox world at {path} is from generator {stored}: regenerating")
        path.unlink()
    if not path.exists():
        if say:
            say(f"generating the sandbox world at {path}")
        totals = generate(path, progress=say)
        if say:
            say(
                f"world ready in {totals['seconds']} s: {totals['posts']} posts, "
                f"{totals['comments']} comments"
            )
    return path


def _stored_generator_version(path: Path) -> str | None:
    """The generator version a world store was written by (None when there is no store)."""
    if not path.exists():
        return None
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("select generator_version from world").fetchone()
    return row[0] if row else None


def build_app(
    world_path: str | os.PathLike[str],
    today: date | None = None,
    faults: FaultConfig | str | None = None,
) -> Sandbox:
    """The ASGI app over a world store (faults default to ``SANDBOX_FAULTS``)."""
    return Sandbox(world_path, today=today, faults=faults)


def uvicorn_config(app: Any, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    """Uvicorn settings: no Date/Server headers of its own (the clock's Date wins)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        date_header=False,
        server_header=False,
        access_log=False,
        timeout_graceful_shutdown=1,
    )


@contextlib.contextmanager
def run_in_thread(
    world_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 0,
    today: date | str | None = None,
    faults: FaultConfig | str | None = None,
) -> Iterator[str]:
    """Serve the sandbox in a background thread; yields the base URL (``http://host:port``)."""
    if isinstance(today, str):
        today = date.fromisoformat(today)
    sandbox = build_app(world_path, today=today, faults=faults)
    server = uvicorn.Server(uvicorn_config(sandbox, host, port))
    thread = threading.Thread(target=server.run, name="sandbox-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"sandbox server did not start on {host}:{port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sandbox.close()
