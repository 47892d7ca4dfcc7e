"""The production wheel ships the pipeline and nothing that only the checkout needs.

The sandbox (vendor emulation), the benchmarks and the tests stay in the repository: the demo
and the test suite run from a checkout, a deployment installs the wheel (issue 11 point 8).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from pulse_config.paths import PROJECT_ROOT

PIPELINE_PACKAGES = {
    "orchestration",
    "ingestion",
    "data_quality",
    "enrichment",
    "pulse_config",
    "privacy",
}
CHECKOUT_ONLY = {"sandbox", "benchmarks", "tests"}


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so the build leaves nothing in the checkout."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, src / name)
    for package in PIPELINE_PACKAGES | CHECKOUT_ONLY:
        shutil.copytree(
            PROJECT_ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path / "dist"
    uv = Path(sys.executable).parent / "uv"
    command = [str(uv), "build", "--wheel", "--no-build-isolation", "-o", str(out), str(src)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("*.whl")
    return wheel


def test_wheel_ships_the_pipeline_packages_only(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == PIPELINE_PACKAGES
    # Sub-packages come along (the find rule is a prefix, not a list to keep by hand).
    assert "ingestion/tiktok/__init__.py" in names
    assert "pulse_config/registry.py" in names
