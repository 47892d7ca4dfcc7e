"""The whole-job benchmark keeps every process's peak even when its run fails or is stopped:
at 50 brands a run lasts more than an hour, and session 17 lost the first build's dbt peak
because the parent only wrote its figures at a successful end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_a_failed_run_still_writes_the_peaks_it_saw(tmp_path: Path) -> None:
    """A world that does not exist fails the child; the error names ``peaks.json``, which holds
    the child (the job process) with a plausible peak."""
    from benchmarks.bench_job import measure_job

    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="peaks.json"):
        measure_job(tmp_path / "no_world.duckdb", out, registry=None)
    peaks = json.loads((out / "peaks.json").read_text())
    job = [p for p in peaks if p["kind"] == "job process (Dagster, DuckDB)"]
    assert len(job) == 1, peaks
    assert 10 < job[0]["peak_mib"] < 4096, job  # a Python process that imported the benchmark
    assert "benchmarks.bench_job" in job[0]["command"]
