"""The Graph API ``fields=`` grammar, with field expansion.

``id,reactions.limit(0).summary(true),from{id,name},insights.metric(a,b).period(lifetime)``
parses into FieldSpec trees; commas inside ``(...)`` and ``{...}`` do not split fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class FieldSpec:
    """One requested field: its modifiers (``.limit(0)``) and sub-fields (``{id,name}``)."""

    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    children: list[FieldSpec] | None = None

    def child_names(self) -> list[str]:
        return [c.name for c in self.children or []]


class FieldsError(ValueError):
    """Malformed ``fields`` parameter."""


def parse_fields(text: str | None) -> list[FieldSpec]:
    """Parse a ``fields`` value; empty or None gives an empty list (use the node's defaults)."""
    if not text or not text.strip():
        return []
    specs, pos = _parse_list(text.replace(" ", ""), 0, end=None)
    return specs


def _parse_list(text: str, pos: int, end: str | None) -> tuple[list[FieldSpec], int]:
    specs: list[FieldSpec] = []
    while pos < len(text):
        spec, pos = _parse_field(text, pos)
        specs.append(spec)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if end is not None and pos < len(text) and text[pos] == end:
            return specs, pos + 1
        if pos < len(text):
            raise FieldsError(f"unexpected {text[pos]!r} at {pos} in fields")
    if end is not None:
        raise FieldsError(f"missing {end!r} in fields")
    return specs, pos


def _parse_field(text: str, pos: int) -> tuple[FieldSpec, int]:
    match = _NAME.match(text, pos)
    if not match:
        raise FieldsError(f"expected a field name at {pos} in fields")
    spec = FieldSpec(match.group(0))
    pos = match.end()
    while pos < len(text) and text[pos] == ".":
        mod = _NAME.match(text, pos + 1)
        if not mod or mod.end() >= len(text) or text[mod.end()] != "(":
            raise FieldsError(f"expected modifier(...) after {spec.name!r}")
        close = text.find(")", mod.end())
        if close < 0:
            raise FieldsError(f"missing ')' after {mod.group(0)!r}")
        spec.modifiers[mod.group(0)] = text[mod.end() + 1 : close]
        pos = close + 1
    if pos < len(text) and text[pos] == "{":
        spec.children, pos = _parse_list(text, pos + 1, end="}")
    return spec, pos


def format_fields(specs: list[FieldSpec]) -> str:
    """The ``fields`` text of ``specs`` (the inverse of ``parse_fields``)."""
    out = []
    for spec in specs:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
        if spec.children is not None:
            text += "{" + format_fields(spec.children) + "}"
        out.append(text)
    return ",".join(out)
