"""The dbt project the Dagster assets are built from, and the preparation of its manifest.

The manifest is prepared before the definitions load: under ``dagster dev`` (as
``DbtProject.prepare_if_dev`` does), by ``make`` for the demo and the UI (a target rebuilt when
a dbt file changes), by the test session's start for the tests (``prepare``). Kept apart from
``defs/transform.py``, whose import already needs the manifest.
"""

from __future__ import annotations

from functools import cache

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR, dbt_executable, warehouse_path


def _project() -> DbtProject:
    warehouse_path()  # exports PULSE_WAREHOUSE for the profile
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


def prepare() -> None:
    """Parse the project now (``dbt parse``), whatever the manifest's age: what
    ``DbtProject.preparer.prepare`` does, with this virtualenv's dbt."""
    project = _project()
    dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
