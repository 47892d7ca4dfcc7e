"""``make ui``: the Dagster UI on this project, with the sandbox serving the APIs beside it.

With the sandbox, the runs started from the UI are sandbox runs: they use the demo's warehouse
(``data/demo/`` unless ``PULSE_WAREHOUSE`` says otherwise), never production's; with
``--no-sandbox`` they read the real APIs into production's. A warehouse of the other kind is
refused here, before the UI starts, and again by every source run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from orchestration.defs.warehouse import refusal, warehouse_from_env
from orchestration.demo import sandbox_env
from orchestration.settings import PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument(
        "--no-sandbox", action="store_true", help="use the sources' configured (real) APIs"
    )
    args = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    if not args.no_sandbox:
        env |= sandbox_env(f"http://127.0.0.1:{args.sandbox_port}")
    warehouse = warehouse_from_env(env)
    print(f"warehouse ({warehouse.environment.name}): {warehouse.file}", flush=True)
    refused = refusal(warehouse) if warehouse.file.exists() else None
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    sandbox = None
    if not args.no_sandbox:
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "serve", "--port", str(args.sandbox_port)],
            cwd=PROJECT_ROOT,
        )
    try:
        return subprocess.call(
            [str(bin_dir / "dagster"), "dev", "-w", "workspace.yaml", "-p", str(args.port)],
            cwd=PROJECT_ROOT,
            env=env,  # the sandbox's settings go to the Dagster process only
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
