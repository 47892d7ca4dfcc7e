"""A broken configuration fails the runs that need it, with one clear message, and not the
Dagster code location (issue 12, point 8).

- A broken brand registry (the file ``PULSE_BRANDS`` names): the code location still loads,
  prints the registry's message once, without a traceback, and a source's run fails with it.
- A missing secret: every source's run fails before any request with a message naming the
  environment variable and the ``.dlt/secrets.toml`` key to set.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import dlt
import pytest
from dagster import materialize
from dagster_dlt import DagsterDltResource

from ingestion.catalogue import SOURCES, source_named
from orchestration.defs.ingestion import build_source_assets, described_over
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import PROJECT_ROOT
from tests.sources.support import Sandbox, build_source

BROKEN = (
    "brands:\n"
    "  - id: acme\n    name: Acme\n    timezone: Europe/Paris\n"
    "    accounts:\n      trustpilot: '5f00'\n      facebook: 0123\n"
)
PROBLEM = "brand acme: accounts.facebook: 0123 is a number to YAML (it reads 83), not text"


@pytest.fixture()
def broken_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "brands.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setenv("PULSE_BRANDS", str(path))
    return path


def test_the_code_location_loads_with_a_broken_registry(
    broken_registry: Path, tmp_path: Path
) -> None:
    """What ``dagster dev`` does: load the workspace's code location. It loads, says what is
    wrong with the registry (file, brand, key), and prints no traceback."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    command = [str(Path(sys.executable).parent / "dagster"), "definitions", "validate"]
    done = subprocess.run(
        [*command, "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert f"{broken_registry}: {PROBLEM}" in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def test_a_source_run_fails_with_the_registry_message(
    broken_registry: Path, tmp_path: Path
) -> None:
    """The assets built over a broken registry exist; materialising one fails its run with the
    registry's own message."""
    assets = build_source_assets(source_named("trustpilot"), described_over())
    warehouse = Warehouse(path=str(tmp_path / "w.duckdb"))
    result = materialize(
        [assets],
        resources={"dlt": DagsterDltResource(), "warehouse": warehouse},
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error, messages = failure.step_failure_data.error, []
    while error is not None:  # Dagster wraps the asset's exception: its message is a cause
        messages.append(error.message)
        error = error.cause
    message = "\n".join(messages)
    assert f"{broken_registry}: {PROBLEM}" in message, message
    assert not (tmp_path / "w.duckdb").exists(), "the run touched the warehouse"


SECRETS = {
    "meta": ("access_token",),
    "linkedin": ("access_token",),
    "x": ("bearer_token",),
    "tiktok": ("access_tokens", "access_token"),
    "youtube": ("access_token", "api_key"),
    "google_business": ("access_token",),
    "trustpilot": ("api_key",),
    "ga4": ("access_token",),
    "matomo": ("token_auth",),
    "search_console": ("access_token",),
    "brevo": ("api_keys",),
    "hubspot": ("access_tokens", "access_token"),
}
"""Each source's token argument(s), as README's table of secrets lists them."""


def test_the_secrets_table_covers_every_source() -> None:
    assert set(SECRETS) == {s.name for s in SOURCES}


def _credentials(name: str) -> list[str]:
    """The token arguments of source ``name`` and, where it renews tokens, what it renews them
    with: all of them are left unset."""
    renewal = ("refresh_token", "refresh_tokens", "client_id", "client_secret")
    accepted = inspect.signature(source_named(name).factory).parameters
    return [*SECRETS[name], *(a for a in renewal if a in accepted)]


def _extract_error(source: object, tmp_path: Path) -> str:
    pipeline = dlt.pipeline("secrets", destination="duckdb", pipelines_dir=str(tmp_path))
    with pytest.raises(Exception) as caught:  # noqa: PT011 (dlt wraps the source's error)
        pipeline.extract(source)
    return str(caught.value)


@pytest.mark.parametrize("name", list(SECRETS))
def test_a_missing_token_fails_the_run_naming_where_to_set_it(
    sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    source = build_source(name, sandbox.url, **dict.fromkeys(_credentials(name)))
    message = _extract_error(source, tmp_path)
    key = SECRETS[name][0]
    assert f"sources.{name}.{key}" in message, message
    assert ".dlt/secrets.toml" in message, message
    if name != "tiktok":  # tiktok's variable holds a JSON object: its message shows one
        assert f"SOURCES__{name.upper()}__{key.upper()}" in message, message


@pytest.mark.parametrize(
    "name", [n for n in SECRETS if n not in ("tiktok", "ga4", "search_console", "brevo")]
)
def test_a_missing_pseudonymisation_key_fails_the_run_naming_where_to_set_it(
    sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    """TikTok, GA4, Search Console and Brevo load no person, so they take no key."""
    source = build_source(name, sandbox.url, pseudonymisation_key=None)
    message = _extract_error(source, tmp_path)
    assert "PULSE_PSEUDONYMISATION_KEY" in message, message
    assert f"sources.{name}.pseudonymisation_key" in message, message
