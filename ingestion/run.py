"""Run one source without Dagster: ``python -m ingestion.run <source> --db data/x.duckdb``.

The Dagster asset builds the same source in its body; this runner is for local runs and tests.
The DuckDB file is always given (``--db``): the runner has no default warehouse of its own,
so it never writes to the pipeline's warehouse by accident. Like every load, it first checks
that the file serves its environment (``pulse_config.environments``: a base URL on loopback is
the sandbox), and keeps dlt's state beside the file, never in dlt's shared ``~/.dlt``.
Sources are looked up by name in ``ingestion.catalogue.SOURCES`` (the one list of sources),
so a new source needs no runner of its own. Tokens and keys come from the environment or
``.dlt/secrets.toml``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from ingestion import catalogue
from ingestion.catalogue import source_named
from ingestion.lake import lake_source, raw_destination
from ingestion.windows import RunLimits, WindowFailed, limits_of, run_in_windows
from privacy.erasure_list import honour_erasures
from pulse_config.environments import Environment, WrongEnvironment, check_warehouse, environment_of
from pulse_config.paths import dlt_state_beside


def run_source(
    name: str,
    destination_path: str | Path,
    dataset: str | None = None,
    *,
    pipeline_name: str | None = None,
    pipelines_dir: str | Path | None = None,
    environment: Environment | None = None,
    limits: RunLimits | None = None,
    **source_kwargs: Any,
) -> LoadInfo:
    """Extract and load every resource of source ``name`` into ``dataset`` (default
    ``raw_<name>``) of the DuckDB file; raise on failure.

    ``source_kwargs`` go to the source factory (e.g. ``base_url``, ``access_token``).
    ``environment`` (default: the sandbox if the process or ``base_url`` points at it) must
    be the file's own, else ``WrongEnvironment`` before anything is loaded. ``limits``
    (default: ``[sources.<name>]`` of the configuration) sets the backfill window and the run
    deadline; a failed window raises ``WindowFailed`` naming it. Returns the last window's
    LoadInfo.
    """
    source = source_named(name)
    environment = environment or environment_of(os.environ, [source_kwargs.get("base_url")])
    check_warehouse(Path(destination_path), environment)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name or source.name,
        destination=raw_destination(Path(destination_path)),  # DuckDB, or PULSE_LAKE_URL
        dataset_name=dataset or source.dataset,
        pipelines_dir=str(pipelines_dir or dlt_state_beside(Path(destination_path))),
    )

    def run_window(resources: set[str] | None) -> LoadInfo:
        dlt_source = source.factory(**source_kwargs)
        if resources:
            dlt_source = dlt_source.with_resources(*resources)
        # Rows of people on the erasure list never load again (privacy/erasure_list.py).
        dlt_source = honour_erasures(dlt_source, name, Path(destination_path))
        dlt_source = lake_source(dlt_source)  # Delta tables merged by upsert on a lake
        info = pipeline.run(dlt_source)
        info.raise_on_failed_jobs()
        return info

    # A long backfill loads in windows, each committing its cursors (ingestion/windows.py).
    return run_in_windows(name, run_window, limits or limits_of(name))[-1]


def main(argv: list[str] | None = None) -> None:
    """CLI: ``<source>``, ``--db``, ``--dataset``, ``--pipeline``, ``--base-url``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", choices=[s.name for s in catalogue.SOURCES])
    parser.add_argument("--db", required=True, help="the DuckDB file to load into")
    parser.add_argument("--dataset", default=None, help="default: raw_<source>")
    parser.add_argument("--pipeline", default=None, help="default: the source name")
    parser.add_argument(
        "--base-url", default=None, help="e.g. http://127.0.0.1:8765/<source> (sandbox)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    kwargs = {"base_url": args.base_url} if args.base_url else {}
    try:
        info = run_source(args.source, args.db, args.dataset, pipeline_name=args.pipeline, **kwargs)
    except (WrongEnvironment, WindowFailed) as exc:
        sys.exit(f"error: {exc}")
    print(info)


if __name__ == "__main__":
    main()
