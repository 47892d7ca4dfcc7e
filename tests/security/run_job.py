"""Run one Dagster job of the project in this process, on the instance of ``DAGSTER_HOME``.

The security test runs it as a subprocess so that everything a real run leaves behind (its
stdout and stderr, the instance's event log and compute logs, dlt's pipeline folder, the
warehouse and its published copy) can be searched afterwards:
``python -m tests.security.run_job JOB``.
"""

from __future__ import annotations

import sys

from dagster import DagsterInstance


def main(job_name: str) -> int:
    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    print(f"job {job_name}: {'success' if result.success else 'failed'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
