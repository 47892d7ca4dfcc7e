"""The brand registry (config/brands.yaml) is the only list of brands: dbt's ``brands`` model
reads it when it builds, and a brand without a valid time zone fails loudly, never as UTC."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pulse_config.paths import CONFIG_DIR
from pulse_config.registry import load_registry
from tests.dbt.conftest import dbt_command, make_warehouse

ONE_BRAND = "brands:\n  - id: solo\n    name: Solo\n{timezone}    accounts:\n      x: '1'\n"


def _registry(tmp_path: Path, timezone: str | None) -> Path:
    path = tmp_path / "brands.yaml"
    line = f"    timezone: {timezone}\n" if timezone is not None else ""
    path.write_text(ONE_BRAND.format(timezone=line), encoding="utf-8")
    return path


def test_brands_table_is_the_registry(built_warehouse, query) -> None:
    """Read from the YAML file itself, not through the loader under test."""
    raw = yaml.safe_load((CONFIG_DIR / "brands.yaml").read_text(encoding="utf-8"))
    expected = sorted((b["id"], b["name"], b["timezone"]) for b in raw["brands"])
    assert query("select brand_id, brand_name, timezone from rules.brands order by 1") == expected


def test_no_brands_seed_copies_the_registry() -> None:
    assert not (Path(__file__).parents[2] / "dbt_project" / "seeds" / "brands.csv").exists()


def test_a_brand_without_timezone_is_refused_naming_file_and_brand(tmp_path: Path) -> None:
    path = _registry(tmp_path, None)
    with pytest.raises(ValueError, match=r"brands\.yaml: brand solo has no timezone"):
        load_registry(path)


@pytest.mark.parametrize("zone", ["Europe/Pariss", "UTC+2", "../etc/passwd"])
def test_a_timezone_that_is_no_iana_zone_is_refused(tmp_path: Path, zone: str) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"brand solo: timezone: {zone!r} is not an IANA")
    ):
        load_registry(_registry(tmp_path, zone))


def test_a_valid_timezone_is_kept(tmp_path: Path) -> None:
    (brand,) = load_registry(_registry(tmp_path, "America/Sao_Paulo")).brands
    assert brand.timezone == "America/Sao_Paulo"


def test_dbt_fails_on_a_registry_without_timezone(tmp_path: Path) -> None:
    """The model reads the registry PULSE_BRANDS names: dbt stops with the registry's message
    instead of building local times in UTC."""
    path = _registry(tmp_path, None)
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    run = dbt_command(
        ["run", "--select", "brands"], warehouse, tmp_path, env_extra={"PULSE_BRANDS": str(path)}
    )
    assert run.returncode != 0
    assert "brand solo has no timezone" in run.output, run.output[-3000:]
    assert run.failed_nodes() == {"model.community_pulse.brands"}
