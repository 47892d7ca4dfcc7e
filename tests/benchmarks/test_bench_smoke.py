"""``make bench`` cannot rot: its harness runs here on the tests' 40-day world.

The default run measures the sources (end to end, from files, DuckDB's read_json) and the
next day's run; its request figures are checked against requests counted here, on the client,
independently of the sandbox's counter the harness reads. The long run adds the dbt builds and
the Dagster job (every section of ``bench.json``).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.sources.support import TODAY

SOURCES = ("tiktok", "trustpilot")


@contextmanager
def requests_by_day() -> Iterator[Counter]:
    """Vendor requests this process sends to a loopback sandbox, by the sandbox day its
    answer is dated (the ``Date`` header is the sandbox clock's)."""
    seen: Counter = Counter()
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        answer = original(self, request, **kwargs)
        url = request.url or ""
        if url.startswith("http://127.0.0.1:") and "/_sandbox/" not in url:
            seen[parsedate_to_datetime(answer.headers["Date"]).date()] += 1
        return answer

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _own_environment() -> Iterator[None]:
    """The harness points this process's sources at its sandbox through ``os.environ``, as a
    benchmark run should; the tests this worker runs next must not inherit that (they would
    read the sandbox's loopback URLs as a sandbox environment)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def run_bench(world: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    from benchmarks.bench import main

    results = tmp_path / "results"
    main(["--smoke", "--world-file", str(world), "--runs", "1", "--out", str(tmp_path / "out"),
          "--results", str(results), *extra])  # fmt: skip
    assert (results / "bench.md").read_text().startswith("# make bench")
    return json.loads((results / "bench.json").read_text())


def test_sources_and_next_day_measured_and_counted(world: Path, tmp_path: Path) -> None:
    import duckdb

    with requests_by_day() as seen:
        bench = run_bench(world, tmp_path, "--no-dbt", "--no-job")
    daily, ingest = bench["daily"], bench["ingest"]["per_source"]
    assert set(daily["per_source"]) == set(ingest) == set(SOURCES)
    for name in SOURCES:
        first = daily["per_source"][name]["backfill"]
        assert first["seconds"] > 0 and first["requests"] > 0 and first["records"] > 0
        figures = ingest[name]
        assert figures["api_records"] == figures["native_records"] > 0
        assert figures["replay_rate"] > 0 and figures["native_rate"] > 0
        assert figures["replay_misses"] == 0
    # The backfill day (TODAY - 1) saw the backfill and the recording of its pages; the last
    # day saw the next day's run only. Counted here, on the client.
    pages = sum(ingest[name]["pages"] for name in SOURCES)
    backfill = seen[TODAY - timedelta(days=1)] - pages
    assert backfill == daily["backfill_requests"]
    assert seen[TODAY] == daily["daily_requests"] > 0
    assert daily["requests_ratio"] == pytest.approx(seen[TODAY] / backfill)
    # dlt's fixed cost was measured in the run's warehouse, and its dataset dropped there.
    assert daily["dlt_floor_seconds"] > 0 and daily["dlt_floor_share"] > 0
    with duckdb.connect(str(tmp_path / "out" / "run0" / "warehouse.duckdb")) as con:
        schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "raw_tiktok" in schemas and "bench_dlt_floor" not in schemas


@pytest.mark.long
@pytest.mark.timeout(2400)  # a whole Dagster job and two dbt builds: ~15 min on a busy machine
def test_every_section_on_a_small_world(world: Path, tmp_path: Path) -> None:
    bench = run_bench(world, tmp_path, "--job")
    dbt, job = bench["dbt"], bench["job"]
    for build in (dbt["full"], dbt["incremental"]):
        assert build["seconds"] > 0 and build["peak_mib"] > 0 and build["slowest_models"]
        assert sum(layer["nodes"] for layer in build["layers"].values()) == build["nodes"]
        assert {"staging", "tests"} <= set(build["layers"])
    assert dbt["ratio"] == pytest.approx(dbt["incremental"]["seconds"] / dbt["full"]["seconds"])
    assert job["daily_build"]["ok"] and job["first_build"]["ok"]
    assert job["daily_build"]["steps"]["dbt"] > 0 and job["daily_build"]["steps"]["gx_marts"] > 0
    assert 0 < job["gx_share"] < 1
    kinds = {p["kind"] for p in job["processes"]}
    assert {"job process (Dagster, DuckDB)", "dbt (DuckDB inside)",
            "sandbox (the vendor APIs)"} <= kinds  # fmt: skip
    assert all(p["peak_mib"] > 0 for p in job["processes"])


def test_a_sandbox_served_apart_counts_what_it_answers(world: Path) -> None:
    """The whole-job benchmark serves the world from a process of its own, so that the job's
    memory is the job's: its count of vendor requests is still the client's, and the process
    is gone when the benchmark ends."""
    from benchmarks.bench_memory import TreeSampler, kind
    from benchmarks.bench_sandbox import serve_apart

    def sandbox_processes() -> list[int]:
        """This process's descendants the job benchmark's sampler labels as the sandbox."""
        sampler = TreeSampler(os.getpid())
        sampler.sample()
        labels = {pid: kind(peak, os.getpid()) for pid, peak in sampler.peaks.items()}
        return [pid for pid, label in labels.items() if label == "sandbox (the vendor APIs)"]

    with requests_by_day() as seen, serve_apart(world) as served:
        assert len(sandbox_processes()) == 1
        assert served.clock()["today"] == TODAY.isoformat()  # control routes: not counted
        for path in ("/v1/business-units/find", "/nowhere", "/nowhere"):
            requests.Session().get(f"{served.url}{path}", timeout=30)
        assert served.counter.total == sum(seen.values()) == 3
    assert sandbox_processes() == []


def test_scale_steps_backfill_source_by_source(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scale_steps backfill`` loads the named sources on the world's last day - 1 into one
    folder, a second call adding sources to the same warehouse, each call's figures kept;
    ``rebuild`` then asks for a full refresh and an incremental build of that warehouse (the
    builds themselves: the long test above)."""
    import duckdb

    from benchmarks import bench_dbt
    from benchmarks.scale_steps import main
    from pulse_config.registry import DEFAULT_REGISTRY_PATH

    folder = tmp_path / "steps"
    common = ["--world", str(world), "--registry", str(DEFAULT_REGISTRY_PATH),
              "--folder", str(folder)]  # fmt: skip
    with requests_by_day() as seen:
        main([*common, "backfill", "trustpilot"])
        main([*common, "backfill", "tiktok"])
    steps = json.loads((folder / "steps.json").read_text())
    assert set(steps) == {"backfill trustpilot", "backfill tiktok"}
    sent = sum(load["requests"] for step in steps.values() for load in step["loads"])
    assert sent == sum(seen.values()) > 0  # the sandbox's count is the client's
    assert set(seen) == {TODAY - timedelta(days=1)}  # the day before the world's last
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        names = con.execute("select schema_name from duckdb_schemas()").fetchall()
    schemas = {r[0] for r in names}
    assert {"raw_trustpilot", "raw_tiktok"} <= schemas

    asked: list[tuple[Path, bool]] = []
    monkeypatch.setattr(bench_dbt, "build", lambda wh, target, full: asked.append((wh.file, full)))
    main([*common, "rebuild"])
    assert asked == [(folder / "warehouse.duckdb", True), (folder / "warehouse.duckdb", False)]
    steps = json.loads((folder / "steps.json").read_text())
    assert set(steps["rebuild"]) == {"full", "incremental"}

    from types import SimpleNamespace

    from data_quality import runner
    from data_quality.suites import ALL_SUITES

    checked: list[tuple[str, str]] = []

    def validate(suite: Any, connect: Any) -> SimpleNamespace:
        with connect() as con:  # the folder's warehouse, under the job's DuckDB settings
            (file,) = con.execute(
                "select path from duckdb_databases() where internal = false"
            ).fetchone()
            checked.append((suite.name, file))
        return SimpleNamespace(success=True, rows=0)

    monkeypatch.setattr(runner, "validate_table", validate)
    main([*common, "checks"])
    assert checked == [(s.name, str(folder / "warehouse.duckdb")) for s in ALL_SUITES]
    steps = json.loads((folder / "steps.json").read_text())
    assert [c["suite"] for c in steps["checks"]["suites"]] == [s.name for s in ALL_SUITES]


def test_gx_scale_builds_a_table_its_suite_passes() -> None:
    """``benchmarks.gx_scale`` times the GX runner on a synthetic fct_post_performance of valid
    rows; when the mart's contract grows a column, its builder must grow it too (it had rotted
    once, on ``video_completion_rate``, unnoticed)."""
    from benchmarks.gx_scale import main

    assert main(["--rows", "3000", "--chunk-rows", "1000"])
