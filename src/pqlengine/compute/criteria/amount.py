"""`sum`: the running sum of a numeric property of matching events reaches at_least."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import (
    Capabilities,
    first_reaching,
    keep,
    matching_tests,
    present_weight,
)
from pqlengine.compute.criteria.words import filtered, named, quantity
from pqlengine.compute.matching import Typed


def numeric_value(table: ir.Table, key: str) -> ir.FloatingValue:
    """properties[key] as a number (a JSON number or a string spelling one), else 0."""
    number = Typed.of_json(table.properties, key).as_number()
    assert number is not None
    return ibis.coalesce(number, 0.0)


class Sum:
    name = "sum"
    counting = True

    def columns(self, criterion: Any) -> set[str]:
        return {"properties"}

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        return None

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        return first_reaching(self.items(before, criterion, can), criterion.at_least, name)

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        tests = matching_tests(before, criterion.event, criterion.where, criterion.within_days, can)
        matching = keep(before, tests)
        return matching.select(
            "entity_id", "ts", weight=numeric_value(matching, criterion.property)
        )

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        return present_weight(self.items(before, criterion, can))

    def progress_unit(self, criterion: Any) -> str:
        return str(criterion.property)

    def describe(self, criterion: Any) -> str:
        total = quantity(criterion.at_least, criterion.property)
        events = f"{named(criterion.event)}{filtered(criterion)}"
        return f"sum of {criterion.property} in {events} ≥ {total}"

    def progress(self, criterion: Any, value: float | None) -> str:
        done = quantity(value or 0.0, criterion.property)
        return f"{done} of {quantity(criterion.at_least, criterion.property)}"
