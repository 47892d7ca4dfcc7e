"""Run one source without Dagster: ``python -m ingestion.run <source> --db data/x.duckdb``.

The Dagster asset builds the same source in its body; this runner is for local runs and tests.
The DuckDB file is always given (``--db``): the runner has no default warehouse of its own,
so it never writes to the pipeline's warehouse by accident.
Sources are looked up by name in ``ingestion.catalogue.SOURCES`` (the one list of sources),
so a new source needs no runner of its own. Tokens and keys come from the environment or
``.dlt/secrets.toml``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from ingestion import catalogue
from ingestion.catalogue import source_named


def run_source(
    name: str,
    destination_path: str | Path,
    dataset: str | None = None,
    *,
    pipeline_name: str | None = None,
    pipelines_dir: str | Path | None = None,
    **source_kwargs: Any,
) -> LoadInfo:
    """Extract and load every resource of source ``name`` into ``dataset`` (default
    ``raw_<name>``) of the DuckDB file; raise on failure.

    ``source_kwargs`` go to the source factory (e.g. ``base_url``, ``access_token``).
    """
    source = source_named(name)
    Path(destination_path).parent.mkdir(parents=True, exist_ok=True)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name or source.name,
        destination=dlt.destinations.duckdb(str(destination_path)),
        dataset_name=dataset or source.dataset,
        pipelines_dir=str(pipelines_dir) if pipelines_dir else None,
    )
    info = pipeline.run(source.factory(**source_kwargs))
    info.raise_on_failed_jobs()
    return info


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
    print(run_source(args.source, args.db, args.dataset, pipeline_name=args.pipeline, **kwargs))


if __name__ == "__main__":
    main()
