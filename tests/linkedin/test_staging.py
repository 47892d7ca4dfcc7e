"""dbt staging of LinkedIn over a warehouse the source loaded from the sandbox: builds, tests
pass, one row per natural key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pulse_config.paths import PROJECT_ROOT
from tests.linkedin.client import LinkedIn, expected_post_daily, query, run_source
from tests.sources.support import TODAY, Sandbox

REPO = PROJECT_ROOT
PROJECT_DIR = REPO / "dbt_project"

DBT = Path(sys.executable).parent / "dbt"


def test_staging_builds_over_a_real_load(li: LinkedIn, sandbox: Sandbox, tmp_path: Path) -> None:
    db = run_source(sandbox.url, tmp_path, "warehouse")
    env = {
        **os.environ,
        "PULSE_WAREHOUSE": str(db),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            str(DBT),
            "build",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--no-partial-parse",
            "--select",
            "source:linkedin",
            "path:models/staging/linkedin",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    manifest = li.manifest()
    posts = query(db, "select count(*), count(distinct post_urn) from staging.stg_linkedin__posts")
    assert posts == [(manifest["totals"]["posts"], manifest["totals"]["posts"])]
    replies = query(
        db, "select count(*) from staging.stg_linkedin__comments where is_from_organization"
    )
    assert replies == [(manifest["totals"]["brand_replies"],)]
    latest = query(
        db,
        "select sum(followers_count) from staging.stg_linkedin__organizations "
        f"where snapshot_date = '{TODAY}'",
    )
    assert latest == [(sum(o["followers_count"] for o in manifest["organizations"].values()),)]
    days = query(
        db,
        "select count(*), count(distinct post_urn), sum(likes) "
        "from staging.stg_linkedin__post_statistics_daily",
    )
    expected = expected_post_daily(manifest)
    assert days == [
        (
            len(expected),
            len({urn for urn, _ in expected}),
            sum(v["likeCount"] for v in expected.values()),
        )
    ]
    assert query(db, "select count(*) from staging.stg_linkedin__quarantine") == [(0,)]
