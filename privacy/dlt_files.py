"""dlt's local files that hold rows: the load packages beside each pipeline's state.

dlt keeps every package it loaded under ``<pipelines_dir>/<pipeline>/load/loaded/<load_id>/``
(parquet, insert_values, jsonl job files: the rows as loaded, comment text included), and
packages not yet loaded under ``load/new``, ``load/normalized`` and ``normalize``. The state
(``state.json``, also stored in the warehouse's ``_dlt_pipeline_state``) holds cursors keyed by
brand accounts and dates, no person (checked on every source's state in the demo).

Erasure removes a source's whole local pipeline folder: dlt restores the state from the
warehouse on the next run (the Dagster asset drops the folder at every run anyway), and a
package that was never loaded committed no state, so its rows are extracted again, filtered by
the erasure list. Retention removes loaded packages older than the horizon.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path


def pipeline_folders(pipelines_dir: Path, datasets: tuple[str, ...]) -> list[Path]:
    """The pipeline folders whose state says they load one of ``datasets``."""
    folders = []
    for state in sorted(Path(pipelines_dir).glob("*/state.json")):
        try:
            dataset = json.loads(state.read_text()).get("dataset_name")
        except (OSError, ValueError):
            continue
        if dataset in datasets:
            folders.append(state.parent)
    return folders


def remove_pipelines(pipelines_dir: Path, datasets: tuple[str, ...]) -> list[str]:
    """Delete the local folders of the pipelines loading ``datasets``; their names."""
    removed = []
    for folder in pipeline_folders(pipelines_dir, datasets):
        shutil.rmtree(folder)
        removed.append(folder.name)
    return removed


def remove_loaded_before(pipelines_dir: Path, horizon: datetime) -> int:
    """Delete loaded packages whose load id (a Unix time) is older than ``horizon``."""
    removed = 0
    for package in Path(pipelines_dir).glob("*/load/loaded/*"):
        try:
            loaded_at = float(package.name)
        except ValueError:
            continue
        if loaded_at < horizon.timestamp():
            shutil.rmtree(package)
            removed += 1
    return removed
