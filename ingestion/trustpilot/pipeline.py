"""Run the Trustpilot source without Dagster: ``python -m ingestion.trustpilot.pipeline``.

The Dagster asset builds the same source in its body; this helper is for local runs and tests.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from . import settings as s
from . import trustpilot_source


def run_trustpilot(
    pipeline_name: str = "trustpilot",
    destination_path: str | Path = "data/warehouse.duckdb",
    dataset: str = s.DEFAULT_DATASET,
    *,
    pipelines_dir: str | Path | None = None,
    **source_kwargs: Any,
) -> LoadInfo:
    """Extract and load every Trustpilot resource into ``dataset``; raise on failure."""
    Path(destination_path).parent.mkdir(parents=True, exist_ok=True)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=dlt.destinations.duckdb(str(destination_path)),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir) if pipelines_dir else None,
    )
    info = pipeline.run(trustpilot_source(**source_kwargs))
    info.raise_on_failed_jobs()
    return info


def main(argv: list[str] | None = None) -> None:
    """CLI: ``--db``, ``--dataset``, ``--base-url`` (keys from env or .dlt/secrets.toml)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="data/warehouse.duckdb")
    parser.add_argument("--dataset", default=s.DEFAULT_DATASET)
    parser.add_argument("--pipeline", default="trustpilot")
    parser.add_argument("--base-url", default=None, help="e.g. http://127.0.0.1:8765/trustpilot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    kwargs = {"base_url": args.base_url} if args.base_url else {}
    print(run_trustpilot(args.pipeline, args.db, args.dataset, **kwargs))


if __name__ == "__main__":
    main()
