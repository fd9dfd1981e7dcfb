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


# Operator maps in `where` (docs/semantics.md, Criteria, `where`).
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
    JSON null); `spec` a scalar, a list, or a one-operator map. A missing value matches only
    `exists: false`."""
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
    """Every entry of `where` matches the value `lookup(key)` (events: missing is None)."""
    return all(spec_matches(lookup(key), spec) for key, spec in (where or {}).items())


def canonical_text(value: Any) -> str | None:
    """The `distinct` item key of a property value (docs/semantics.md, Items): a string is
    itself, a bool `true`/`false`, a number its canonical spelling (integral values as
    integer digits, others the shortest text that reads back to the same double); None for
    missing, objects and arrays (not items)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


# Fit (docs/semantics.md, Fit): a column's value is typed by its column.
NUMERIC_COLUMNS = frozenset({"employees"})


def typed_column(name: str, value: Any) -> Any:
    """A column's value as fit matching sees it: a number for a numeric column, a string for
    a text column, None when null.

    Reading: the canonical tables type these columns; a raw row handed to the oracle with
    another Python type is converted the way the store would keep it (a numeric column's
    string that spells a number is that number, a text column's number or bool its
    canonical text)."""
    if value is None:
        return None
    if name in NUMERIC_COLUMNS:
        if isinstance(value, str):
            return as_number(value)
        return value
    if isinstance(value, str):
        return value
    return canonical_text(value)


def fit_spec_outcome(actual: Any, spec: Any) -> bool | None:
    """One fit `where` entry: None when the value is missing (unknown, whatever the
    operator, `exists` included), else whether it matches as on events."""
    if actual is None:
        return None
    return spec_matches(actual, spec)
