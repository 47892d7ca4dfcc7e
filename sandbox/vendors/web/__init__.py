"""The visits world shared by the GA4 and Matomo emulations (order 90: after the social posts).

It serves no API of its own: ``sandbox.vendors.ga4`` and ``sandbox.vendors.matomo`` read the
same ``web_visits`` / ``web_conversions`` rows, so both tools describe one set of visits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.vendors.web import world


class _NoErrors:
    """No routes, so nothing to fault (``matches`` claims no path)."""

    name = "web"

    def matches(self, path: str) -> bool:
        return False

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        raise NotImplementedError

    def server_error(self, n: int, path: str) -> ErrorResponse:
        raise NotImplementedError

    def token_expired(self, path: str) -> ErrorResponse:
        raise NotImplementedError


@dataclass
class _NoApi:
    errors: Any = field(default_factory=_NoErrors)

    def routes(self) -> list[Any]:
        return []


@dataclass(frozen=True)
class WebVendor:
    name: str = "web"
    order: int = 90
    ddl: str = world.DDL
    table_keys: dict[str, str] = field(default_factory=lambda: dict(world.TABLE_KEYS))

    def generate(self, writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        return world.generate(writer, registry, spec, say)

    def manifest(self, cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
        """Totals only: the per-tool ground truth is in the ga4 and matomo manifests."""
        n, conv = cur.execute(
            "SELECT count(*), (SELECT count(*) FROM web_conversions c "
            "JOIN web_visits v USING (visit_id) WHERE v.visit_date <= ?) "
            "FROM web_visits WHERE visit_date <= ?",
            [today, today],
        ).fetchone()
        return {"visits": n, "conversions": conv}

    def api(self, con: duckdb.DuckDBPyConnection, clock: Any) -> _NoApi:
        return _NoApi()


VENDOR = WebVendor()
