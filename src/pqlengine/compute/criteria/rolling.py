"""Criteria with `in_last_days: D` (docs/semantics.md "Lifecycle"): each occurrence of an
item covers [o, o + D), and the criterion holds while the weight of the items present
reaches at_least.

An item's occurrences merge into islands (a new island where an occurrence starts after
the previous one's end: all are D long, so the previous end is the previous o + D); the
present weight W steps +weight at each island's start and -weight at its end, so W over
time is the running sum of those steps (`base.running`). A `count` or `sum` item is one
event: its island is [ts, ts + D)."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import Capabilities, first_reaching, window_length
from pqlengine.compute.criteria.kind import Kind

# Kinds whose item is one event (no two occurrences of one item to merge).
_EVENT_ITEMS = ("count", "sum")


def is_rolling(criterion: Any) -> bool:
    """Whether `criterion` sets in_last_days."""
    return getattr(criterion, "in_last_days", None) is not None


def presence(kind: Kind, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
    """entity_id, ts, weight: the steps of the present weight W (+weight where an island of
    an item starts, -weight where it ends)."""
    length = window_length(criterion.in_last_days)
    if criterion.kind in _EVENT_ITEMS:
        items = kind.items(before, criterion, can)
        ends = items.select("entity_id", ts=items.ts + length, weight=-items.weight)
        return items.select("entity_id", "ts", "weight").union(ends, distinct=False)
    keyed = kind.occurrences(before, criterion, can)  # type: ignore[attr-defined]
    window = ibis.window(group_by=["entity_id", "key"], order_by="ts")
    previous = keyed.ts.lag(1).over(window)
    following = keyed.ts.lead(1).over(window)
    marked = keyed.mutate(
        starts=previous.isnull() | (keyed.ts > previous + length),
        ends=following.isnull() | (following > keyed.ts + length),
    )
    one = ibis.literal(1).cast("float64")
    starts = marked.filter(marked.starts).select("entity_id", "ts", weight=one)
    ends = marked.filter(marked.ends).select("entity_id", ts=marked.ts + length, weight=-one)
    return starts.union(ends, distinct=False)


def satisfied(
    kind: Kind, before: ir.Table, criterion: Any, can: Capabilities, name: str
) -> ir.Table:
    """s_id and `name`: the first instant W >= at_least (a sum's can be an o + D, where a
    negative item leaves)."""
    return first_reaching(presence(kind, before, criterion, can), criterion.at_least, name)


def recent(before: ir.Table, criterion: Any, as_of: ir.TimestampValue) -> ir.Table:
    """The rows of `before` inside the window at as_of, (as_of - D, as_of]: their items are
    the ones present at as_of (a rolling criterion's progress)."""
    return before.filter(before.ts > as_of - window_length(criterion.in_last_days))
