"""What the brand registry file may say, checked before anything reads it.

A registry mistake otherwise fails far from its cause, or never: an id left unquoted that YAML
reads as a number (``0123`` becomes 83), an account typed under a key no source reads, one
account listed under two brands (its rows would go to whichever brand comes first). ``parse``
validates the file against a pydantic schema, then across brands, and rewrites every problem as
one line naming the file, the brand and the key::

    config/brands.yaml: brand acme: accounts.facebook: 1234567890 is read by YAML as ...

``RegistryError`` carries those lines; it is a ValueError, so callers that caught the old
loader's errors still do.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    model_validator,
)

PLATFORMS = (
    "facebook",
    "instagram",
    "linkedin",
    "x",
    "youtube",
    "tiktok",
    "google_business",
    "trustpilot",
    "ga4",
    "matomo",
    "hubspot",
)
"""The account keys a source reads (tests/pulse_config checks each source and vendor against
this list); any other key under ``accounts`` is a typo that would load nothing."""


class RegistryError(ValueError):
    """The registry file is unusable; the message has one line per problem, each naming the
    file, the brand and the key."""


# --- YAML that remembers how a number was written --------------------------------------------


class _WrittenInt(int):
    """An int that keeps its YAML text, so the error can quote ``0123`` rather than 83."""

    text: str


class _WrittenFloat(float):
    """A float that keeps its YAML text (``1e5`` rather than 100000.0)."""

    text: str


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, numbers tagged with the text they were written as, and a key
    given twice in one mapping refused (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key, _value in node.value:
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key.value!r} given twice", key.start_mark
                )
            seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


def _written(kind: type, construct: Any) -> Any:
    def constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        number = kind(construct(loader, node))
        number.text = node.value
        return number

    return constructor


_Loader.add_constructor(
    "tag:yaml.org,2002:int", _written(_WrittenInt, yaml.SafeLoader.construct_yaml_int)
)
_Loader.add_constructor(
    "tag:yaml.org,2002:float", _written(_WrittenFloat, yaml.SafeLoader.construct_yaml_float)
)


# --- the schema --------------------------------------------------------------------------------


def _zone(name: str) -> str:
    """An IANA name: local days and hours are cut in it; a silent UTC would shift them."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris)") from error
    return name


def _as_list(value: Any) -> Any:
    """One id or a list of ids: both are read as a tuple."""
    return tuple(value) if isinstance(value, list) else (value,)


def _as_block(value: Any) -> Any:
    """A bare Matomo site id is a block with only its ``site_id``."""
    return value if isinstance(value, Mapping) else {"site_id": value}


def _none_is_empty(empty: Any) -> BeforeValidator:
    """``accounts:`` or ``brands:`` left empty means none, as it always has."""
    return BeforeValidator(lambda value: empty if value is None else value)


Text = Annotated[StrictStr, Field(min_length=1)]
Id = Text
Ids = Annotated[tuple[Id, ...], BeforeValidator(_as_list), Field(min_length=1)]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key is otherwise silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MatomoBlock(_Strict):
    """A Matomo site and what the warehouse must know of its setup (registry.MatomoSite)."""

    site_id: Id
    consent_dimension: Annotated[str, Field(pattern=r"^dimension[1-9][0-9]*$")] | None = None
    consent_values: dict[Text, Literal["granted", "denied"]] = Field(default_factory=dict)
    campaign_plugin: bool = False

    @model_validator(mode="after")
    def _values_with_dimension(self) -> MatomoBlock:
        if self.consent_dimension is not None and not self.consent_values:
            raise ValueError("consent_values must map the banner's values to granted/denied")
        return self


class Accounts(_Strict):
    """Per platform, the brand's account id (or ids, e.g. Google Business Profile locations).
    An absent key is None (no account there); a key left empty is an error, not "None"."""

    facebook: Ids = None
    instagram: Ids = None
    linkedin: Ids = None
    x: Ids = None
    youtube: Ids = None
    tiktok: Ids = None
    google_business: Ids = None
    trustpilot: Ids = None
    ga4: Ids = None
    matomo: Annotated[MatomoBlock, BeforeValidator(_as_block)] = None
    hubspot: Ids = None  # HubSpot portal (account) id: ingestion/hubspot


class BrandEntry(_Strict):
    id: Id
    name: Text
    timezone: Annotated[StrictStr, AfterValidator(_zone)]
    site: StrictStr = ""
    accounts: Annotated[Accounts, _none_is_empty({})] = Field(default_factory=Accounts)


class RegistryFile(_Strict):
    brands: Annotated[list[BrandEntry], _none_is_empty([])] = Field(default_factory=list)


assert set(Accounts.model_fields) == set(PLATFORMS), "PLATFORMS and Accounts disagree"


# --- parsing and one-line errors ---------------------------------------------------------------


