"""The dbt project the Dagster assets are built from, and the preparation of its manifest.

The manifest is prepared (``dbt parse``, as ``DbtProject.preparer.prepare`` does) before the
definitions load: under ``dagster dev`` by ``dbt_project`` itself (``prepare_if_dev``), by the
demo before its runs, by the test session's start for the tests. Kept apart from
``defs/transform.py``, whose import already needs the manifest.

The parse gets the same ``--vars`` as the builds (the warehouse file, ``Warehouse.dbt_vars``):
dbt keeps its partial parse only while those are unchanged, and the nodes' database is the
file's name, so a manifest parsed for another file is parsed again, never reused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.defs.warehouse import Warehouse, warehouse_from_env
from orchestration.settings import DBT_PROJECT_DIR, dbt_executable

PARTIAL_PARSE = "partial_parse.msgpack"


def _project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@cache
def dbt_project() -> DbtProject:
    """The project, its manifest prepared if ``dagster dev`` runs (``DbtProject.prepare_if_dev``
    with this virtualenv's dbt: dagster-dbt's own preparer looks for ``dbt`` on PATH, which
    ``make`` does not activate); a clear error without one."""
    project = _project()
    if project.preparer.using_dagster_dev():
        prepare()
    if not project.manifest_path.exists():
        raise FileNotFoundError(
            f"no dbt manifest at {project.manifest_path}: run `make demo` or `make ui`, or "
            "`cd dbt_project && dbt parse --profiles-dir .` before loading the definitions"
        )
    return project


def dbt_cli() -> DbtCliResource:
    """The dbt CLI resource, pinned to this virtualenv's ``dbt`` (which need not be on PATH)."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )


def prepare(warehouse: Warehouse | None = None) -> None:
    """Parse the project now (``dbt parse``), whatever the manifest's age: what
    ``DbtProject.preparer.prepare`` does, with this virtualenv's dbt, for ``warehouse``
    (default: the one the environment names)."""
    warehouse = warehouse or warehouse_from_env()
    args = ["parse", "--quiet", *warehouse.dbt_vars()]
    target = DBT_PROJECT_DIR / _project().target_path  # dbt reads a relative one from there
    target.mkdir(parents=True, exist_ok=True)
    # Parsed beside the target and swapped in with os.replace: another process loading the
    # definitions meanwhile reads the old manifest or the new one, never half a file.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".parse-") as scratch:
        if (target / PARTIAL_PARSE).exists():
            shutil.copy2(target / PARTIAL_PARSE, Path(scratch) / PARTIAL_PARSE)
        dbt_cli().cli(args, target_path=Path(scratch)).wait()
        for name in (PARTIAL_PARSE, "manifest.json"):
            if (Path(scratch) / name).exists():
                os.replace(Path(scratch) / name, target / name)
