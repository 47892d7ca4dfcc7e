"""``dbt build`` timed per layer: a full refresh after the backfill, an incremental build after
the next day's loads.

dbt writes every node's execution time in ``target/run_results.json``; the layer of a model is
the folder under ``models/`` its manifest entry names (staging, intermediate, marts...), data
tests form one group of their own. The build is the daily job's (``PRODUCTION_BUILD``: no unit
tests, which CI runs). Before each build the text-sentiment step runs,
as in the daily job (dbt reads its table as a source).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.bench_memory import TreeSampler
from benchmarks.bench_steal import StealMeter
from orchestration.settings import PRODUCTION_BUILD

PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"


def enrich(warehouse_file: Path) -> float:
    """The text-sentiment step (``enrichment.store``); its seconds."""
    import duckdb

    from enrichment.store import refresh_text_sentiment

    started = time.perf_counter()
    con = duckdb.connect(str(warehouse_file))
    try:
        refresh_text_sentiment(con)
    finally:
        con.close()
    return time.perf_counter() - started


def dbt_command(warehouse: Any, target: Path, *verb: str) -> list[str]:
    """A dbt command of this virtualenv on the project, writing into ``target``."""
    dbt = Path(sys.executable).parent / "dbt"
    return [str(dbt), *verb, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
            "--target-path", str(target), "--quiet", *warehouse.dbt_vars()]  # fmt: skip


def parse(warehouse: Any, target: Path) -> float:
    """``dbt parse`` into ``target`` (a full parse: a new target, vars naming a new file), so
    both builds then parse partially, as the daily job's do; its seconds."""
    started = time.perf_counter()
    subprocess.run(dbt_command(warehouse, target, "parse"), check=True)
    return time.perf_counter() - started


def build(
    warehouse: Any, target: Path, full_refresh: bool, select: str | None = None
) -> dict[str, Any]:
    """One ``dbt build`` (``--full-refresh`` or incremental) of ``select`` (default: the whole
    project; no unit tests, as in the daily job) into ``warehouse``: wall seconds, dbt's
    peak memory, per-layer seconds, the ten slowest models, and the data tests that failed.
    A failed data test is reported, not raised: the build's time is still measured (the
    benchmark is not the test suite); any other failure (a model's error) raises."""
    enrich_s = enrich(warehouse.file)
    command = [
        *dbt_command(warehouse, target, *PRODUCTION_BUILD),  # the daily job's build
        *(["--full-refresh"] if full_refresh else []),
        *(["--select", *select.split()] if select else []),
    ]
    results_file = target / "run_results.json"
    results_file.unlink(missing_ok=True)  # a crash must not leave the last build's results
    steal = StealMeter()
    started = time.perf_counter()
    process = subprocess.Popen(command)
    sampler = TreeSampler(process.pid).start()
    code = process.wait()
    peaks = sampler.stop()
    seconds = time.perf_counter() - started
    results = json.loads(results_file.read_text()) if results_file.exists() else {"results": []}
    failed_tests = [r["unique_id"] for r in results["results"] if r["status"] == "fail"]
    errors = [r["unique_id"] for r in results["results"] if r["status"] == "error"]
    if code != 0 and (errors or not failed_tests):
        raise RuntimeError(f"dbt build failed ({code}, errors: {errors}): {' '.join(command)}")
    layers, slowest = per_layer(results, json.loads((target / "manifest.json").read_text()))
    return {
        "full_refresh": full_refresh,
        "seconds": seconds,
        "enrichment_seconds": enrich_s,
        "dbt_elapsed_seconds": results.get("elapsed_time", 0.0),
        "nodes": len(results["results"]),
        "failed_tests": failed_tests,
        "cpu_steal_share": steal.share(),
        "peak_mib": max((p.peak_mib for p in peaks), default=0.0),
        "layers": layers,
        "slowest_models": slowest,
    }


def per_layer(
    results: dict[str, Any], manifest: dict[str, Any]
) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """Seconds and node count per layer (node execution times summed: with two dbt threads
    their sum exceeds the wall time), and the ten slowest models."""
    layers: dict[str, dict[str, float]] = defaultdict(lambda: {"seconds": 0.0, "nodes": 0})
    models = []
    for result in results["results"]:
        uid, seconds = result["unique_id"], float(result["execution_time"])
        layer = layer_of(uid, manifest)
        layers[layer]["seconds"] += seconds
        layers[layer]["nodes"] += 1
        if uid.startswith("model."):
            models.append({"model": uid.split(".")[-1], "layer": layer, "seconds": seconds})
    models.sort(key=lambda m: m["seconds"], reverse=True)
    return dict(layers), models[:10]


def layer_of(unique_id: str, manifest: dict[str, Any]) -> str:
    """``staging``, ``intermediate``, ``marts``... for a model or seed (the folder under
    ``models/``), ``tests`` for data and unit tests."""
    kind = unique_id.split(".", 1)[0]
    if kind in ("test", "unit_test"):
        return "tests"
    if kind != "model":
        return kind  # seed, snapshot
    fqn = manifest["nodes"].get(unique_id, {}).get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"
