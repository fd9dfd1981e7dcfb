"""`where` matching: JSON properties/traits and typed columns against YAML values."""

from __future__ import annotations

import json
import re
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from pqlengine.compute.where_values import NUMBER_PATTERN as NUMBER_PATTERN
from pqlengine.compute.where_values import canonical_text as canonical_text
from pqlengine.compute.where_values import is_operator as is_operator
from pqlengine.compute.where_values import plain as plain
from pqlengine.config import Scalar, WhereValue


def _alternatives(value: WhereValue) -> list[Scalar]:
    """The options of an equality `where` value (a scalar or a list; see `plain`)."""
    if isinstance(value, dict):
        raise ValueError(f"{value!r} is an operator map, not an equality")
    return list(value) if isinstance(value, list) else [value]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_item(bag: ir.JSONValue, key: str) -> ir.JSONValue:
    """`bag[key]` for any key: keys like `$current_url` or `page.path` would be mangled
    into a JSON path, so they go through an exact map lookup instead."""
    if _PLAIN_KEY.fullmatch(key):
        return bag[key]
    return bag.map[key]


# A bag may also be JSON kept as text: Spark has no JSON type, and Ibis 12's JSON
# operations on PySpark go through Python UDFs that fail on plain string values. There
# we use Spark 4's VARIANT functions, which keep the JSON type of each value.
# try_parse_json, not parse_json: sqlglot renders parse_json(x) as plain x for Spark.
@ibis.udf.scalar.builtin(name="try_parse_json")
def _parse_json(text: str) -> str:  # a VARIANT in Spark; only passed on to the others
    raise NotImplementedError  # a Spark SQL function, never called in Python


@ibis.udf.scalar.builtin(name="try_variant_get")
def _variant_text(variant: str, path: str, kind: str) -> str:
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="try_variant_get")
def _variant_number(variant: str, path: str, kind: str) -> float:
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="try_variant_get")
def _variant_flag(variant: str, path: str, kind: str) -> bool:
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="try_variant_get")
def _variant_value(variant: str, path: str, kind: str) -> str:  # VARIANT
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="schema_of_variant")
def _variant_type(variant: str) -> str:
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="to_json")
def _variant_json(variant: str) -> str:
    raise NotImplementedError


class _TextItem:
    """`bag[key]` of JSON text: its JSON type and typed values, NULL when the key is
    missing (mirrors the typed extraction of JSON columns: `.str` only for strings,
    numbers only for numbers, booleans only for booleans)."""

    def __init__(self, bag: ir.StringValue, key: str) -> None:
        if "'" in key or "\\" in key:
            raise ValueError(f"property key {key!r}: quotes and backslashes are not supported here")
        path = f"$['{key}']"
        variant = _parse_json(bag)
        self.value = _variant_value(variant, path, "variant")
        kind = _variant_type(self.value)
        self.kind = kind
        self.text = ibis.ifelse(kind == "STRING", _variant_text(variant, path, "string"), None)
        numeric = kind.re_search(r"^(BIGINT|INT|SMALLINT|TINYINT|DOUBLE|FLOAT|DECIMAL)")
        self.number = ibis.ifelse(numeric, _variant_number(variant, path, "double"), None)
        self.flag = ibis.ifelse(kind == "BOOLEAN", _variant_flag(variant, path, "boolean"), None)

    def isnull(self) -> ir.BooleanValue:
        return self.value.isnull()

    def as_text(self) -> ir.StringValue:
        return ibis.coalesce(self.text, _variant_json(self.value))


def json_text(bag: ir.JSONValue | ir.StringValue, key: str) -> ir.StringValue:
    """`bag[key]` as text: strings without quotes, other values as JSON; NULL if absent."""
    if bag.type().is_string():
        return _TextItem(bag, key).as_text()
    item = json_item(bag, key)
    return ibis.coalesce(item.str, item.cast("string"))


def json_has(bag: ir.JSONValue | ir.StringValue, key: str) -> ir.BooleanValue:
    """Whether `bag` has `key` (a JSON null value counts as present)."""
    if bag.type().is_string():
        return _TextItem(bag, key).isnull() == False  # noqa: E712
    return json_item(bag, key).notnull()


