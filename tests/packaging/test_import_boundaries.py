"""Who may import whom: the layering the layout promises, checked on the import statements.

- ``pulse_config`` (brands, project root) is read by everyone and imports none of them;
- the sandbox emulates vendors for those brands without importing the pipeline;
- ``ingestion`` owns the catalogue of sources and never imports Dagster's ``orchestration``;
- no pipeline package (what the wheel ships) imports the sandbox or the benchmarks, except
  the demo and the UI launcher, which start the sandbox and exist only in a checkout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pulse_config.paths import PROJECT_ROOT

FORBIDDEN = {
    "pulse_config": {"ingestion", "orchestration", "sandbox", "data_quality", "enrichment"},
    "sandbox": {"ingestion", "orchestration", "data_quality", "enrichment", "benchmarks"},
    "ingestion": {"orchestration", "sandbox", "benchmarks"},
    "data_quality": {"orchestration", "sandbox", "benchmarks"},
    "enrichment": {"orchestration", "sandbox", "benchmarks"},
    "orchestration": {"sandbox", "benchmarks"},
    "privacy": {"sandbox", "benchmarks"},
}
CHECKOUT_TOOLS = {"orchestration/demo.py"}
"""Modules allowed to start the sandbox: the demo's command line (``make demo``)."""


def imported_packages(path: Path) -> set[str]:
    """Top-level package of every import in ``path`` (at any depth, lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_its_layer_may(package: str) -> None:
    offenders = {}
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        relative = str(path.relative_to(PROJECT_ROOT))
        if relative in CHECKOUT_TOOLS:
            continue
        wrong = imported_packages(path) & FORBIDDEN[package]
        if wrong:
            offenders[relative] = sorted(wrong)
    assert offenders == {}


def test_the_checker_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from sandbox.server import run\n    import ingestion.x\n")
    assert imported_packages(module) == {"sandbox", "ingestion"}
