"""The production instance file is one Dagster accepts, and the code location's surface (asset
keys, check keys, jobs, schedules, sensors) is what the committed snapshot says.

The snapshot is taken in a fresh process that loads the definitions as production would: no
sandbox, and every secret a placeholder, so a definition that needs a real secret (or the
sandbox) to load fails here. When the surface changes on purpose, refresh the snapshot:

    UPDATE_SNAPSHOT=1 .venv/bin/pytest -n 0 tests/orchestration/test_instance_and_snapshot.py

and review the diff of ``definitions_snapshot.json`` like code.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster._core.instance.config import dagster_instance_config

from pulse_config.paths import PROJECT_ROOT

HERE = Path(__file__).parent
SNAPSHOT = HERE / "definitions_snapshot.json"
PRODUCTION = PROJECT_ROOT / "deploy" / "dagster.production.yaml"
LOCAL = PROJECT_ROOT / "dagster_home" / "dagster.yaml"
PG_ENV = ("DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_HOST", "DAGSTER_PG_DB")


def _validated(path: Path, tmp_path: Path) -> dict:
    """``path`` as Dagster's instance loader validates it (its schema and cross-field rules)."""
    shutil.copy(path, tmp_path / "dagster.yaml")
    config, _custom_class = dagster_instance_config(str(tmp_path))
    return dict(config)


def test_the_production_instance_file_is_valid(tmp_path: Path) -> None:
    config = _validated(PRODUCTION, tmp_path)
    db = config["storage"]["postgres"]["postgres_db"]
    # every credential is read from the environment when the instance starts, none is written
    for field, name in zip(("username", "password", "hostname", "db_name"), PG_ENV, strict=True):
        assert db[field] == {"env": name}, field
    assert config["run_monitoring"]["enabled"] is True
    assert config["concurrency"]["runs"]["max_concurrent_runs"] >= 1
    assert config["concurrency"]["pools"]["default_limit"] == 1  # one DuckDB writer
    assert config["retention"]["schedule"]["purge_after_days"] > 0


def test_the_local_instance_file_is_valid_and_keeps_sqlite(tmp_path: Path) -> None:
    config = _validated(LOCAL, tmp_path)
    assert "storage" not in config  # the default: SQLite under DAGSTER_HOME
    assert config["run_monitoring"]["enabled"] is True
    assert config["concurrency"]["pools"]["default_limit"] == 1


# --- the snapshot of the definitions ----------------------------------------------------------

SNAPSHOT_SCRIPT = """
import json
from orchestration.definitions import defs
graph = defs.resolve_asset_graph()
repo = defs.get_repository_def()
print(json.dumps({
    "asset_keys": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
    "asset_checks": sorted(f"{k.asset_key.to_user_string()}:{k.name}"
                           for k in graph.asset_check_keys),
    "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
    "schedules": sorted(
        f"{s.name} {s.cron_schedule} {s.execution_timezone} -> {s.job_name}"
        f" ({s.default_status.value})" for s in repo.schedule_defs),
    "sensors": sorted(f"{s.name} ({s.default_status.value})" for s in repo.sensor_defs),
}))
"""


def _placeholder_env(tmp_path: Path) -> dict[str, str]:
    """Production's variables, every secret a placeholder; nothing of the sandbox."""
    from sandbox.credentials import source_env

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "PULSE_"))}
    # the sandbox's made-up tokens, at a base URL that is neither the sandbox nor a vendor
    placeholders = source_env("https://placeholder.invalid").items()
    env |= {name: value for name, value in placeholders if name.startswith("SOURCES__")}
    env |= {
        "PULSE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "PULSE_ALERT_WEBHOOK_URL": "https://hooks.placeholder.invalid/T000/B000/XXXX",
        "PULSE_PSEUDONYMISATION_KEY": "placeholder-key",
        "DAGSTER_HOME": str(tmp_path),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return env


def _snapshot(tmp_path: Path) -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_SCRIPT],
        cwd=PROJECT_ROOT,
        env=_placeholder_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_definitions_match_the_committed_snapshot(tmp_path: Path) -> None:
    found = _snapshot(tmp_path)
    text = json.dumps(found, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text)
    expected = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            "definitions_snapshot.json (committed)",
            "the definitions now",
        )
    )
    assert not diff, (
        "The code location's surface changed. If on purpose, refresh the snapshot with "
        "UPDATE_SNAPSHOT=1 .venv/bin/pytest -n 0 tests/orchestration/test_instance_and_snapshot.py"
        f" and review it:\n{diff}"
    )
    assert found["asset_keys"] and found["asset_checks"] and found["schedules"]
