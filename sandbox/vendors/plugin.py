"""The ``VENDOR`` object every vendor package exposes, built from the package's functions.

Each vendor used to write its own class forwarding ``generate``/``manifest``/``api`` to module
functions; one frozen dataclass does that for all of them (see ``sandbox.vendors.Vendor``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb


@dataclass(frozen=True)
class Plugin:
    """A vendor plug-in: its name, generation order, world tables and three entry points.

    ``generate(writer, registry, spec, say)``, ``manifest(cur, today)`` and ``api(con, clock)``
    are plain functions stored as fields, so ``VENDOR.generate(...)`` calls them directly.
    """

    name: str
    order: int
    generate: Callable[[Any, Any, Any, Any], dict[str, int]]
    manifest: Callable[[duckdb.DuckDBPyConnection, date], dict[str, Any]]
    api: Callable[[duckdb.DuckDBPyConnection, Any], Any]
    ddl: str = ""
    table_keys: dict[str, str] = field(default_factory=dict)
