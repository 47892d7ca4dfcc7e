"""One slow API blocks nobody: a throttled source keeps no other source and no build waiting,
and stops cleanly at its run deadline.

Meta is pointed at a second sandbox over the same world whose every Meta answer is a throttle
(``throttle=1``: Graph code 4/17/32/613/80001 with the usage headers, as Meta sends them:
developers.facebook.com/docs/graph-api/overview/rate-limiting). Its retry policy is made
patient (``max_attempts`` 1000, waits of 0.5-1 s), so only ``run_deadline_s`` can end its run.
The other sources run as production runs them: each a Dagster run of ``ingest_everything``
restricted to its assets, side by side in ``PARALLEL_RUNS`` worker processes (as
``orchestration.replay`` launches them), all loading through the same warehouse writer slot;
then, while Meta is still throttled, the daily build (``transform_and_publish``: GX gates,
``dbt build``, GX suites, publication).

What must hold (the oracle is the clock and the runs' own outcomes, not the code's constants):
the other runs and the build succeed and end before Meta's run does (so none of them waited for
it), and Meta's run fails with a message naming the source and its deadline, no later than
the deadline plus one wait and one request.

Scenarios run in a forked child process, so the environment and the reloaded Dagster
definitions pointing at this test's warehouse never leak into other tests.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.credentials import source_env
from tests.sources.support import PSEUDONYMISATION_KEY, TODAY, Sandbox, query

PARALLEL_RUNS = 3  # as orchestration.replay.PARALLEL_RUNS: a run queue of three workers
MAX_WAIT_S = 1.0  # Meta's longest backoff here: its stop may come this late after the deadline
REQUEST_S = 2.0  # one sandbox request at most (the throttle answer is immediate)


@pytest.fixture()
def throttled_meta(world: Path) -> Iterator[str]:
    """A second sandbox over the same world answering every request with a throttle."""
    from sandbox.server import run_in_thread

    with run_in_thread(world, today=TODAY, faults="throttle=1,seed=3") as url:
        yield url


def environment(tmp: Path, url: str) -> dict[str, str]:
    """A warehouse of the test's own; every source on the sandbox at ``url``."""
    (tmp / "dagster_home").mkdir(exist_ok=True)
    return {
        **source_env(url),
        "PULSE_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "PULSE_PUBLISHED": str(tmp / "published.duckdb"),
        "PULSE_DLT_DIR": str(tmp / "dlt"),
        "PULSE_PSEUDONYMISATION_KEY": PSEUDONYMISATION_KEY,
        "DAGSTER_HOME": str(tmp / "dagster_home"),
    }


def throttled(meta_url: str, deadline_s: float) -> dict[str, str]:
    """Meta on the throttled sandbox, patient retries, and the deadline under test."""
    return {
        "SOURCES__META__BASE_URL": f"{meta_url}/meta",
        "SOURCES__META__RUN_DEADLINE_S": str(deadline_s),
        "SOURCES__META__MAX_ATTEMPTS": "1000",
        "SOURCES__META__BACKOFF_BASE_S": "0.5",
        "SOURCES__META__BACKOFF_MAX_S": str(MAX_WAIT_S),
    }


