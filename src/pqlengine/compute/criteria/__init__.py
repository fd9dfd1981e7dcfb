"""Criteria by kind (docs/semantics.md "Criteria"): one module per kind says which rows
it reads, when it is satisfied, its items (progress) and its words; this module puts
them together into one wide table per entity.

A new kind touches: config.py (its model), one module here (registered in KINDS), the
oracle (tests/reference) and docs/semantics.md."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from pqlengine.compute.criteria import rolling
from pqlengine.compute.criteria.amount import Sum
from pqlengine.compute.criteria.base import Capabilities
from pqlengine.compute.criteria.count import Count
from pqlengine.compute.criteria.days import ActiveDays, ConsecutiveDays
from pqlengine.compute.criteria.distinct import Distinct, Users
from pqlengine.compute.criteria.every_event import Firsts, reads_user_days, satisfied_from_firsts
from pqlengine.compute.criteria.kind import Kind
from pqlengine.compute.criteria.sequence import Sequence
from pqlengine.compute.criteria.words import amount, recency

__all__ = ["KINDS", "Capabilities", "Kind", "describe", "event_columns", "event_names", "kind_of"]

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (Count(), Sum(), Distinct(), Users(), ActiveDays(), ConsecutiveDays(), Sequence())
}


def kind_of(criterion: Any) -> Kind:
    """The kind implementing `criterion`."""
    return KINDS[criterion.kind]


def describe(criterion: Any) -> str:
    """The criterion in words ("Logged In x 1 point, at most 20" with points)."""
    points = getattr(criterion, "points", None)
    if points is None:
        return kind_of(criterion).describe(criterion) + recency(criterion)
    unit = kind_of(criterion).progress_unit(criterion)
    return f"{unit}{recency(criterion)} x {points_text(criterion)}"


def progress_text(criterion: Any, value: float | None) -> str:
    """Progress in words: "2 of 3 devices"; with points "2 Logged In: 2 of at most 20
    points"."""
    points = getattr(criterion, "points", None)
    if points is None:
        return kind_of(criterion).progress(criterion, value) + recency(criterion)
    earned = points * float(value or 0.0)
    cap = criterion.max_points
    if cap is not None:
        earned = min(earned, cap)
    done = f"{amount(value)} {kind_of(criterion).progress_unit(criterion)}{recency(criterion)}"
    most = f" of at most {amount(cap)}" if cap is not None else ""
    return f"{done}: {amount(earned)}{most} points"


def points_text(criterion: Any) -> str:
    """ "1 point, at most 20"."""
    unit = "point" if criterion.points == 1 else "points"
    cap = "" if criterion.max_points is None else f", at most {amount(criterion.max_points)}"
    return f"{amount(criterion.points)} {unit}{cap}"


def event_names(criteria: list[Any]) -> list[str] | None:
    """The event names the criteria read (None: some criterion reads every event)."""
    names: set[str] = set()
    for criterion in criteria:
        read = criterion.event_names
        if read is None:
            return None
        names.update(read)
    return sorted(names)


def event_columns(criteria: list[Any]) -> tuple[str, ...]:
    """The event columns the criteria read."""
    columns = {"event", "ts"}
    for criterion in criteria:
        columns |= kind_of(criterion).columns(criterion)
    return tuple(sorted(columns))


def criterion_column(index: int) -> str:
    """Column holding criterion `index`'s satisfied_at (ids are user text, so not names)."""
    return f"criterion_{index}_at"


def satisfied_table(
    before: ir.Table,
    criteria: list[Any],
    can: Capabilities,
    firsts: Firsts | None = None,
    population: ir.Table | None = None,
) -> ir.Table:
    """c_id plus criterion_<i>_at per entity with a row in `before` (or per entity of
    `population`, a c_id column, when given). Criteria with an aggregate share one grouped
    scan; each other one is a subquery joined on; those over every event
    (`every_event.reads_user_days`) are read from `firsts`, which must then be given,
    with `population`."""
    aggregates: dict[str, ir.Value] = {}
    separate: list[tuple[int, Any]] = []
    for index, criterion in enumerate(criteria):
        value = None
        if not reads_user_days(criterion) and not rolling.is_rolling(criterion):
            value = kind_of(criterion).aggregate(before, criterion, can)
        if value is None:
            separate.append((index, criterion))
        else:
            aggregates[criterion_column(index)] = value
    table = population
    if aggregates:
        scanned = before.group_by(c_id=before.entity_id).agg(**aggregates)
        if table is None:
            table = scanned
        else:
            scanned = scanned.rename(sc_id="c_id")
            table = table.left_join(scanned, table.c_id == scanned.sc_id).drop("sc_id")
    elif table is None:
        table = before.select(c_id=before.entity_id).distinct()
    for index, criterion in separate:
        name = criterion_column(index)
        if rolling.is_rolling(criterion):
            part = rolling.satisfied(kind_of(criterion), before, criterion, can, name)
        elif reads_user_days(criterion):
            assert firsts is not None, "criteria over every event need the first events"
            part = satisfied_from_firsts(firsts, criterion, can, name)
        else:
            part = kind_of(criterion).satisfied(before, criterion, can, name)
        table = table.left_join(part, table.c_id == part.s_id).drop("s_id")
    return table.select("c_id", *[criterion_column(i) for i in range(len(criteria))])
