"""Run the Meta source without Dagster: ``python -m ingestion.meta.pipeline --db data/x.duckdb``.

The Dagster asset builds the same source in its body; this helper is for local runs and tests.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from . import meta_source
from . import settings as s


def run_meta(
    pipeline_name: str = "meta",
    destination_path: str | Path = "data/warehouse.duckdb",
    dataset: str = s.DEFAULT_DATASET,
    *,
    pipelines_dir: str | Path | None = None,
    **source_kwargs: Any,
) -> LoadInfo:
    """Extract and load every Meta resource into ``dataset`` of the DuckDB file; raise on failure.

    ``source_kwargs`` go to :func:`meta_source` (e.g. ``base_url``, ``access_token``).
    """
    Path(destination_path).parent.mkdir(parents=True, exist_ok=True)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=dlt.destinations.duckdb(str(destination_path)),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir) if pipelines_dir else None,
    )
    info = pipeline.run(meta_source(**source_kwargs))
    info.raise_on_failed_jobs()
    return info


def main(argv: list[str] | None = None) -> None:
    """CLI: ``--db``, ``--dataset``, ``--base-url`` (token/key from env or .dlt/secrets.toml)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="data/warehouse.duckdb")
    parser.add_argument("--dataset", default=s.DEFAULT_DATASET)
    parser.add_argument("--pipeline", default="meta")
    parser.add_argument("--base-url", default=None, help="e.g. http://127.0.0.1:8000 (sandbox)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    kwargs = {"base_url": args.base_url} if args.base_url else {}
    print(run_meta(args.pipeline, args.db, args.dataset, **kwargs))


if __name__ == "__main__":
    main()
