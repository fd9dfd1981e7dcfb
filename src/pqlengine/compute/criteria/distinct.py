"""`distinct` (values of a property) and `users` (user ids): at_least distinct items among
the matching events, each present from its first occurrence."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import (
    Capabilities,
    keep,
    matching_tests,
    nth_first,
    present_weight,
    unit_weight,
)
from pqlengine.compute.criteria.words import amount, filtered, named, scope
from pqlengine.compute.matching import Typed

# Integral numbers below this are keyed by their integer digits; beyond it a double's
# integer text needs more than 64 bits.
_INTEGER_DIGITS_BELOW = 1e15


def canonical_key(value: Typed) -> ir.StringValue:
    """A value's canonical text (docs: strings as themselves, booleans true/false, numbers
    as integer digits when integral, else the shortest text that reads back); NULL for
    missing values, objects and arrays."""
    number = value.number
    assert number is not None and value.text is not None and value.flag is not None
    # Inside CASE branches: a cast of a double beyond 64 bits would fail the query.
    small = number.abs() < _INTEGER_DIGITS_BELOW
    integral = ibis.ifelse(small, number == number.floor(), False)
    spelled = ibis.ifelse(integral, number.cast("int64").cast("string"), number.cast("string"))
    flag = ibis.cases((value.flag == True, "true"), (value.flag == False, "false"))  # noqa: E712
    return ibis.coalesce(value.text, spelled, flag)


class _Distinct:
    name = "distinct"
    counting = True
    noun = ""

    def key(self, matching: ir.Table, criterion: Any) -> ir.Value:
        return canonical_key(Typed.of_json(matching.properties, criterion.property))

    def columns(self, criterion: Any) -> set[str]:
        return {"properties"}

    def occurrences(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """entity_id, ts, key: each matching event carrying an item (a non-null key)."""
        tests = matching_tests(before, criterion.event, criterion.where, criterion.within_days, can)
        matching = keep(before, tests)
        keyed = matching.select("entity_id", "ts", key=self.key(matching, criterion))
        return keyed.filter(keyed.key.notnull())

    def firsts(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        keyed = self.occurrences(before, criterion, can)
        return keyed.group_by("entity_id", "key").agg(first_ts=keyed.ts.min()).drop("key")

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        return None

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        return nth_first(self.firsts(before, criterion, can), criterion.at_least, can, name)

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        firsts = self.firsts(before, criterion, can)
        return firsts.select("entity_id", ts=firsts.first_ts, weight=unit_weight())

    def unit(self, criterion: Any) -> str:
        return str(criterion.property)

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        return present_weight(self.items(before, criterion, can))

    def progress_unit(self, criterion: Any) -> str:
        return self.unit(criterion)

    def describe(self, criterion: Any) -> str:
        return (
            f"{criterion.at_least} distinct {self.unit(criterion)} in "
            f"{named(criterion.event)}{filtered(criterion)}"
        )

    def progress(self, criterion: Any, value: float | None) -> str:
        return f"{amount(value)} of {criterion.at_least} {self.unit(criterion)}"


class Distinct(_Distinct):
    pass


class Users(_Distinct):
    name = "users"

    def key(self, matching: ir.Table, criterion: Any) -> ir.Value:
        return matching.user_id

    def columns(self, criterion: Any) -> set[str]:
        return {"user_id"} | ({"properties"} if criterion.where else set())

    def unit(self, criterion: Any) -> str:
        return "users"

    def describe(self, criterion: Any) -> str:
        return f"{criterion.at_least} users{scope(criterion)}"
