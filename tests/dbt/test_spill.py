"""A build that spills to DuckDB's temp directory goes on (issue 14, point 5).

The project's profile (dbt_project/profiles.yml) sets DuckDB's memory limit and temp directory.
A model larger than the limit spills there; every model after it opens a new cursor. The scale
world's full build failed on the second model after a spill ("Cannot switch temporary directory
after the current one has been used") while the temp directory was a per-cursor setting. This
test builds two models with the real profile, the first made to spill under a 200 MB limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from pulse_config.paths import PROJECT_ROOT

PROFILES = PROJECT_ROOT / "dbt_project"
SPILLS = """select s, count(*) as n
from (select md5(i::varchar) as s from range(4000000) as r(i))
group by s
order by s"""  # 4 M distinct 32-character keys, grouped then sorted: far over 200 MB


def test_a_spilled_model_does_not_stop_the_next(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: spill\nversion: '1.0'\nprofile: community_pulse\n"
        "models:\n  spill:\n    +materialized: table\n"
    )
    (project / "models" / "big.sql").write_text(SPILLS)
    warehouse = tmp_path / "w.duckdb"
    # DuckDB removes its temp directory on close: the next model looks while it is open
    (project / "models" / "after.sql").write_text(
        f"select (select count(*) from glob('{warehouse}.tmp/*')) as spill_files, "
        "(select count(*) from {{ ref('big') }}) as n"
    )
    env = {**os.environ, "PULSE_DUCKDB_MEMORY_LIMIT": "200MB", "PULSE_DUCKDB_THREADS": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # fmt: skip
    env.pop("PULSE_DUCKDB_TEMP_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "run", "--project-dir", str(project),
         "--profiles-dir", str(PROFILES), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--threads", "1",
         "--vars", f'{{"warehouse_path": "{warehouse}"}}'],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        spill_files, n = con.execute("select spill_files, n from main.after").fetchone()
    assert spill_files > 0, "the first model did not spill: the test proves nothing"
    assert n == 4_000_000
