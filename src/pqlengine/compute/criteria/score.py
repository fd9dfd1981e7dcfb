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

from pqlengine.compute.criteria import Capabilities, criterion_column, kind_of
from pqlengine.compute.criteria.base import running
from pqlengine.config import RULE_TOLERANCE, Definition


def uses_points(definition: Definition) -> bool:
    """Whether any criterion sets points."""
    return any(getattr(c, "points", None) is not None for c in definition.criteria)


def monotone(definition: Definition) -> bool:
    """Whether the rule, once it holds, holds from then on: true unless points multiply a
    sum (whose values may be negative)."""
    return not any(
        getattr(c, "points", None) is not None and c.kind == "sum" for c in definition.criteria
    )


def _points_deltas(before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
    """entity_id, ts, weight: the change of min(points x present weight, max_points) at
    each instant the criterion's present weight changes."""
    present = running(kind_of(criterion).items(before, criterion, can))
    scaled = present.present * criterion.points
    if criterion.max_points is not None:
        scaled = ibis.least(scaled, criterion.max_points)
    scored = present.mutate(contribution=scaled)
    window = ibis.window(group_by="entity_id", order_by="ts")
    previous = scored.contribution.lag(1).over(window)
    return scored.select(
        "entity_id", "ts", weight=scored.contribution - ibis.coalesce(previous, 0.0)
    )


def contributions(
    before: ir.Table, satisfied: ir.Table, definition: Definition, can: Capabilities
) -> ir.Table:
    """entity_id, ts, weight: every change of the rule's total contribution (`satisfied`
    has c_id and criterion_<i>_at)."""
    parts = []
    for index, criterion in enumerate(definition.criteria):
        if getattr(criterion, "points", None) is not None:
            parts.append(_points_deltas(before, criterion, can))
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


def first_holding(changes: ir.Table, threshold: float, gate: ir.Table | None = None) -> ir.Table:
    """r_id, held_at, holds_at_end: per entity, the first instant at which the summed
    `changes` (entity_id, ts, weight) reach `threshold` and, with `gate` (g_id, g_at), at
    or after g_at (entities without a gate row are left out); and whether the sum reaches
    it after the last change (at as_of, for changes up to as_of)."""
    if gate is not None:
        gated = gate.filter(gate.g_at.notnull())
        zero = gated.select(entity_id=gated.g_id, ts=gated.g_at, weight=ibis.literal(0.0))
        changes = changes.union(_changes(zero), distinct=False)
    totals = running(changes)
    holds = totals.present >= threshold - RULE_TOLERANCE
    if gate is not None:
        totals = totals.inner_join(gated, totals.entity_id == gated.g_id)
        holds = (totals.present >= threshold - RULE_TOLERANCE) & (totals.ts >= totals.g_at)
    final = totals.present.argmax(totals.ts)  # one row per instant: no ties
    return totals.group_by(r_id=totals.entity_id).agg(
        held_at=totals.ts.min(where=holds),
        holds_at_end=final >= threshold - RULE_TOLERANCE,
    )
