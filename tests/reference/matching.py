"""`where` matching of JSON properties, traits and columns (docs/semantics.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def canonical_number(value: int | float) -> str:
    """`3` for 3 and 3.0, `2.5` for 2.5 (Reading: integral floats are spelled as ints)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def value_matches(actual: Any, expected: Any) -> bool:
    """One `where` pair: `actual` is the stored JSON value (None when missing)."""
    if isinstance(expected, list):
        return any(value_matches(actual, option) for option in expected)
    if actual is None:
        return False
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual == expected
        return isinstance(actual, str) and actual == ("true" if expected else "false")
    if isinstance(expected, int | float):
        if isinstance(actual, bool):
            return False
        if isinstance(actual, int | float):
            return actual == expected
        return isinstance(actual, str) and actual == canonical_number(expected)
    return isinstance(actual, str) and actual == expected


def where_matches(where: dict[str, Any] | None, lookup: Callable[[str], Any]) -> bool:
    """Every pair of `where` matches the value `lookup(key)`."""
    return all(value_matches(lookup(key), value) for key, value in (where or {}).items())
