"""Rest.li 2.0 query values, as the LinkedIn API parses them.

Protocol 2.0 encodes structured parameters in the query string: lists as ``List(a,b)`` and
records as ``(key:value,key:(nested:value))``, with reserved characters of the leaves
percent-encoded (``urn%3Ali%3Ashare%3A1``). Values arrive here already percent-decoded once by
the server, so a leaf may contain ``:`` but never an unescaped ``,`` or parenthesis.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


class RestliSyntaxError(ValueError):
    """A value that is not valid Rest.li 2.0."""


def parse(value: str) -> Any:
    """``List(a,b)`` -> list, ``(k:v)`` -> dict, anything else -> the string itself."""
    result, end = _value(value, 0)
    if end != len(value):
        raise RestliSyntaxError(f"unexpected {value[end:]!r} at {end} in {value!r}")
    return result


def _value(s: str, i: int) -> tuple[Any, int]:
    if s.startswith("List(", i):
        i += 5
        items: list[Any] = []
        if i < len(s) and s[i] == ")":
            return items, i + 1
        while True:
            item, i = _value(s, i)
            items.append(item)
            closed, i = _after_item(s, i, "List(")
            if closed:
                return items, i
    if i < len(s) and s[i] == "(":
        i += 1
        record: dict[str, Any] = {}
        if i < len(s) and s[i] == ")":
            return record, i + 1
        while True:
            colon = s.find(":", i)
            if colon < 0:
                raise RestliSyntaxError(f"expected key: at {i} in {s!r}")
            key = unquote(s[i:colon])
            record[key], i = _value(s, colon + 1)
            closed, i = _after_item(s, i, "(")
            if closed:
                return record, i
    j = i
    while j < len(s) and s[j] not in ",()":
        j += 1
    if j == i:
        raise RestliSyntaxError(f"empty value at {i} in {s!r}")
    return unquote(s[i:j]), j


def _after_item(s: str, i: int, opener: str) -> tuple[bool, int]:
    """After a list item or record field: ``)`` closes the ``opener``, ``,`` goes on to the
    next one; (closed, the index past it)."""
    if i >= len(s):
        raise RestliSyntaxError(f"unclosed {opener} in {s!r}")
    if s[i] == ")":
        return True, i + 1
    if s[i] != ",":
        raise RestliSyntaxError(f"expected , or ) at {i} in {s!r}")
    return False, i + 1
