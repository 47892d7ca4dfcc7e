"""Fault injection: one ASGI middleware over every vendor, each fault in the vendor's dialect.

The middleware decides *whether* a request fails (deterministically, from a seed); the vendor's
``VendorErrors`` renderer decides *how* (status, body, headers), so a new vendor only adds a
renderer. Configure with ``SANDBOX_FAULTS``, ``PUT /_sandbox/faults`` or per request with the
``X-Sandbox-Fault`` header, e.g. ``throttle=0.3,server_error=0.1,seed=7``.
``GET /_sandbox/faults/fired`` says how many of each kind were served since the last change.
The paging faults (``short_page``, ``repeat_page``, ``loop_cursor``, ``wrong_type``) act on valid
answers and need no renderer: ``sandbox/paging_faults.py`` (standing configuration only).
``max_fires=N`` bounds each kind to N firings (a burst of 5xx, a page repeated once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

from sandbox.paging_faults import PAGING_KINDS, PageRequest, PagingFaults, shortened

ErrorResponse = tuple[int, dict[str, Any], dict[str, str]]
KINDS = ("throttle", "server_error", "token_expired", "timeout", "corrupt", "reset")
HEADER = "x-sandbox-fault"


@dataclass(frozen=True)
class FaultConfig:
    """Probabilities per fault kind (checked in KINDS order) and their knobs."""

    throttle: float = 0.0
    server_error: float = 0.0
    token_expired: float = 0.0
    timeout: float = 0.0
    corrupt: float = 0.0
    reset: float = 0.0  # the connection drops mid-body (a proxy or peer resetting it)
    seed: int = 0
    timeout_s: float = 30.0  # longer than a sane client timeout; make it short in tests
    throttle_code: int | None = None  # pin one vendor code instead of rotating
    regain_minutes: int = 0  # Meta's estimated_time_to_regain_access
    short_page: float = 0.0  # the paging faults (sandbox/paging_faults.py)
    repeat_page: float = 0.0
    loop_cursor: float = 0.0
    wrong_type: float = 0.0
    max_fires: int = 0  # each kind fires at most this many times (0: no bound)
    skip: int = 0  # the first ``skip`` vendor requests get no error fault (a burst mid-run)

    @classmethod
    def parse(cls, spec: str | None) -> FaultConfig:
        """``"throttle=0.3,server_error=0.1,seed=7"``; a bare kind means probability 1."""
        if not spec or spec.strip().lower() in ("", "none", "off"):
            return cls()
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, _, raw = item.partition("=")
            key = key.strip().replace("-", "_")
            if key not in types:
                raise ValueError(f"unknown fault setting {key!r} (known: {', '.join(types)})")
            if not raw:
                values[key] = 1.0
            elif key in ("seed", "regain_minutes", "throttle_code", "max_fires", "skip"):
                values[key] = int(raw)
            else:
                values[key] = float(raw)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def retry_after(self) -> dict[str, str]:
        """The ``Retry-After`` header of a throttle answer (``regain_minutes`` in seconds)."""
        return {"Retry-After": str(self.regain_minutes * 60)}

    def pick(self, rng: random.Random) -> str | None:
        """The fault for one request, or None."""
        draw, edge = rng.random(), 0.0
        for kind in KINDS:
            edge += getattr(self, kind)
            if draw < edge:
                return kind
        return None


class VendorErrors(Protocol):
    """How one vendor says each fault; ``matches`` claims the vendor's paths."""

    name: str

    def matches(self, path: str) -> bool: ...

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse: ...

    def server_error(self, n: int, path: str) -> ErrorResponse: ...

    def token_expired(self, path: str) -> ErrorResponse: ...


class PathErrors:
    """Base of the vendors' renderers: a vendor claims every path under ``/<name>/``."""

    name: str

    def matches(self, path: str) -> bool:
        return path.startswith(f"/{self.name}/")


