"""What the dbt step records beside its models: each table's row count, a link to the model's
page of the dbt docs, and the docs site itself (``reports/dbt_docs/``, see ``reports``).

Row counts are not dagster-dbt's ``fetch_row_counts()``: on DuckDB it counts through dbt's
adapter inside the step's own process, and dbt-duckdb keeps that connection open for the
life of the process (measured with dagster-dbt 0.29.27, dbt-duckdb 1.11.1): the file stays
locked after the writer slot is given back, so the docs generation right after it failed with
"Could not set lock on file". Here the counts are read on one read-only connection, opened
after dbt has exited and closed at once, still inside the slot.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from dagster import AssetMaterialization, MetadataValue, Output
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from orchestration.defs.reports import dbt_docs_dir
from orchestration.defs.warehouse import Warehouse

DBT_DOCS_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def build_events(invocation: DbtCliInvocation, warehouse: Warehouse) -> Iterator[Any]:
    """The events of a ``dbt build``, once dbt has exited, each materialised table with its
    row count and every model with its docs link. A failed build still reports the models it
    built, then raises dbt's error."""
    events: list[Any] = []
    error: Exception | None = None
    try:
        events.extend(invocation.stream())
    except Exception as exc:  # dbt's failure, raised once the built models are recorded
        error = exc
    counts = row_counts(events, invocation.manifest, warehouse)
    yield from with_docs_link(_with_counts(events, counts), warehouse)
    if error is not None:
        raise error


def row_counts(
    events: Iterable[Any], manifest: dict[str, Any], warehouse: Warehouse
) -> dict[str, int]:
    """Rows of each table (not view: costly to count) that ``events`` materialised, by the
    node's unique id."""
    relations = {}
    for event in events:
        unique_id = _unique_id(event)
        node = manifest.get("nodes", {}).get(unique_id) if unique_id else None
        if node and node.get("relation_name") and node["config"]["materialized"] != "view":
            relations[unique_id] = node["relation_name"]
    if not relations:
        return {}
    con = warehouse.connect()
    try:
        return {
            uid: con.execute(f"select count(*) from {relation}").fetchone()[0]
            for uid, relation in relations.items()
        }
    finally:
        con.close()


def _unique_id(event: Any) -> str | None:
    if not isinstance(event, Output | AssetMaterialization):
        return None
    value = event.metadata.get("unique_id")
    return value.value if value is not None else None


def _with_counts(events: Iterable[Any], counts: dict[str, int]) -> Iterator[Any]:
    for event in events:
        unique_id = _unique_id(event)
        if unique_id in counts:
            row_count = MetadataValue.int(counts[unique_id])
            event = event.with_metadata({**event.metadata, "dagster/row_count": row_count})
        yield event


def with_docs_link(events: Iterable[Any], warehouse: Warehouse) -> Iterator[Any]:
    """dbt's events, each materialisation linking to its model's page of the dbt docs."""
    page = dbt_docs_dir(warehouse) / "static_index.html"
    for event in events:
        unique_id = _unique_id(event)
        if unique_id is not None:
            anchor = f"#!/{unique_id.split('.')[0]}/{unique_id}"
            docs = {
                "dbt_docs": MetadataValue.url(page.as_uri() + anchor),
                "dbt_docs_path": MetadataValue.path(page),
            }
            event = event.with_metadata({**event.metadata, **docs})
        yield event


def generate_dbt_docs(
    dbt: DbtCliResource,
    warehouse: Warehouse,
    log: Callable[[str], None],
    build: DbtCliInvocation | None = None,
) -> Path | None:
    """``dbt docs generate --static`` into ``reports/dbt_docs/``; its static page, or None
    (logged) if dbt failed: the build's models stand either way. In ``build``'s target folder
    (its parse is reused) without compiling again. The caller holds the writer slot (the
    catalog reads the warehouse)."""
    args = ["docs", "generate", "--static", "--no-compile", *warehouse.dbt_vars()]
    target = build.target_path if build else None
    invocation = dbt.cli(args, raise_on_error=False, target_path=target).wait()
    if not invocation.is_successful():
        log(f"dbt docs generate failed; the previous docs stay:\n{invocation.get_error()}")
        return None
    folder = dbt_docs_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    for name in DBT_DOCS_FILES:
        shutil.copy2(invocation.target_path / name, folder / name)
    log(f"dbt docs written to {folder}")
    return folder / "static_index.html"
