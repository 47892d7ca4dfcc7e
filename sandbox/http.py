"""HTTP plumbing every emulated API repeats: tokens, Bearer headers, opaque page tokens.

Only the mechanics live here; what a vendor answers (bodies, codes, messages) stays in the
vendor, so each API keeps its own dialect while parsing requests the same way.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from starlette.requests import Request


def token_set(given: str | None, env: str, default: str) -> set[str]:
    """The accepted tokens: ``given``, else ``$env``, else ``default`` (a comma list)."""
    raw = given or os.environ.get(env) or default
    return {t.strip() for t in raw.split(",") if t.strip()}


def bearer_token(request: Request, schemes: tuple[str, ...] = ("bearer ",)) -> str:
    """The credential of ``Authorization: Bearer <token>`` ("" when absent or another scheme)."""
    header = request.headers.get("authorization", "")
    return header.split(" ", 1)[1].strip() if header.lower().startswith(schemes) else ""


def b64_json(value: Any, compact: bool = False) -> str:
    """``value`` as unpadded URL-safe base64 JSON: an opaque page token or cursor."""
    separators = (",", ":") if compact else None
    raw = json.dumps(value, separators=separators).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64_json_load(token: str) -> Any:
    """The value of a ``b64_json`` token; raises ``ValueError`` (or ``TypeError``) if broken."""
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
