"""pyspark is locked beside Great Expectations (the `spark` extra, issue 18), and GX imports
pyspark's Connect client when pyspark is installed. In a process whose ``__main__`` has neither
a file nor a spec (``python -c``: pytest-xdist workers, processes spawned from them), pyspark
4.3's ``pyspark.sql.connect`` calls ``sys.exit(0)`` on import when the Connect dependencies
(grpcio-status, googleapis-common-protos, zstandard) are missing: every GX validation in such a
process ended with ``SystemExit: 0`` (224 tests of a `make test` run). The lock installs
``pyspark[connect]``; this checks the import survives that kind of process."""

from __future__ import annotations

import subprocess
import sys


def test_great_expectations_imports_in_a_process_without_a_main_file() -> None:
    code = "import great_expectations.util; print('gx imported')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert "gx imported" in done.stdout, done.stderr[-2000:]
