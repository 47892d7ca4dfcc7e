"""The sandbox's control routes answer only on loopback.

``/_sandbox/...`` moves the clock, plants faults and serves the ground-truth manifest: anyone
who reaches them can change what every source and test sees. The vendor routes may be served
to a network on purpose (``python -m sandbox serve --host 0.0.0.0 --allow-remote``); the
control routes never are: a client whose address is not loopback gets 403.

The address is the ASGI ``scope["client"]``, the peer of the TCP connection (uvicorn rewrites
it from ``X-Forwarded-For`` only for proxies it trusts, loopback by default). A scope without a
client (e.g. a Unix socket) is refused too: the guard fails closed.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

CONTROL_PREFIX = "/_sandbox"


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped, ``::ffff:127.0.0.1``) and ``localhost``."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def is_control(path: str) -> bool:
    """Whether ``path`` is one of the control routes (``/_sandbox`` or below it)."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


class ControlGuard:
    """ASGI middleware: 403 on the control routes unless the client is on loopback."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_control(scope.get("path", "")):
            client = scope.get("client")
            if not is_loopback(client[0] if client else None):
                await _forbidden(send)
                return
        await self.app(scope, receive, send)


async def _forbidden(send: Any) -> None:
    body = json.dumps(
        {"error": "the sandbox's control routes answer only on loopback (127.0.0.1, ::1)"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
