"""Episodes (docs/semantics.md "Lifecycle"): the intervals in which an entity is a PQL,
by interval arithmetic in the backend.

Every condition of the state (the rule, the active-days gate, activity under an expiry)
is a step function of time, kept as its steps: +1 where it becomes true, -1 where it
stops. Summed per instant, the running total counts the conditions true there; the state
is true where all are. Episodes are the runs of that, cut at the conversion and at as_of;
fit, which does not change with time, is applied by the verdict.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from pqlengine.compute.criteria.base import running, window_length
from pqlengine.config import RULE_TOLERANCE

# Later than any instant in a store: stands for "never" where LEAST must not see NULLs
# (Snowflake's and BigQuery's LEAST return NULL when any argument is NULL).
NEVER = datetime(9999, 12, 31)


def _steps(table: ir.Table, flag: ir.BooleanValue) -> ir.Table:
    """entity_id, ts, step: +1 where `flag` (a value over `table`: entity_id, ts, one row
    per instant) turns true, -1 where it turns false."""
    marked = table.mutate(on=flag)
    window = ibis.window(group_by="entity_id", order_by="ts")
    # The lag as a column first: a filter on a window expression compiles to SQL that
    # PostgreSQL and Spark refuse (it names a relation out of scope).
    marked = marked.mutate(was=ibis.coalesce(marked.on.lag(1).over(window), False))
    changed = marked.filter(marked.on != marked.was)
    return changed.select("entity_id", "ts", step=ibis.ifelse(changed.on, 1, -1))


def rule_steps(changes: ir.Table, threshold: float) -> ir.Table:
    """entity_id, ts, step of the rule holding (`changes`: entity_id, ts, weight, every
    change of the rule's total contribution)."""
    totals = running(changes)
    return _steps(totals, totals.present >= threshold - RULE_TOLERANCE)


def gate_steps(gate: ir.Table) -> ir.Table:
    """entity_id, ts, step: the active-days gate (g_id, g_at) holds from g_at on."""
    held = gate.filter(gate.g_at.notnull())
    return held.select(entity_id=held.g_id, ts=held.g_at, step=ibis.literal(1))


def activity_steps(spans: ir.Table, days: float) -> ir.Table:
    """entity_id, ts, step: active while some activity event has ts <= t < ts + days.
    `spans` (entity_id, first, last): disjoint groups of activity events less than `days`
    apart (each event, or with days >= 1 each UTC day: `activity.activity_spans`), each
    active over [first, last + days); spans closer than `days` merge into one island."""
    length = window_length(days)
    # Spans are disjoint, so ordered by first the one before ends at its own last + days.
    window = ibis.window(group_by="entity_id", order_by="first")
    previous = spans["last"].lag(1).over(window)
    following = spans["first"].lead(1).over(window)
    marked = spans.mutate(
        starts=previous.isnull() | (spans["first"] > previous + length),
        ends=following.isnull() | (following > spans["last"] + length),
    )
    starts = marked.filter(marked.starts).select(
        "entity_id", ts=marked["first"], step=ibis.literal(1)
    )
    ends = marked.filter(marked.ends).select(
        "entity_id", ts=marked["last"] + length, step=ibis.literal(-1)
    )
    return starts.union(ends, distinct=False)


def episodes(
    conditions: list[ir.Table], anchors: ir.Table, as_of: ir.TimestampValue
) -> tuple[ir.Table, ir.Table]:
    """The episodes of each entity (e_id, start, end: NULL while open at as_of), and its
    next change (n_id, next_change_at: the first instant after as_of at which the state
    changes on the same data; the verdict drops it for converted entities).

    `conditions`: the steps (entity_id, ts, step) of each condition; `anchors`: a_entity,
    a_signup, a_converted. The state holds where every condition does, before the
    conversion, up to as_of."""
    parts = [_uniform(c) for c in conditions]
    steps = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    at = steps.group_by("entity_id", "ts").agg(step=steps.step.sum())
    window = ibis.window(group_by="entity_id", order_by="ts", rows=(None, 0))
    level = at.mutate(level=at.step.sum().over(window))
    edges = _steps(level, level.level == len(conditions))
    # Inside a filter of another relation, an as_of read from a table (the live clock)
    # must be a subquery.
    as_of = as_of.as_scalar() if isinstance(as_of, ir.Scalar) else as_of
    later = edges.filter(edges.ts > as_of)
    upcoming = later.group_by(n_id=later.entity_id).agg(next_change_at=later.ts.min())
    following = edges.ts.lead(1).over(ibis.window(group_by="entity_id", order_by="ts"))
    runs = edges.mutate(end=following)
    runs = runs.filter(runs.step == 1)
    joined = runs.inner_join(anchors, runs.entity_id == anchors.a_entity)
    never = ibis.literal(NEVER, type="timestamp")
    converted = ibis.coalesce(joined.a_converted, never)
    kept = joined.filter(joined.ts < converted, joined.ts <= as_of)
    end = ibis.least(ibis.coalesce(kept.end, never), ibis.coalesce(kept.a_converted, never))
    found = kept.select(
        e_id=kept.entity_id,
        start=kept.ts,
        end=ibis.ifelse(end > as_of, ibis.null("timestamp"), end),
    )
    return found, upcoming


def per_entity(found: ir.Table) -> ir.Table:
    """e_id, episode_starts, episode_ends (closed episodes only), first_start, open_since
    (the open episode's start) and last_end, from `episodes` rows."""
    return found.group_by("e_id").agg(
        episode_starts=found.start.collect().sort(),
        episode_ends=found.end.collect().sort(),
        first_start=found.start.min(),
        open_since=found.start.max(where=found.end.isnull()),
        last_end=found.end.max(),
    )


def _uniform(steps: ir.Table) -> ir.Table:
    """`steps` with one schema for every union member."""
    return steps.select(
        entity_id=steps.entity_id.cast("string"),
        ts=steps.ts.cast("timestamp"),
        step=steps.step.cast("int64"),
    )