class FaultMiddleware:
    """ASGI middleware: picks a fault per vendor request and renders it with the vendor."""

    def __init__(self, app: Any, vendors: list[VendorErrors], config: FaultConfig | None = None):
        self.app = app
        self.vendors = vendors
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the standing configuration and restart its deterministic sequence."""
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._seq = 0
            self._counts = dict.fromkeys(KINDS, 0)
            rates = {kind: getattr(config, kind) for kind in PAGING_KINDS}
            self.paging = PagingFaults(rates, config.seed, config.max_fires)

    def fired(self) -> dict[str, int]:
        """How many times each fault kind was served since the last ``configure`` (standing
        and per-request faults alike): lets a test show the fault it planted really fired."""
        with self._lock:
            return {**self._counts, **self.paging.counts}

    def _decide(self, header: str | None) -> tuple[str | None, int, FaultConfig]:
        with self._lock:
            self._seq += 1
            if header is not None:
                cfg = FaultConfig.parse(header)
                kind = cfg.pick(random.Random(f"{cfg.seed}:{self._seq}"))
            else:
                cfg = self.config
                kind = cfg.pick(self._rng)
            if kind and cfg.max_fires and self._counts[kind] >= cfg.max_fires:
                kind = None
            if header is None and self._seq <= cfg.skip:
                kind = None
            n = 0
            if kind:
                n = self._counts[kind]
                self._counts[kind] += 1
            return kind, n, cfg

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        vendor = next((v for v in self.vendors if v.matches(path)), None)
        if scope["type"] != "http" or vendor is None:
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode() for k, v in scope.get("headers", []) if k == HEADER.encode()), None
        )
        try:
            kind, n, cfg = self._decide(header)
        except ValueError as exc:
            await _send_json(send, 400, {"error": f"bad X-Sandbox-Fault: {exc}"}, {})
            return
        if kind == "throttle":
            await _send_json(send, *vendor.throttle(n, path, cfg))
        elif kind == "server_error":
            await _send_json(send, *vendor.server_error(n, path))
        elif kind == "token_expired":
            await _send_json(send, *vendor.token_expired(path))
        elif kind == "timeout":
            await asyncio.sleep(cfg.timeout_s)
            await self.app(scope, receive, send)
        elif kind == "corrupt":
            await self.app(scope, receive, _truncating(send))
        elif kind == "reset":
            with contextlib.suppress(ConnectionReset):  # uvicorn then closes the connection
                await self.app(scope, receive, _resetting(send))
        elif header is None and self.paging.active():
            await self._paging(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _paging(self, scope: dict, receive: Any, send: Any) -> None:
        """Serve a request under the paging faults: a replayed page, a halved page size, or
        the vendor's answer (noted, and possibly with one field mistyped)."""
        paging = self.paging  # the configuration of this request, even if replaced meanwhile
        body = await _read_body(receive)
        req = PageRequest.of(scope, body)
        kind, replay = paging.choose(req)
        if replay is not None:
            await _send_bytes(send, 200, replay)
            return
        if kind == "short_page":
            scope, body = shortened(scope, req)

        async def deliver(start: dict[str, Any], payload: bytes) -> None:
            if start["status"] == 200:
                payload = paging.served(req, payload)
            await send(_with_length(start, len(payload)))
            await send({"type": "http.response.body", "body": payload})

        await self.app(scope, _replaying(body, receive), _holding(send, deliver))


async def _read_body(receive: Any) -> bytes:
    """The whole request body (the paging faults read its JSON or form parameters)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Any) -> Any:
    """A ``receive`` that hands the app the body already read, then defers to the client."""
    sent = False

    async def wrapped() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _send_json(send: Any, status: int, body: dict[str, Any], headers: dict[str, str]):
    await _send_bytes(send, status, json.dumps(body).encode(), headers)


async def _send_bytes(
    send: Any, status: int, payload: bytes, headers: dict[str, str] | None = None
) -> None:
    raw = [
        (b"content-type", b"application/json; charset=UTF-8"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


Deliver = Callable[[dict[str, Any], bytes], Awaitable[None]]
"""Sends a held response: its ``http.response.start`` message and its whole body."""


def _holding(send: Any, deliver: Deliver) -> Any:
    """A ``send`` that holds the app's response until its body is complete, then hands the
    start message and the body to ``deliver`` (which may send them damaged)."""
    held: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            held["start"] = message
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            await deliver(held["start"], b"".join(chunks))

    return wrapped


def _with_length(start: dict[str, Any], length: int, status: int | None = None) -> dict:
    headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {**start, "headers": headers, "status": status or start["status"]}


def _truncating(send: Any) -> Any:
    """A ``send`` that delivers the first half of the body with status 200 (a corrupt page)."""

    async def deliver(start: dict[str, Any], body: bytes) -> None:
        cut = body[: max(1, len(body) // 2)]
        await send(_with_length(start, len(cut), status=200))
        await send({"type": "http.response.body", "body": cut})

    return _holding(send, deliver)


class ConnectionReset(Exception):
    """Raised mid-response: the server drops the connection after half the promised body."""


def _resetting(send: Any) -> Any:
    """A ``send`` that announces the full body, delivers half, then aborts the connection (the
    client reads fewer bytes than ``Content-Length`` promised: a reset, not a valid answer)."""

    async def deliver(start: dict[str, Any], body: bytes) -> None:
        await send(_with_length(start, len(body)))
        half = body[: len(body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise ConnectionReset("sandbox fault: connection reset mid-body")

    return _holding(send, deliver)
