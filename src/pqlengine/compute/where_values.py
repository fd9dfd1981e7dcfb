"""`where` values as data, without Ibis (so a check answered from cached SQL need not
import it): the text a value matches, the number grammar and the equality forms."""

from __future__ import annotations

from pqlengine.config import Scalar, WhereValue

# The JSON number grammar a string must spell in full to compare as a number.
NUMBER_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"


def canonical_text(value: Scalar) -> str:
    """The string spelling a value matches: 3 -> '3', 2.5 -> '2.5', True -> 'true'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def is_operator(spec: WhereValue) -> bool:
    """Whether a `where` value is an operator map other than plain equality."""
    return isinstance(spec, dict) and next(iter(spec)) not in ("eq", "in")


def plain(spec: WhereValue) -> WhereValue:
    """`{eq: v}` as `v` and `{in: [..]}` as the list: today's equality forms."""
    if isinstance(spec, dict):
        ((operator, operand),) = spec.items()
        if operator in ("eq", "in"):
            return operand
    return spec