def run_once(job_name: str, source: str, t0: float) -> dict[str, Any]:
    """One Dagster run (of ``source``'s assets if given): success, start and end (seconds
    after ``t0``), and the failed steps' errors as text."""
    from dagster import DagsterInstance

    from orchestration.definitions import SOURCE_ASSETS, defs

    started = time.monotonic() - t0
    job = defs.resolve_job_def(job_name)
    result = job.execute_in_process(
        instance=DagsterInstance.get(),
        raise_on_error=False,
        asset_selection=list(SOURCE_ASSETS[source].keys) if source else None,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    errors = [
        e.event_specific_data.error.to_string()
        for e in result.all_events
        if e.is_step_failure and e.event_specific_data.error is not None
    ]
    return {
        "job": job_name,
        "source": source,
        "ok": result.success,
        "started": started,
        "ended": time.monotonic() - t0,
        "errors": "\n".join(errors),
    }


def scenario(env: dict[str, str], meta: dict[str, str], others: list[str], build: bool) -> Any:
    """Meta (throttled by ``meta``) and ``others`` side by side, then the build once the others
    are done. Before a build, a clean day where every source loads, Meta too: the build's
    blocking GX gates read every raw table, so the throttled night follows a good one (the
    sandbox clock then moves one day on)."""
    os.environ.update(env)
    import orchestration.definitions as definitions
    from orchestration import replay

    importlib.reload(definitions)  # its resources read the warehouse paths when defined
    replay._prepare_workers()
    context = multiprocessing.get_context("fork")
    if build:
        t0 = time.monotonic()
        names = ["meta", *others]
        with ProcessPoolExecutor(PARALLEL_RUNS, mp_context=context) as pool:
            day = list(
                pool.map(run_once, [replay.INGEST_JOB] * len(names), names, [t0] * len(names))
            )
        print("clean day: " + ", ".join(f"{r['source']} {r['ended']:.1f} s" for r in day))
        if not all(r["ok"] for r in day):
            return {"the clean day failed": [r for r in day if not r["ok"]]}
        url = env["PULSE_SANDBOX_URL"]
        requests.post(f"{url}/_sandbox/clock/advance", params={"days": 1}, timeout=30)
    os.environ.update(meta)  # the workers below are forked with it
    t0 = time.monotonic()
    with ProcessPoolExecutor(PARALLEL_RUNS, mp_context=context) as pool:
        meta = pool.submit(run_once, replay.INGEST_JOB, "meta", t0)
        runs = [pool.submit(run_once, replay.INGEST_JOB, s, t0) for s in others]
        done = [r.result() for r in runs]
        if build:
            done.append(run_once(replay.BUILD_JOB, "", t0))
        return {"meta": meta.result(), "others": done}


def in_child(
    env: dict[str, str], meta: dict[str, str], others: list[str], build: bool
) -> dict[str, Any]:
    """``scenario`` in a forked child process (a non-daemon one: it starts workers itself)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(scenario(env, meta, others, build)))
    child.start()
    try:
        return queue.get(timeout=1800)
    finally:
        child.join(timeout=60)


def check(outcome: dict[str, Any], deadline_s: float) -> None:
    """Everyone else finished before Meta stopped; Meta stopped at its deadline, saying so."""
    assert "meta" in outcome, outcome
    meta = outcome["meta"]
    for run in outcome["others"]:
        assert run["ok"], f"{run['job']} {run['source']} failed:\n{run['errors'][-3000:]}"
        assert run["ended"] < meta["ended"], f"{run['source'] or run['job']} waited for meta"
    assert not meta["ok"]
    assert "meta: account " in meta["errors"]
    assert f"run deadline of {deadline_s:g} s reached" in meta["errors"]
    assert "sources.meta.run_deadline_s" in meta["errors"]
    took = meta["ended"] - meta["started"]
    assert took <= deadline_s + MAX_WAIT_S + REQUEST_S + 15, took  # + the run's own start-up
    report = ", ".join(
        f"{r['source'] or r['job']} {r['started']:.1f}-{r['ended']:.1f} s"
        for r in outcome["others"]
    )
    print(f"\nmeta {meta['started']:.1f}-{meta['ended']:.1f} s (deadline {deadline_s} s); {report}")


def test_a_throttled_source_blocks_no_other_and_stops_at_its_deadline(
    sandbox: Sandbox, throttled_meta: str, tmp_path: Path
) -> None:
    """The default run's slice (about 30 s): Meta throttled beside one quick source, no build."""
    deadline_s = 20.0
    env = environment(tmp_path, sandbox.url)
    outcome = in_child(env, throttled(throttled_meta, deadline_s), ["trustpilot"], build=False)
    check(outcome, deadline_s)
    db = tmp_path / "warehouse.duckdb"
    assert query(db, "select count(*) from raw_trustpilot.reviews")[0][0] > 0


@pytest.mark.long
def test_every_other_source_and_the_build_finish_while_meta_is_throttled(
    sandbox: Sandbox, throttled_meta: str, tmp_path: Path
) -> None:
    """Every other source's backfill and the daily build, while Meta waits on its rate limit."""
    from ingestion.catalogue import SOURCES

    deadline_s = float(os.environ.get("PULSE_TEST_META_DEADLINE_S", "480"))
    sandbox.set_today(TODAY - timedelta(days=1))  # the clean day; the throttled night is TODAY
    env = environment(tmp_path, sandbox.url)
    others = [s.name for s in SOURCES if s.name != "meta"]
    outcome = in_child(env, throttled(throttled_meta, deadline_s), others, build=True)
    check(outcome, deadline_s)
    build = outcome["others"][-1]
    assert build["job"] == "transform_and_publish"
