"""No secret in any artefact (SECURITY.md): every source runs through Dagster against a sandbox
serving throttling, 5xx, timeouts and connection resets, then two runs fail on purpose (YouTube
in API-key mode against a refused port, the case that once printed its key four times; Meta
with a rejected token). Then the logs, the Dagster instance folder, dlt's pipeline folder and
every table of the warehouse and of the published copy are searched for every credential value
the runs were given and every access token the sandbox minted for them.

``make test`` runs the smoke slice: the first run is ``ingest_everything`` (every source, no
build), so the raw tables, logs, events and dlt state are searched. ``make faults`` (``-m long``)
runs the whole ``refresh_everything`` (checks, dbt, publish) and searches the published copy too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pulse_config.paths import PROJECT_ROOT
from sandbox.credentials import source_env
from sandbox.server import run_in_thread
from tests.security.artefacts import file_leaks, secrets_in, table_count, table_leaks
from tests.sources.support import TODAY, small_world

pytestmark = pytest.mark.e2e

FAULTS = "throttle=0.03,server_error=0.05,timeout=0.01,reset=0.03,timeout_s=3,seed=12"
FAST = {
    "SOURCES__MAX_ATTEMPTS": "10",
    "SOURCES__BACKOFF_BASE_S": "0.01",
    "SOURCES__BACKOFF_MAX_S": "0.05",
    "SOURCES__REQUEST_TIMEOUT_S": "1",
}
YOUTUBE_KEY = "AIzaSy-distinctive-youtube-api-key"
WRONG_META_TOKEN = "EAAB-distinctive-rejected-meta-token"
PSEUDONYMISATION_KEY = "distinctive-pseudonymisation-key-0123456789"
QUIET = {
    "DO_NOT_TRACK": "1",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


def _run(env: dict[str, str], job: str, log: Path) -> None:
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "-m", "tests.security.run_job", job],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=True,
        )


def _youtube_key_mode(env: dict[str, str]) -> dict[str, str]:
    """YouTube without OAuth (API key in the query string), pointed at a port nobody serves."""
    kept = {k: v for k, v in env.items() if not k.startswith("SOURCES__YOUTUBE__")}
    return {
        **kept,
        "SOURCES__YOUTUBE__BASE_URL": "http://127.0.0.1:9/youtube",
        "SOURCES__YOUTUBE__ANALYTICS_BASE_URL": "http://127.0.0.1:9/youtube",
        "SOURCES__YOUTUBE__API_KEY": YOUTUBE_KEY,
        "SOURCES__YOUTUBE__MAX_ATTEMPTS": "3",
    }


@pytest.fixture(
    scope="module",
    params=["ingest_everything", pytest.param("refresh_everything", marks=pytest.mark.long)],
)
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        # X's throttle answers reopen the window in 2 s, not X's 15 minutes (limits.py knob)
        patch.setenv("SANDBOX_X_RATE_RESET_S", "2")
        yield _runs(tmp_path_factory.mktemp("security"), request.param)


def _runs(tmp: Path, job: str) -> dict[str, Any]:
    world = small_world(tmp)
    (tmp / "dagster_home").mkdir()
    log = tmp / "runs.log"
    with run_in_thread(world, today=TODAY, faults=FAULTS) as url:
        env = {
            **os.environ,
            **QUIET,
            **FAST,
            **source_env(url),
            "DAGSTER_HOME": str(tmp / "dagster_home"),
            "PULSE_WAREHOUSE": str(tmp / "warehouse.duckdb"),
            "PULSE_PUBLISHED": str(tmp / "published.duckdb"),
            "PULSE_DLT_DIR": str(tmp / "dlt"),
            "PULSE_PSEUDONYMISATION_KEY": PSEUDONYMISATION_KEY,
        }
        _run(env, job, log)
        fired = requests.get(f"{url}/_sandbox/faults/fired", timeout=30).json()
        _run(_youtube_key_mode(env), "ingest_youtube", log)
        _run({**env, "SOURCES__META__ACCESS_TOKEN": WRONG_META_TOKEN}, "ingest_meta", log)
    secrets = secrets_in(env) | {YOUTUBE_KEY, WRONG_META_TOKEN}
    return {"tmp": tmp, "job": job, "log": log.read_text(), "fired": fired, "secrets": secrets}


def test_the_faults_and_the_failures_really_happened(runs: dict[str, Any]) -> None:
    fired = runs["fired"]
    assert all(fired[kind] > 0 for kind in ("throttle", "server_error", "timeout", "reset")), fired
    log = runs["log"]
    assert f"job {runs['job']}: success" in log
    assert "job ingest_youtube: failed" in log and "ConnectionError" in log
    assert "job ingest_meta: failed" in log
    # the secrets searched for are the ones the runs really used
    assert {YOUTUBE_KEY, WRONG_META_TOKEN, PSEUDONYMISATION_KEY} <= runs["secrets"]
    assert "sandbox-meta-token" in runs["secrets"]


def test_no_secret_in_the_logs(runs: dict[str, Any]) -> None:
    hits = [s for s in runs["secrets"] if s in runs["log"]]
    assert hits == []


def test_no_secret_in_the_dagster_instance(runs: dict[str, Any]) -> None:
    home = runs["tmp"] / "dagster_home"
    assert any(home.rglob("*.db")) or any(home.rglob("*.sqlite"))  # events were recorded
    assert file_leaks(home, runs["secrets"]) == {}


def test_no_secret_in_the_dlt_pipeline_folder(runs: dict[str, Any]) -> None:
    folder = runs["tmp"] / "dlt"
    assert any(folder.rglob("state.json"))
    assert file_leaks(folder, runs["secrets"]) == {}


def test_no_secret_in_any_table(runs: dict[str, Any]) -> None:
    built = runs["job"] == "refresh_everything"
    for db in ["warehouse.duckdb", *(["published.duckdb"] if built else [])]:
        path = runs["tmp"] / db
        assert table_count(path) > 10, db
        assert table_leaks(path, runs["tmp"], runs["secrets"]) == {}, db