def json_equals(bag: ir.JSONValue | ir.StringValue, key: str, value: WhereValue) -> ir.BooleanValue:
    """True/False when `bag[key]` is present, NULL when the key is missing."""
    typed: Any = _TextItem(bag, key) if bag.type().is_string() else None
    if typed is not None:
        text, number, flag, missing = typed.text, typed.number, typed.flag, typed.isnull()
    else:
        item = json_item(bag, key)
        text, number, flag, missing = item.str, item.float, item.bool, item.isnull()
    matches: list[ir.BooleanValue] = []
    for option in _alternatives(value):
        same_text = text == canonical_text(option)
        if isinstance(option, bool):
            matches.append(ibis.coalesce(flag == option, same_text))
        elif isinstance(option, int | float):
            matches.append(ibis.coalesce(number == float(option), same_text))
        else:
            matches.append(same_text)
    any_match = ibis.coalesce(ibis.or_(*[ibis.coalesce(m, False) for m in matches]), False)
    return ibis.ifelse(missing, ibis.null(bool), any_match)


@ibis.udf.scalar.builtin(name="json_extract_string")
def _duckdb_json_text(bag: dt.JSON, path: str) -> str:
    """DuckDB's json_extract_string: the value at `path` as text, parsing the document once."""
    raise NotImplementedError  # a DuckDB function, never called in Python


def _only_strings(value: WhereValue) -> bool:
    """Whether every option is a string no non-string JSON value is spelled as (not '3',
    'true', 'null', '[1]'): then the value's text equals an option only if it is that
    string."""
    for option in _alternatives(value):
        if not isinstance(option, str):
            return False
        try:
            parsed = json.loads(option)
        except ValueError:
            continue
        if not isinstance(parsed, str):
            return False
    return True


def json_matches(
    bag: ir.JSONValue | ir.StringValue, key: str, value: WhereValue, duckdb: bool = False
) -> ir.BooleanValue:
    """`coalesce(json_equals(bag, key, value), False)` with fewer JSON lookups: one IN test
    per JSON type instead of a comparison per option (for row filters). On DuckDB
    (`duckdb`), string options of a plain key compare `json_extract_string`, which parses
    each document once instead of three times (exact: see `_only_strings`)."""
    plain = _PLAIN_KEY.fullmatch(key) is not None
    if duckdb and not bag.type().is_string() and plain and _only_strings(value):
        texts = sorted({str(o) for o in _alternatives(value)})
        return _duckdb_json_text(bag, f"$.{key}").isin(texts).fill_null(False)
    if bag.type().is_string():
        typed: Any = _TextItem(bag, key)
        text, number, flag = typed.text, typed.number, typed.flag
    else:
        item = json_item(bag, key)
        text, number, flag = item.str, item.float, item.bool
    options = _alternatives(value)
    tests = [text.isin(sorted({canonical_text(o) for o in options}))]
    numbers = sorted(
        {float(o) for o in options if isinstance(o, int | float) and not isinstance(o, bool)}
    )
    if numbers:
        tests.append(number.isin(numbers))
    flags = sorted({o for o in options if isinstance(o, bool)})
    if flags:
        tests.append(flag.isin(flags))
    return ibis.or_(*[t.fill_null(False) for t in tests])


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


# ---------------------------------------------------------------------------------------
# Operator maps (docs/semantics.md, `where`): {gte: 80}, {ne: US}, {contains: x}, ...

_COMPARISONS = ("gt", "gte", "lt", "lte")


