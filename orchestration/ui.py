"""``make ui``: the Dagster UI on this project, with the sandbox serving the APIs beside it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

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
    sandbox = None
    env = dict(os.environ)
    if not args.no_sandbox:
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "serve", "--port", str(args.sandbox_port)],
            cwd=PROJECT_ROOT,
        )
        env |= sandbox_env(f"http://127.0.0.1:{args.sandbox_port}")
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
