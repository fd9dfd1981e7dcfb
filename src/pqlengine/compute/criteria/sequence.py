"""`sequence`: steps done in order with strictly increasing time, optionally within a
bound from the first step; satisfied at the earliest completion.

For a given first-step event, taking at each later step the earliest matching event
strictly after the previous one gives that start's earliest completion (any other choice
can only end later), so the earliest completion over all starts is the earliest of these
greedy chains that ends inside the bound. Per entity, the instants with a matching event
of any step carry, for each step j > 1, the next instant strictly after them with a
step-j event (a window over the distinct instants); the chain then follows these links
with k - 2 equality joins."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import (
    Capabilities,
    matching_tests,
    short_circuit,
    window_length,
)
from pqlengine.compute.criteria.words import duration


def _instants(before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
    """entity_id, ts and has_<j> (whether a step-j event happens at ts) per instant with a
    matching event of some step, plus next_<j>: the first instant after ts with a step-j
    event (j >= 1)."""
    steps = criterion.steps
    flags = {
        f"has_{j}": short_circuit(matching_tests(before, s.event, s.where, None, can))
        for j, s in enumerate(steps)
    }
    marked = before.mutate(**flags)
    marked = marked.filter(ibis.or_(*[marked[f"has_{j}"] for j in range(len(steps))]))
    at = marked.group_by("entity_id", "ts").agg(
        **{f"has_{j}": marked[f"has_{j}"].any() for j in range(len(steps))}
    )
    later = ibis.window(group_by="entity_id", order_by="ts", rows=(1, None))
    return at.mutate(
        **{f"next_{j}": at.ts.min(where=at[f"has_{j}"]).over(later) for j in range(1, len(steps))}
    )


class Sequence:
    name = "sequence"
    counting = False

    def columns(self, criterion: Any) -> set[str]:
        return {"properties"} if criterion.reads_properties else set()

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        return None

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        done = self.completions(before, criterion, can)
        return done.group_by(s_id=done.c_entity).agg(**{name: done.c_at.min()})

    def completions(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """c_entity, c_start, c_at: each start's earliest completion inside the bound."""
        instants = _instants(before, criterion, can)
        starts = instants.filter(instants.has_0)
        chain = starts.select(c_entity=starts.entity_id, c_start=starts.ts, c_at=starts.next_1)
        for j in range(2, len(criterion.steps)):
            link = instants.select(l_entity="entity_id", l_ts="ts", l_next=f"next_{j}")
            joined = chain.inner_join(
                link, (chain.c_entity == link.l_entity) & (chain.c_at == link.l_ts)
            )
            chain = joined.select("c_entity", "c_start", c_at=joined.l_next)
        done = chain.filter(chain.c_at.notnull())
        bound = criterion.bound_days
        if bound is not None:
            done = done.filter(done.c_at < done.c_start + window_length(bound))
        return done

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """Seconds from the first to the last step of the earliest completion (of those
        ending then, the shortest)."""
        done = self.completions(before, criterion, can)
        earliest = done.group_by(e_entity=done.c_entity).agg(e_at=done.c_at.min())
        joined = done.inner_join(
            earliest, (done.c_entity == earliest.e_entity) & (done.c_at == earliest.e_at)
        )
        latest = joined.group_by(p_id=joined.c_entity).agg(
            e_at=joined.c_at.min(), e_start=joined.c_start.max()
        )
        took = latest.e_at.epoch_seconds() - latest.e_start.epoch_seconds()
        return latest.select("p_id", value=took.cast("float64"))

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        raise ValueError("a sequence has no items (points do not apply)")

    def progress_unit(self, criterion: Any) -> str:
        return "workflow"

    def describe(self, criterion: Any) -> str:
        steps = " → ".join(
            step.event + (" (filtered)" if step.where else "") for step in criterion.steps
        )
        bound = criterion.bound_days
        within = "" if bound is None else f" within {duration(bound * 86_400)}"
        return f"{steps}{within}"

    def progress(self, criterion: Any, value: float | None) -> str:
        if value is None:
            return f"not done ({len(criterion.steps)} steps)"
        return f"workflow done in {duration(value)}"
