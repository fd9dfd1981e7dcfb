"""`where` matching of JSON properties, traits and columns (docs/semantics.md)."""

from __future__ import annotations

import re
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


# DRAFT (issue 16, docs/semantics-signals-draft.md): operator maps in `where`.
NUMBER_SPELLING = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def as_number(actual: Any) -> float | None:
    """A JSON number, or a string that spells one (whole string, JSON grammar); else None."""
    if isinstance(actual, bool):
        return None
    if isinstance(actual, int | float):
        return float(actual)
    if isinstance(actual, str) and NUMBER_SPELLING.fullmatch(actual):
        return float(actual)
    return None


def spec_matches(actual: Any, spec: Any) -> bool:
    """One `where` entry on events: `actual` is the stored JSON value (None when missing or
    JSON null); `spec` a scalar, a list, or a one-operator map."""
    if not isinstance(spec, dict):
        return value_matches(actual, spec)
    ((operator, operand),) = spec.items()
    if operator == "exists":
        return (actual is not None) == bool(operand)
    if actual is None:
        return False
    if operator == "eq":
        return value_matches(actual, operand)
    if operator == "in":
        return value_matches(actual, list(operand))
    if operator == "ne":
        return not value_matches(actual, operand)
    if operator == "not_in":
        return not value_matches(actual, list(operand))
    if operator == "contains":
        return isinstance(actual, str) and operand in actual
    return _compares(actual, operator, operand)


def _compares(actual: Any, operator: str, operand: Any) -> bool:
    if isinstance(operand, str):
        if not isinstance(actual, str):
            return False
        left: Any = [ord(c) for c in actual]  # code point order, whatever the locale
        right: Any = [ord(c) for c in operand]
    else:
        number = as_number(actual)
        if number is None:
            return False
        left, right = number, float(operand)
    return {
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[operator]


def where_matches(where: dict[str, Any] | None, lookup: Callable[[str], Any]) -> bool:
    """Every entry of `where` matches the value `lookup(key)`."""
    return all(spec_matches(lookup(key), spec) for key, spec in (where or {}).items())
