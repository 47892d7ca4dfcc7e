"""The reports a person opens from the Dagster UI, and the one owner of where they live.

Everything goes under ``reports/`` beside the warehouse file (``data/reports/``, the demo's
``data/demo/reports/``, a test's temporary folder), so each warehouse has its own:

- ``reports/gx/<suite>/<time>_<run>.html``: one page per Great Expectations validation
  (``data_quality.html_report``), the newest ``GX_PAGES_KEPT`` per suite;
- ``reports/dbt_docs/``: the dbt docs site of the last dbt build (``dbt_reports``):
  ``static_index.html`` opens from disk; ``index.html`` with its ``manifest.json`` and
  ``catalog.json`` needs a web server (``python -m http.server -d data/reports/dbt_docs``).

The metadata links to them both as a ``file://`` URL and as a path to copy: browsers may
refuse to follow a ``file://`` link from the UI's http page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster import MetadataValue

from data_quality.html_report import render
from data_quality.runner import SuiteResult
from data_quality.spec import Suite
from orchestration.defs.warehouse import Warehouse
from pulse_config.duckdb_resources import connect

GX_PAGES_KEPT = 30
"""Validation pages kept per suite; older ones are removed when a new one is written."""

PREVIEW_ROWS = 5


def reports_dir(warehouse: Warehouse) -> Path:
    """The folder of every report of ``warehouse``."""
    return warehouse.file.parent / "reports"


def dbt_docs_dir(warehouse: Warehouse) -> Path:
    """Where the dbt docs site of ``warehouse`` is written (``dbt_reports``)."""
    return reports_dir(warehouse) / "dbt_docs"


def links(path: Path) -> dict[str, MetadataValue]:
    """Metadata pointing at a report: a link to click and the path to copy."""
    return {"report": MetadataValue.url(path.as_uri()), "report_path": MetadataValue.path(path)}


def write_gx_report(
    warehouse: Warehouse, suite: Suite, result: SuiteResult, run_id: str = ""
) -> Path:
    """Write the page of one validation of ``suite``; keep the newest pages of that suite."""
    now = datetime.now(UTC)
    folder = reports_dir(warehouse) / "gx" / suite.name
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{now:%Y%m%dT%H%M%S%fZ}_{run_id[:8] or 'local'}.html"
    page.write_text(render(suite, result, now, run_id), encoding="utf-8")
    for old in sorted(folder.glob("*.html"))[:-GX_PAGES_KEPT]:  # names sort by time
        old.unlink(missing_ok=True)
    return page


def table_row_counts(warehouse: Warehouse, schema: str, tables: Iterable[str]) -> dict[str, int]:
    """Rows now in each of ``tables`` of ``schema`` (absent tables are left out); the caller
    holds the writer slot."""
    con = warehouse.connect()
    try:
        present = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        }
        return {
            t: con.execute(f'select count(*) from "{schema}"."{t}"').fetchone()[0]
            for t in tables
            if t in present
        }
    finally:
        con.close()


def mart_previews(published_file: Path, schema: str, rows: dict[str, int]) -> dict[str, Any]:
    """Per published mart, its first rows as a Markdown table, headed by its row count."""
    con = connect(published_file, read_only=True)
    try:
        previews = {}
        for table, count in rows.items():
            cursor = con.execute(f'select * from "{schema}"."{table}" limit {PREVIEW_ROWS}')
            columns = [d[0] for d in cursor.description]
            heading = f"**{count:,} rows** (first {min(count, PREVIEW_ROWS)} shown)\n\n"
            previews[f"preview_{table}"] = MetadataValue.md(
                heading + markdown_table(columns, cursor.fetchall())
            )
        return previews
    finally:
        con.close()


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    """A Markdown table, pipes in values escaped."""

    def cell(value: Any) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, columns)) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)
