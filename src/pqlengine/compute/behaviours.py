"""Behaviours beyond "event done k times" for discovery and suggest, measured per entity over
its window events with the semantics of the criterion kinds they become (compute/criteria):
the sum of a numeric property, the distinct values of a wide property, the users of an
account, the longest run of consecutive UTC days with an event.

A behaviour plus a threshold is a criterion: `criterion` writes it as pql.yaml would, and
its words come from the kind's own `describe`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel

from pqlengine.compute.criteria import KINDS, Capabilities, describe
from pqlengine.compute.criteria.base import running
from pqlengine.compute.criteria.distinct import Distinct
from pqlengine.config import CRITERION_MODELS

# A property with more distinct values than this (in one event) is "wide": its values are
# tested as a distinct count, not one by one.
MAX_PROPERTY_VALUES = 10
# Candidate kinds of discovery that are not criterion kinds of the same name.
_CRITERION_KIND = {"event": "count", "property": "count"}


@dataclass(frozen=True, order=True)
class Behaviour:
    """A per-entity measure: `kind` is a criterion kind (count, sum, distinct, users,
    active_days, consecutive_days); `event` None means any event."""

    kind: str
    event: str | None = None
    property: str | None = None

    def criterion(self, at_least: float, within_days: int | None = None) -> dict[str, Any]:
        """The criterion "measure >= at_least" as a pql.yaml mapping (validated)."""
        entry: dict[str, Any] = {"id": self.criterion_id()}
        if self.kind != "count":
            entry["kind"] = self.kind
        if self.event is not None:
            entry["event"] = self.event
        if self.property is not None:
            entry["property"] = self.property
        entry["at_least"] = float(at_least) if self.kind == "sum" else int(at_least)
        if within_days is not None:
            entry["within_days"] = within_days
        self.model(entry)
        return entry

    def model(self, entry: dict[str, Any]) -> BaseModel:
        """`entry` as the config model of this kind (raises on an invalid criterion)."""
        return CRITERION_MODELS[self.kind].model_validate(entry)

    def label(self, at_least: float) -> str:
        """The criterion in words, as the engine says it ("active 3 days in a row ...")."""
        return describe(self.model(self.criterion(at_least)))

    def criterion_id(self) -> str:
        """A criterion id: the event, the property and the kind, lower case."""
        parts = [p for p in (self.event, self.property) if p is not None]
        if self.kind != "count" or not parts:
            parts.append(self.kind)
        text = re.sub(r"[^a-z0-9]+", "_", " ".join(parts).lower()).strip("_")
        return text or self.kind


def behaviour_of(kind: str, event: str | None, property: str | None) -> Behaviour | None:
    """The behaviour behind a discovery candidate (None for value pairs and traits, which
    are filters and segments rather than measures)."""
    if kind in ("property", "trait"):
        return None
    return Behaviour(_CRITERION_KIND.get(kind, kind), event, property)


@dataclass(frozen=True)
class PropertySpread:
    """How one property of one event looks in the window: distinct values, and how many of
    its values are numbers (JSON numbers or numeric strings) out of all."""

    event: str
    key: str
    values: int
    numeric: int
    total: int

    @property
    def is_numeric(self) -> bool:
        """Most values are numbers: summed as a `sum` criterion would."""
        return 2 * self.numeric > self.total and self.values >= 2

    @property
    def is_wide(self) -> bool:
        """Too many distinct (non-numeric) values to test one by one: a `distinct` count."""
        return not self.is_numeric and self.values > MAX_PROPERTY_VALUES


def property_behaviours(spreads: list[PropertySpread]) -> list[Behaviour]:
    """`sum` for numeric properties, `distinct` for wide ones, in a stable order."""
    found = [Behaviour("sum", s.event, s.key) for s in spreads if s.is_numeric]
    found += [Behaviour("distinct", s.event, s.key) for s in spreads if s.is_wide]
    return sorted(found)


def active_days(events: ir.Table) -> ir.Table:
    """entity_id, day: each UTC calendar day with an event, once."""
    return events.select("entity_id", day=events.ts.truncate("D")).distinct()


def longest_runs(days: ir.Table) -> ir.Table:
    """entity_id, value: the longest run of consecutive days among `days` (`active_days`)."""
    days = days.mutate(position=ibis.row_number().over(group_by="entity_id", order_by="day"))
    # Within a run, the day's number minus its position is constant.
    island = days.mutate(island=(days.day.epoch_seconds() / 86_400).round() - days.position)
    runs = island.group_by("entity_id", "island").agg(length=island.count())
    return runs.group_by("entity_id").agg(value=runs.length.max())


def property_measure(inside: ir.Table, behaviour: Behaviour, backend: Capabilities) -> ir.Table:
    """entity_id, value for a `sum` or `distinct` behaviour over `inside` (window events with
    event, ts, properties), through the kind's own items: a sum is the highest running total
    (a criterion that held once holds on), a distinct count the number of first occurrences."""
    criterion = behaviour.model(behaviour.criterion(1))
    if behaviour.kind == "sum":
        totals = running(KINDS["sum"].items(inside, criterion, backend))
        return totals.group_by("entity_id").agg(value=totals.present.max())
    if behaviour.kind == "distinct":
        firsts = Distinct().firsts(inside, criterion, backend)
        return firsts.group_by("entity_id").agg(value=firsts.count())
    raise ValueError(f"no property measure for kind {behaviour.kind}")


def measured(
    parts: list[tuple[Behaviour, ir.Table]],
) -> tuple[list[Behaviour], ir.Table | None]:
    """The behaviours and one long table entity_id, behaviour (index), value (float64) of
    their per-entity measures (None when there are none)."""
    tables = [
        table.select("entity_id", behaviour=ibis.literal(index), value=table.value.cast("float64"))
        for index, (_, table) in enumerate(parts)
    ]
    if not tables:
        return [], None
    return [b for b, _ in parts], ibis.union(*tables, distinct=False)