def parse(text: str, where: str) -> RegistryFile:
    """The validated registry of ``text`` (the file named ``where``), or RegistryError."""
    try:
        raw = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 (_Loader is a SafeLoader)
    except yaml.YAMLError as error:
        raise RegistryError(f"{where}: {_yaml_problem(error)}") from None
    try:
        registry = RegistryFile.model_validate(raw)
    except ValidationError as error:
        lines = [f"{where}: {_describe(e, raw)}" for e in error.errors()]
        raise RegistryError("\n".join(lines)) from None
    problems = _shared_ids(registry)
    if problems:
        raise RegistryError("\n".join(f"{where}: {p}" for p in problems))
    return registry


def _shared_ids(registry: RegistryFile) -> list[str]:
    """A brand id used twice, or an account listed twice on one platform: a row would be
    credited to whichever brand comes first."""
    problems, brands = [], {}
    for i, brand in enumerate(registry.brands):
        if brand.id in brands:
            problems.append(f"brand {brand.id}: id: brand #{brands[brand.id] + 1} has it too")
        brands.setdefault(brand.id, i)
    owners: dict[tuple[str, str], str] = {}
    for brand in registry.brands:
        for platform in PLATFORMS:
            ids = _ids(brand.accounts, platform)
            for account in dict.fromkeys(ids):
                owner = owners.setdefault((platform, account), brand.id)
                if owner != brand.id:
                    problems.append(
                        f"brand {brand.id}: accounts.{platform}: {account!r} is already brand "
                        f"{owner}'s: an account belongs to one brand"
                    )
            if len(set(ids)) < len(ids):
                problems.append(f"brand {brand.id}: accounts.{platform}: an id is listed twice")
    return problems


def _ids(accounts: Accounts, platform: str) -> tuple[str, ...]:
    value = getattr(accounts, platform)
    if value is None:
        return ()
    return (value.site_id,) if isinstance(value, MatomoBlock) else value


def _describe(error: Mapping[str, Any], raw: Any) -> str:
    """One pydantic error as ``brand <id>: <key>: <problem>``."""
    loc = tuple(error["loc"])
    if len(loc) >= 2 and loc[0] == "brands" and isinstance(loc[1], int):
        brand, key = _brand_label(raw, loc[1]), _key(raw["brands"][loc[1]], loc[2:])
    else:
        brand, key = "", _key(raw, loc)
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        hint = ": give its IANA name, e.g. Europe/Paris" if key == "timezone" else ""
        return f"{brand or 'the file'} has no {key}{hint}"
    prefix = f"{brand}: {key}" if brand else key
    if kind == "extra_forbidden":
        return f"{prefix}: {_unknown_key(loc)}"
    if kind == "string_type":
        return f"{prefix}: {_not_text(value, loc)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{prefix}: {message}" if kind == "value_error" else f"{prefix}: {value!r}: {message}"


def _brand_label(raw: Any, index: int) -> str:
    entry = raw["brands"][index]
    name = entry.get("id") if isinstance(entry, Mapping) else None
    return f"brand {name}" if isinstance(name, str) and name else f"brand #{index + 1}"


def _key(node: Any, loc: tuple[Any, ...]) -> str:
    """``accounts.google_business[1]``: the path in the file's own terms (a single id, read as
    a list of one, is named without its ``[0]``)."""
    parts: list[str] = []
    for step in loc:
        if step == "[key]":
            parts.append(" (key)")
        elif isinstance(node, list) and isinstance(step, int):
            parts.append(f"[{step}]")
            node = node[step] if step < len(node) else None
        elif isinstance(node, Mapping) and isinstance(step, int):
            parts.append(f".{step}")
            node = node.get(step)
        elif isinstance(step, str) and (isinstance(node, Mapping) or node is None):
            parts.append(f".{step}" if parts else step)
            node = node.get(step) if isinstance(node, Mapping) else None
    return "".join(parts) or "(top level)"


def _unknown_key(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    if len(loc) >= 2 and loc[-2] == "accounts":
        close = difflib.get_close_matches(name, PLATFORMS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown platform {name!r}{hint}; known: {', '.join(PLATFORMS)}"
    return f"unknown key {name!r}"


def _not_text(value: Any, loc: tuple[Any, ...]) -> str:
    """Why a value that must be text is not, and how to write it."""
    field = next((str(s) for s in reversed(loc) if isinstance(s, str) and s != "[key]"), "id")
    if isinstance(value, bool):
        return (
            f"{value} is a boolean to YAML (yes/no/on/off/true/false are): "
            f'quote it, e.g. {field}: "..."'
        )
    if isinstance(value, int | float):
        text = getattr(value, "text", str(value))
        read = "" if text == str(value) else f" (it reads {value!r})"
        return f'{text} is a number to YAML{read}, not text: quote it, e.g. {field}: "{text}"'
    if value is None:
        return "empty: give the value or remove the key"
    return f"expected text, got {type(value).__name__} {value!r}"


def _yaml_problem(error: yaml.YAMLError) -> str:
    """``line 7, column 7: not valid YAML: key 'facebook' given twice``."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or " ".join(str(error).split())
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"{where}not valid YAML: {problem}"