class Typed:
    """One value as its JSON types: `text` (strings only), `number` (numbers only), `flag`
    (booleans only), each NULL otherwise, and `missing` (absent or JSON null)."""

    def __init__(
        self,
        text: ir.StringValue | None,
        number: ir.FloatingValue | None,
        flag: ir.BooleanValue | None,
        missing: ir.BooleanValue,
    ) -> None:
        self.text, self.number, self.flag, self.missing = text, number, flag, missing

    @classmethod
    def of_json(cls, bag: ir.JSONValue | ir.StringValue, key: str) -> Typed:
        """`bag[key]` of a JSON column, or of JSON kept as text (Spark)."""
        if bag.type().is_string():
            item = _TextItem(bag, key)
            missing = item.value.isnull() | item.kind.isin(("VOID", "NULL"))
            return cls(item.text, item.number, item.flag, missing)
        value = json_item(bag, key)
        missing = value.isnull() | (value.cast("string") == "null")
        return cls(value.str, value.float, value.bool, missing)

    @classmethod
    def of_column(cls, column: ir.Column) -> Typed:
        """A typed column: a numeric column holds numbers, a text column strings."""
        kind = column.type()
        if kind.is_numeric():
            return cls(None, column.cast("float64"), None, column.isnull())
        if kind.is_boolean():
            return cls(None, None, column, column.isnull())
        return cls(column.cast("string"), None, None, column.isnull())

    def as_number(self) -> ir.FloatingValue | None:
        """The value as a number: a JSON number, or a string that spells one in full."""
        spelled = None
        if self.text is not None:
            text = self.text
            # Java's `$` also matches before a final newline; the grammar has none.
            spells = text.re_search(NUMBER_PATTERN) & ~text.contains("\n")
            spelled = ibis.ifelse(spells, text.cast("float64"), ibis.null("float64"))
        if self.number is None:
            return spelled
        return self.number if spelled is None else ibis.coalesce(self.number, spelled)

    def equals(self, option: Scalar) -> ir.BooleanValue:
        """Today's equality across types (NULL-free: False when it does not hold)."""
        tests: list[ir.BooleanValue] = []
        if self.text is not None:
            tests.append(self.text == canonical_text(option))
        if isinstance(option, bool):
            if self.flag is not None:
                tests.append(self.flag == option)
        elif isinstance(option, int | float) and self.number is not None:
            tests.append(self.number == float(option))
        if not tests:
            return ibis.literal(False)
        return ibis.or_(*[t.fill_null(False) for t in tests])


@ibis.udf.scalar.builtin(name="convert_to")
def _utf8_bytes(text: str, encoding: str) -> dt.binary:
    """PostgreSQL's convert_to: text as bytes, whose order is code point order."""
    raise NotImplementedError


def _text_order(text: ir.StringValue, bytewise: bool) -> ir.Value:
    return _utf8_bytes(text, "UTF8") if bytewise else text


def present_test(value: Typed, spec: dict[str, Any], bytewise: bool) -> ir.BooleanValue:
    """The operator's test on a present value (False where it does not hold)."""
    ((operator, operand),) = spec.items()
    if operator == "exists":
        return ibis.literal(bool(operand))
    if operator in ("eq", "in", "ne", "not_in"):
        options = operand if isinstance(operand, list) else [operand]
        equal = ibis.or_(*[value.equals(o) for o in options])
        return ~equal if operator in ("ne", "not_in") else equal
    if operator == "contains":
        if value.text is None:
            return ibis.literal(False)
        return value.text.contains(str(operand)).fill_null(False)
    if operator not in _COMPARISONS:
        raise ValueError(f"unknown where operator '{operator}'")
    left: Any
    right: Any
    if isinstance(operand, str):
        if value.text is None:
            return ibis.literal(False)
        left = _text_order(value.text, bytewise)
        right = _text_order(ibis.literal(operand), bytewise)
    else:
        left, right = value.as_number(), float(operand)
        if left is None:
            return ibis.literal(False)
    compared = {
        "gt": lambda: left > right,
        "gte": lambda: left >= right,
        "lt": lambda: left < right,
        "lte": lambda: left <= right,
    }[operator]()
    return compared.fill_null(False)


def event_where(value: Typed, spec: dict[str, Any], bytewise: bool) -> ir.BooleanValue:
    """An operator map on an event property: a missing value matches only exists: false."""
    exists_false = spec == {"exists": False}
    return ibis.ifelse(value.missing, exists_false, present_test(value, spec, bytewise))


def fit_where(value: Typed, spec: dict[str, Any], bytewise: bool) -> ir.BooleanValue:
    """An operator map on an attribute: NULL (unknown) when the value is missing."""
    return ibis.ifelse(value.missing, ibis.null(bool), present_test(value, spec, bytewise))
