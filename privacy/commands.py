"""The two commands, over the warehouse resource (its files and its writer slot), shared by
the command line (``python -m privacy``) and the Dagster job and asset
(``orchestration/defs/privacy.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from privacy.erasure import Erasure, erase_person
from privacy.pseudonyms import person_pseudonyms, platform_named
from privacy.retention import Retention, apply_retention


class WarehouseFiles(Protocol):
    """What the commands need of ``orchestration.defs.warehouse.Warehouse``."""

    file: object
    published_file: object
    pipelines_dir: object

    def slot(self, holder: str, log: Callable[[str], None] | None = None): ...  # noqa: ANN201


def erase(
    warehouse: WarehouseFiles,
    platform: str,
    user_id: str,
    names: list[str],
    run_by: str,
    log: Callable[[str], None] | None = None,
    key: str | None = None,
) -> Erasure:
    """Erase the person (``user_id`` and, hashed in columns of their own, ``names``) of
    ``platform`` under the writer slot."""
    sources = platform_named(platform).sources
    digests = person_pseudonyms(platform, user_id, names, key=key)
    files = (warehouse.file, warehouse.published_file, warehouse.pipelines_dir)
    with warehouse.slot(f"privacy: erase a {platform} user", log):
        return erase_person(files, platform, sources, digests, run_by)


def retention(
    warehouse: WarehouseFiles,
    months: int,
    log: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> Retention:
    """Apply the retention of ``months`` under the writer slot."""
    with warehouse.slot(f"privacy: retention of {months} months", log):
        return apply_retention(
            warehouse.file, warehouse.published_file, warehouse.pipelines_dir, months, now
        )


def describe_erasure(erasure: Erasure) -> str:
    """One line for logs and the terminal: counts only, never the person."""
    tables = ", ".join(f"{name} {rows}" for name, rows in sorted(erasure.rows.items()) if rows)
    files = f"; dlt folders removed: {', '.join(erasure.files)}" if erasure.files else ""
    return f"{erasure.platform}: {erasure.outcome}, {erasure.total} rows ({tables or '-'}){files}"


def describe_retention(report: Retention) -> str:
    changed = ", ".join(f"{name} {rows}" for name, rows in sorted(report.rows.items()) if rows)
    return (
        f"retention before {report.horizon.isoformat()}: {report.total} rows blanked or "
        f"deleted ({changed or '-'}), {report.packages} dlt load packages removed"
    )
