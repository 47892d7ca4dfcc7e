"""The visits world shared by the GA4 and Matomo emulations (order 90: after the social posts).

It serves no API of its own: ``sandbox.vendors.ga4`` and ``sandbox.vendors.matomo`` read the
same ``web_visits`` / ``web_conversions`` rows, so both tools describe one set of visits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.vendors.plugin import Plugin
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


def _manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """Totals only: the per-tool ground truth is in the ga4 and matomo manifests."""
    n, conv = cur.execute(
        "SELECT count(*), (SELECT count(*) FROM web_conversions c "
        "JOIN web_visits v USING (visit_id) WHERE v.visit_date <= ?) "
        "FROM web_visits WHERE visit_date <= ?",
        [today, today],
    ).fetchone()
    return {"visits": n, "conversions": conv}


def tool_sites(cur: duckdb.DuckDBPyConnection, id_column: str) -> list[tuple[str, str]]:
    """(tool id, brand id) of the sites a tool (GA4 property, Matomo site) tracks, by id."""
    return cur.execute(
        f"SELECT {id_column}, brand_id FROM web_sites WHERE {id_column} IS NOT NULL "
        f"ORDER BY {id_column}"
    ).fetchall()


def tool_generate(
    id_column: str, sites: str, visits: str
) -> Callable[[Any, Any, Any, Any], dict[str, int]]:
    """The ``generate`` of a tool over this world: nothing to write, report what it serves."""

    def generate(writer: Any, registry: Any, spec: Any, say: Any) -> dict[str, int]:
        n, m = writer.con.execute(
            f"SELECT count(DISTINCT s.{id_column}), count(v.visit_id) FROM web_sites s "
            f"LEFT JOIN web_visits v USING (brand_id) WHERE s.{id_column} IS NOT NULL"
        ).fetchone()
        say(f"    {n} {sites}, {m} {visits}")
        return {sites: int(n), visits: int(m)}

    return generate


VENDOR = Plugin(
    name="web",
    order=90,
    generate=world.generate,
    manifest=_manifest,
    api=lambda con, clock: _NoApi(),
    ddl=world.DDL,
    table_keys=dict(world.TABLE_KEYS),
)
