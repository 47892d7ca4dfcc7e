"""Dagster definitions, one module per stage: ingestion, transform, quality, publish."""
