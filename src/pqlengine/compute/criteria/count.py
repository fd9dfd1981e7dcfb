"""`count`: the at_least-th matching event (the default kind)."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import (
    Capabilities,
    keep,
    matching_tests,
    nth_smallest,
    present_weight,
    short_circuit,
    unit_weight,
)
from pqlengine.compute.criteria.words import amount, filtered, named


class Count:
    name = "count"
    counting = True

    def columns(self, criterion: Any) -> set[str]:
        return {"properties"} if criterion.where else set()

    def tests(self, before: ir.Table, criterion: Any, can: Capabilities) -> list[ir.BooleanValue]:
        return matching_tests(before, criterion.event, criterion.where, criterion.within_days, can)

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        where = short_circuit(self.tests(before, criterion, can))
        return nth_smallest(before.ts, criterion.at_least, where, can)

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        matching = keep(before, self.tests(before, criterion, can))
        ordered = matching.mutate(
            position=ibis.row_number().over(group_by="entity_id", order_by="ts")
        )
        nth = ordered.filter(ordered.position == criterion.at_least - 1)
        return nth.select(s_id=nth.entity_id, **{name: nth.ts})

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        matching = keep(before, self.tests(before, criterion, can))
        return matching.select("entity_id", "ts", weight=unit_weight())

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        return present_weight(self.items(before, criterion, can))

    def progress_unit(self, criterion: Any) -> str:
        return named(criterion.event)

    def describe(self, criterion: Any) -> str:
        return f"{named(criterion.event)}{filtered(criterion)} ≥ {criterion.at_least}"

    def progress(self, criterion: Any, value: float | None) -> str:
        return f"{amount(value)} of {criterion.at_least} {named(criterion.event)}"
