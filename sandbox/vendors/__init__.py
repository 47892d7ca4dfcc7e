"""Vendor plug-ins: each API the sandbox emulates is one package here (Meta included).

A vendor package ``sandbox/vendors/<name>/`` exposes ``VENDOR``, an object with:

- ``name``: the vendor's name; its API is served under ``/<name>`` (so the dlt source's base URL
  is ``http://127.0.0.1:PORT/<name>`` in the sandbox and the real host in production);
- ``order``: when its world is generated (Meta 0, other social 10, reviews 20, web analytics
  90: web visits link to the posts generated before them);
- ``ddl``: ``CREATE TABLE`` statements of its world tables; ``table_keys``: table -> ORDER BY
  key, so the world hash covers them;
- ``generate(writer, registry, spec, say) -> dict[str, int]``: write its world (deterministic
  from ``spec.seed``), return counts;
- ``manifest(cur, today) -> dict``: the ground truth a complete load must hold as of ``today``;
- ``api(con, clock) -> VendorApi``: ``routes()`` (Starlette routes, paths relative to
  ``/<name>``) and ``errors`` (the fault renderer, see ``sandbox.faults.VendorErrors``).

Packages are discovered, so adding a vendor touches no shared file.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from datetime import date
from typing import Any, Protocol

import duckdb


class VendorApi(Protocol):
    errors: Any

    def routes(self) -> list[Any]: ...


class Vendor(Protocol):
    name: str
    order: int
    ddl: str
    table_keys: dict[str, str]

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]: ...

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]: ...

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> VendorApi: ...


def discover() -> list[Vendor]:
    """Every vendor package under ``sandbox.vendors``, in generation order then name.

    ``SANDBOX_VENDORS`` (a comma list, or ``none``) limits the sandbox to some vendors, e.g. to
    work on one source without generating and serving the others; Meta is always kept, since
    the web visits and the cross-vendor truths read its posts.
    """
    wanted = os.environ.get("SANDBOX_VENDORS", "").strip()
    names = None if not wanted else {n.strip() for n in wanted.split(",")} - {"none"} | {"meta"}
    found = []
    for info in pkgutil.iter_modules(__path__):
        if names is not None and info.name not in names:
            continue
        if info.ispkg:
            module = importlib.import_module(f"{__name__}.{info.name}")
            vendor = getattr(module, "VENDOR", None)
            if vendor is not None:
                found.append(vendor)
    return sorted(found, key=lambda v: (v.order, v.name))
