"""The rule when criteria set `points` (docs/semantics.md "Rule satisfied_at"): each
contributes min(points x present weight, max_points) at every instant, the others their
weight while they hold; the rule holds where the contributions reach the threshold.

Contributions change only at instants where an item occurs or a criterion becomes
satisfied, so per entity the contributions are kept as changes (deltas) at those
instants and summed in time order."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria import Capabilities, criterion_column, kind_of, rolling
from pqlengine.compute.criteria.base import running
from pqlengine.config import RULE_TOLERANCE, Definition


def uses_points(definition: Definition) -> bool:
    """Whether any criterion sets points."""
    return any(getattr(c, "points", None) is not None for c in definition.criteria)


def monotone(definition: Definition) -> bool:
    """Whether the rule, once it holds, holds from then on: true unless points multiply a
    sum (whose values may be negative) or a criterion has a rolling window."""
    return not definition.rolling and not any(
        getattr(c, "points", None) is not None and c.kind == "sum" for c in definition.criteria
    )


def _steps(present: ir.Table, contribution: ir.FloatingValue) -> ir.Table:
    """entity_id, ts, weight: the change of `contribution` (a value of `present`: entity_id,
    ts, present) at each instant of `present`, where it is not 0."""
    scored = present.mutate(contribution=contribution)
    window = ibis.window(group_by="entity_id", order_by="ts")
    previous = scored.contribution.lag(1).over(window)
    steps = scored.select(
        "entity_id", "ts", weight=scored.contribution - ibis.coalesce(previous, 0.0)
    )
    return steps.filter(steps.weight != 0)


def _weight_deltas(before: ir.Table, criterion: Any, weight: float, can: Capabilities) -> ir.Table:
    """entity_id, ts, weight: the changes of the criterion's contribution to the rule when
    it is a points criterion or a rolling one (whose W can fall)."""
    kind = kind_of(criterion)
    if rolling.is_rolling(criterion):
        present = running(rolling.presence(kind, before, criterion, can))
    else:
        present = running(kind.items(before, criterion, can))
    if getattr(criterion, "points", None) is not None:
        scaled = present.present * criterion.points
        if criterion.max_points is not None:
            scaled = ibis.least(scaled, criterion.max_points)
        return _steps(present, scaled)
    held = present.present >= criterion.at_least - RULE_TOLERANCE
    return _steps(present, ibis.ifelse(held, weight, 0.0))


def contributions(
    before: ir.Table, satisfied: ir.Table, definition: Definition, can: Capabilities
) -> ir.Table:
    """entity_id, ts, weight: every change of the rule's total contribution (`satisfied`
    has c_id and criterion_<i>_at)."""
    parts = []
    for index, criterion in enumerate(definition.criteria):
        if getattr(criterion, "points", None) is not None or rolling.is_rolling(criterion):
            parts.append(_weight_deltas(before, criterion, definition.weight_of(criterion), can))
            continue
        at = satisfied[criterion_column(index)]
        held = satisfied.filter(at.notnull())
        parts.append(
            held.select(
                entity_id=held.c_id,
                ts=held[criterion_column(index)],
                weight=ibis.literal(definition.weight_of(criterion)),
            )
        )
    parts = [_changes(part) for part in parts]
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def _changes(part: ir.Table) -> ir.Table:
    """`part` with one schema for every union member (the backends' timestamp types of
    events and of computed instants can differ)."""
    return part.select(
        entity_id=part.entity_id.cast("string"),
        ts=part.ts.cast("timestamp"),
        weight=part.weight.cast("float64"),
    )


def first_holding(changes: ir.Table, threshold: float) -> ir.Table:
    """r_id, held_at: per entity, the first instant at which the summed `changes`
    (entity_id, ts, weight) reach `threshold`."""
    totals = running(changes)
    holds = totals.present >= threshold - RULE_TOLERANCE
    return totals.group_by(r_id=totals.entity_id).agg(held_at=totals.ts.min(where=holds))
