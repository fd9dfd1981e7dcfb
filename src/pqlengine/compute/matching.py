"""`where` matching: JSON properties/traits and typed columns against YAML values."""

from __future__ import annotations

import re
from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.config import Scalar, WhereValue


def canonical_text(value: Scalar) -> str:
    """The string spelling a value matches: 3 -> '3', 2.5 -> '2.5', True -> 'true'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _alternatives(value: WhereValue) -> list[Scalar]:
    return list(value) if isinstance(value, list) else [value]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_item(bag: ir.JSONValue, key: str) -> ir.JSONValue:
    """`bag[key]` for any key: keys like `$current_url` or `page.path` would be mangled
    into a JSON path, so they go through an exact map lookup instead."""
    if _PLAIN_KEY.fullmatch(key):
        return bag[key]
    return bag.map[key]


def json_equals(bag: ir.JSONValue, key: str, value: WhereValue) -> ir.BooleanValue:
    """True/False when `bag[key]` is present, NULL when the key is missing."""
    item = json_item(bag, key)
    matches: list[ir.BooleanValue] = []
    for option in _alternatives(value):
        text = item.str == canonical_text(option)
        if isinstance(option, bool):
            matches.append(ibis.coalesce(item.bool == option, text))
        elif isinstance(option, int | float):
            matches.append(ibis.coalesce(item.float == float(option), text))
        else:
            matches.append(text)
    any_match = ibis.coalesce(ibis.or_(*[ibis.coalesce(m, False) for m in matches]), False)
    return ibis.ifelse(item.isnull(), ibis.null(bool), any_match)


def column_equals(column: ir.Column, value: WhereValue) -> ir.BooleanValue:
    """Typed column equality, like JSON matching; NULL when the column value is NULL.

    A numeric column matches numbers only; a text column matches strings and the
    canonical spelling of numbers and booleans.
    """
    numeric = column.type().is_numeric()
    matches: list[Any] = []
    for option in _alternatives(value):
        is_number = isinstance(option, int | float) and not isinstance(option, bool)
        if numeric:
            matches.append(column == option if is_number else ibis.literal(False))
        else:
            matches.append(column.cast("string") == canonical_text(option))
    return ibis.ifelse(column.isnull(), ibis.null(bool), ibis.or_(*matches))
