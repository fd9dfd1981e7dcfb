"""`active_days` (distinct UTC days with a matching event) and `consecutive_days` (a run
of consecutive such days)."""

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
from pqlengine.compute.criteria.words import amount, scope


def matching_days(before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
    """entity_id, day, first_ts: each UTC day with a matching event and its first one."""
    tests = matching_tests(before, criterion.event, criterion.where, criterion.within_days, can)
    return day_firsts(keep(before, tests))


def day_firsts(events: ir.Table) -> ir.Table:
    """entity_id, day, first_ts: the active-days items of `events` (each UTC day with an
    event, first occurring at its first event). The definition's min_active_days gate is
    this over every event after signup (also after a conversion); the day registry is an
    optimisation of it (registry.py)."""
    return events.group_by("entity_id", day=events.ts.truncate("D")).agg(first_ts=events.ts.min())


def days_reached(days: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
    """s_id and `name`: per entity of `days` (entity_id, day, first_ts), the first event
    of its at_least-th day (an `active_days` criterion's satisfied_at)."""
    return nth_first(days.drop("day"), criterion.at_least, can, name)


def run_reached(days: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
    """s_id and `name`: per entity of `days` (entity_id, day, first_ts), the first event
    of the last day of its first run of at_least consecutive days (`consecutive_days`)."""
    run = criterion.at_least
    if run == 1:
        return days.group_by(s_id=days.entity_id).agg(**{name: days.first_ts.min()})
    # Days are distinct and ascending: the run-th day back is exactly run - 1 days
    # earlier iff the run days in between are all there.
    window = ibis.window(group_by="entity_id", order_by="day")
    back = days.day.lag(run - 1).over(window)
    ended = days.mutate(ends_run=back == days.day - ibis.interval(days=run - 1))
    return ended.group_by(s_id=ended.entity_id).agg(
        **{name: ended.first_ts.min(where=ended.ends_run)}
    )


def _columns(criterion: Any) -> set[str]:
    return {"properties"} if criterion.where else set()


class ActiveDays:
    name = "active_days"
    counting = True

    def columns(self, criterion: Any) -> set[str]:
        return _columns(criterion)

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        return None

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        return days_reached(matching_days(before, criterion, can), criterion, can, name)

    def occurrences(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """entity_id, ts, key: each matching event, its item the UTC day it falls on."""
        tests = matching_tests(before, criterion.event, criterion.where, criterion.within_days, can)
        matching = keep(before, tests)
        return matching.select("entity_id", "ts", key=matching.ts.truncate("D"))

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        days = matching_days(before, criterion, can)
        return days.select("entity_id", ts=days.first_ts, weight=unit_weight())

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        return present_weight(self.items(before, criterion, can))

    def progress_unit(self, criterion: Any) -> str:
        return "active days"

    def describe(self, criterion: Any) -> str:
        return f"active on {criterion.at_least} days{scope(criterion)}"

    def progress(self, criterion: Any, value: float | None) -> str:
        return f"{amount(value)} of {criterion.at_least} active days"


class ConsecutiveDays:
    name = "consecutive_days"
    counting = False

    def columns(self, criterion: Any) -> set[str]:
        return _columns(criterion)

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        return None

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        return run_reached(matching_days(before, criterion, can), criterion, can, name)

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        raise ValueError("consecutive_days has no items (points do not apply)")

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """The longest run of consecutive matching days so far."""
        days = matching_days(before, criterion, can)
        days = days.mutate(position=ibis.row_number().over(group_by="entity_id", order_by="day"))
        # Within a run, day number minus position is constant.
        island = days.mutate(island=(days.day.epoch_seconds() / 86_400).round() - days.position)
        runs = island.group_by("entity_id", "island").agg(length=island.count())
        return runs.group_by(p_id=runs.entity_id).agg(value=runs.length.max().cast("float64"))

    def progress_unit(self, criterion: Any) -> str:
        return "days in a row"

    def describe(self, criterion: Any) -> str:
        return f"active {criterion.at_least} days in a row{scope(criterion)}"

    def progress(self, criterion: Any, value: float | None) -> str:
        return f"longest run {amount(value)} of {criterion.at_least} days"
