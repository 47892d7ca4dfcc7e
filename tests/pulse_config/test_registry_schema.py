"""The brand registry is validated with a schema (issue 12, point 8): each mistake that would
otherwise load wrong data, or nothing, gives one line naming the file, the brand and the key.

The expected messages are written here by hand: the oracle is what a user must read, not the
loader's own text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pulse_config.paths import CONFIG_DIR, PROJECT_ROOT
from pulse_config.registry import RegistryError, load_registry
from pulse_config.registry_schema import PLATFORMS


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "brands.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _brand(bid: str, accounts: str = "", extra: str = "", tz: str = "Europe/Paris") -> str:
    block = f"    accounts:\n{accounts}" if accounts else ""
    return f"  - id: {bid}\n    name: {bid.title()}\n    timezone: {tz}\n{extra}{block}"


def _error(tmp_path: Path, body: str) -> list[str]:
    path = _file(tmp_path, body)
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    lines = str(caught.value).splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines), lines
    return [line.removeprefix(f"{path}: ") for line in lines]


def test_the_committed_registry_loads_as_written() -> None:
    """Every id is a string equal to the text in the file (read here with plain YAML)."""
    raw = yaml.safe_load((CONFIG_DIR / "brands.yaml").read_text(encoding="utf-8"))
    registry = load_registry(CONFIG_DIR / "brands.yaml")
    for entry, brand in zip(raw["brands"], registry.brands, strict=True):
        assert brand.brand_id == entry["id"]
        for platform, value in entry["accounts"].items():
            written = value["site_id"] if isinstance(value, dict) else value
            assert list(brand.ids(platform)) == (
                written if isinstance(written, list) else [written]
            )


# --- ids that YAML would turn into numbers --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reads_as"),
    [
        ("1234567890", ""),
        ("0123", " (it reads 83)"),
        ("1_000", " (it reads 1000)"),
        ("12.50", " (it reads 12.5)"),
    ],
)
def test_an_unquoted_numeric_id_is_refused_with_the_quoted_form(
    tmp_path: Path, written: str, reads_as: str
) -> None:
    body = "brands:\n" + _brand("acme", f"      facebook: {written}\n")
    assert _error(tmp_path, body) == [
        f"brand acme: accounts.facebook: {written} is a number to YAML{reads_as}, not text: "
        f'quote it, e.g. facebook: "{written}"'
    ]


def test_a_quoted_numeric_id_keeps_its_digits(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      facebook: \"0123\"\n      ga4: '000042'\n")
    (brand,) = load_registry(_file(tmp_path, body)).brands
    assert brand.ids("facebook") == ("0123",) and brand.ids("ga4") == ("000042",)


def test_numbers_inside_a_list_or_a_matomo_block_are_named_by_position(tmp_path: Path) -> None:
    accounts = "      google_business:\n        - accounts/1/locations/2\n        - 17\n"
    accounts += "      matomo:\n        site_id: 3\n"
    assert _error(tmp_path, "brands:\n" + _brand("acme", accounts)) == [
        "brand acme: accounts.google_business[1]: 17 is a number to YAML, not text: "
        'quote it, e.g. google_business: "17"',
        "brand acme: accounts.matomo.site_id: 3 is a number to YAML, not text: "
        'quote it, e.g. site_id: "3"',
    ]


def test_a_numeric_brand_id_names_the_brand_by_position(tmp_path: Path) -> None:
    body = "brands:\n  - id: 42\n    name: Answer\n    timezone: UTC\n"
    assert _error(tmp_path, body) == [
        'brand #1: id: 42 is a number to YAML, not text: quote it, e.g. id: "42"'
    ]


def test_a_boolean_and_an_empty_id_are_refused(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      x: yes\n      linkedin:\n")
    assert _error(tmp_path, body) == [
        "brand acme: accounts.linkedin: empty: give the value or remove the key",
        "brand acme: accounts.x: True is a boolean to YAML (yes/no/on/off/true/false are): "
        'quote it, e.g. x: "..."',
    ]


# --- unknown keys -------------------------------------------------------------------------------


def test_an_unknown_platform_key_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      facebok: '1'\n")
    assert _error(tmp_path, body) == [
        "brand acme: accounts.facebok: unknown platform 'facebok' (did you mean facebook?); "
        "known: facebook, instagram, linkedin, x, youtube, tiktok, google_business, trustpilot, "
        "ga4, matomo, hubspot"
    ]


def test_an_unknown_brand_key_is_refused(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", extra="    timezon: UTC\n")
    assert _error(tmp_path, body) == ["brand acme: timezon: unknown key 'timezon'"]


def test_every_platform_key_is_one_a_source_reads() -> None:
    """Each key of the schema appears, quoted, in the code of a source: none is read by no one
    (the sources' code is the oracle, not the schema's list)."""
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "ingestion").rglob("*.py")
    )
    for platform in PLATFORMS:
        assert f'"{platform}"' in code, platform


# --- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/Pariss", "UTC+2", "CEST"])
def test_a_timezone_that_is_no_iana_zone_is_refused(tmp_path: Path, zone: str) -> None:
    assert _error(tmp_path, "brands:\n" + _brand("acme", tz=zone)) == [
        f"brand acme: timezone: {zone!r} is not an IANA time zone (e.g. Europe/Paris)"
    ]


def test_a_missing_timezone_is_refused(tmp_path: Path) -> None:
    body = "brands:\n  - id: acme\n    name: Acme\n"
    assert _error(tmp_path, body) == [
        "brand acme has no timezone: give its IANA name, e.g. Europe/Paris"
    ]


# --- ids shared across brands -------------------------------------------------------------------


def test_an_account_under_two_brands_is_refused(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      facebook: '777'\n")
    body += _brand("beta", "      facebook: '777'\n")
    assert _error(tmp_path, body) == [
        "brand beta: accounts.facebook: '777' is already brand acme's: "
        "an account belongs to one brand"
    ]


def test_the_same_id_on_two_platforms_is_allowed(tmp_path: Path) -> None:
    """Facebook and Instagram ids live in different namespaces: no conflict."""
    body = "brands:\n" + _brand("acme", "      facebook: '777'\n")
    body += _brand("beta", "      instagram: '777'\n")
    registry = load_registry(_file(tmp_path, body))
    assert registry.brand_of("facebook", "777") == "acme"
    assert registry.brand_of("instagram", "777") == "beta"


def test_a_location_listed_twice_and_a_brand_id_used_twice_are_refused(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      google_business: [l/1, l/1]\n") + _brand("acme")
    assert _error(tmp_path, body) == [
        "brand acme: id: brand #1 has it too",
        "brand acme: accounts.google_business: an id is listed twice",
    ]


# --- the file itself ----------------------------------------------------------------------------


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      facebook: '1'\n      facebook: '2'\n")
    assert _error(tmp_path, body) == [
        "line 7, column 7: not valid YAML: key 'facebook' given twice"
    ]


def test_a_missing_file_names_the_variable_that_points_at_it(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=re.escape(f"{tmp_path / 'no.yaml'}: cannot read")):
        load_registry(tmp_path / "no.yaml")


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    body = "brands:\n" + _brand("acme", "      facebook: 0123\n      tiktok_: a\n", tz="Mars/Base")
    assert len(_error(tmp_path, body)) == 3
