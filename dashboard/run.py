"""Build and serve the dashboard over the published marts (``make dashboard``).

The marts come from the published DuckDB copy: ``PULSE_PUBLISHED``; else the one beside
``PULSE_WAREHOUSE``; else the demo's, ``data/demo/published.duckdb``, so ``make dashboard``
follows ``make demo``. The pages are written to ``dashboard/build/`` (``dashboard.site``) and
served on loopback together with the warehouse's ``reports/`` folder (dbt docs, data-quality
pages) under ``/reports/``, which the pages link to.

Settings: ``PULSE_DASHBOARD_LANG`` (``en`` or ``fr``: the labels' language),
``PULSE_DAGSTER_URL`` (the Dagster UI the pages link to, default ``http://localhost:3000``).

    python -m dashboard.run build               # npm ci if needed, then the pages
    python -m dashboard.run serve --port 3100   # build, then serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dashboard import site
from orchestration.defs.reports import reports_dir
from orchestration.defs.warehouse import Warehouse, warehouse_from_env
from pulse_config.paths import DEMO_DATA_DIR, WAREHOUSE_FILE

DASHBOARD_DIR = Path(__file__).resolve().parent
BUILD_DIR = DASHBOARD_DIR / "build"
DEFAULT_PORT = 3100


@dataclass(frozen=True)
class Inputs:
    """What the dashboard is built from: the published copy, the reports, the settings."""

    published: Path
    reports: Path
    lang: str
    dagster_url: str


def inputs_from_env(environ: Mapping[str, str] | None = None) -> Inputs:
    """The published copy and reports this environment names (see the module docstring)."""
    environ = os.environ if environ is None else environ
    if environ.get("PULSE_WAREHOUSE") or environ.get("PULSE_PUBLISHED"):
        warehouse = warehouse_from_env(environ)
    else:
        warehouse = Warehouse(path=str(DEMO_DATA_DIR / WAREHOUSE_FILE))
    return Inputs(
        published=warehouse.published_file,
        reports=reports_dir(warehouse),
        lang=environ.get("PULSE_DASHBOARD_LANG") or "en",
        dagster_url=environ.get("PULSE_DAGSTER_URL") or "http://localhost:3000",
    )


def install_chart_library() -> None:
    """``npm ci`` (the locked ECharts) when ``node_modules`` is missing: a fresh clone."""
    if not (DASHBOARD_DIR / "node_modules" / "echarts").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DASHBOARD_DIR, check=True)


def build(inputs: Inputs, out: Path = BUILD_DIR) -> list[Path]:
    """The pages, from the published copy; a clear stop when there is none yet."""
    if not inputs.published.exists():
        raise SystemExit(
            f"no published marts at {inputs.published}: run `make demo` first (or set "
            "PULSE_PUBLISHED)"
        )
    install_chart_library()
    return site.build(inputs.published, out, inputs.lang, inputs.dagster_url)


class _Handler(SimpleHTTPRequestHandler):
    """The built pages, and ``/reports/`` from the warehouse's reports folder."""

    def __init__(self, *args, pages: Path, reports: Path, **kwargs) -> None:  # noqa: ANN002,ANN003
        self.pages, self.reports = pages, reports
        super().__init__(*args, directory=str(pages), **kwargs)

    def translate_path(self, path: str) -> str:
        if path.startswith("/reports/"):
            inside = super().translate_path("/" + path.removeprefix("/reports/"))
            return str(self.reports / os.path.relpath(inside, self.pages))
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: one line per file would drown the address printed at start."""


@contextmanager
def serving(pages: Path, reports: Path, port: int = 0) -> Iterator[str]:
    """Serve ``pages`` on loopback in a thread; yields the base URL (port 0: any free one)."""
    handler = functools.partial(_Handler, pages=pages, reports=reports)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "serve"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    inputs = inputs_from_env()
    pages = build(inputs)
    print(f"dashboard: {len(pages)} pages in {BUILD_DIR} from {inputs.published}")
    if args.command == "serve":
        with serving(BUILD_DIR, inputs.reports, args.port) as url:
            print(f"open {url}/index.html  (Ctrl-C stops)", flush=True)
            with suppress(KeyboardInterrupt):
                threading.Event().wait()


if __name__ == "__main__":
    main()
