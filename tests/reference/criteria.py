"""Criteria of every kind (docs/semantics.md, "Criteria"): plain loops, deliberately literal.

Each criterion of a counting kind (`count`, `sum`, `distinct`, `users`, `active_days`) is
evaluated through `present_weight(criterion, matching, t)`, the W(t) of the text, at every
instant where it may change (each occurrence, and each occurrence + D with `in_last_days`);
`consecutive_days` and `sequence` have their own paragraphs. Nothing here is clever: W(t)
is recomputed from scratch at every instant.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.reference.matching import as_number, canonical_text, where_matches
from tests.reference.world import Row

TOLERANCE = 1e-9
COUNTING_KINDS = ("count", "sum", "distinct", "users", "active_days")
KINDS = (*COUNTING_KINDS, "consecutive_days", "sequence")


@dataclass(frozen=True)
class Window:
    """What every matching event shares: signup_at <= ts <= as_of, ts < converted_at."""

    signup: datetime
    converted: datetime | None
    as_of: datetime

    def admits(self, ts: datetime) -> bool:
        """The common rules of Matching events (without `within_days`)."""
        if not self.signup <= ts <= self.as_of:
            return False
        return self.converted is None or ts < self.converted


def kind_of(criterion: Row) -> str:
    """`kind`, default `count`."""
    kind: str = criterion.get("kind", "count")
    if kind not in KINDS:
        raise ValueError(f"criterion {criterion.get('id')!r}: unknown kind {kind!r}")
    return kind


def matching_events(criterion: Row, events: list[Row], window: Window) -> list[Row]:
    """The criterion's matching events (every kind but `sequence`), sorted by ts."""
    name = criterion.get("event")
    within_days = criterion.get("within_days")
    # timedelta rounds to the nearest microsecond, as the text asks.
    end = window.signup + timedelta(days=within_days) if within_days is not None else None
    matching = []
    for event in events:
        if name is not None and event["event"] != name:
            continue
        if not window.admits(event["ts"]):
            continue
        if end is not None and not event["ts"] < end:
            continue
        if not where_matches(criterion.get("where"), event["properties"].get):
            continue
        matching.append(event)
    return sorted(matching, key=lambda e: e["ts"])


def rolling_window(criterion: Row) -> timedelta | None:
    """`in_last_days` as a timedelta (rounded to the microsecond), None without it
    (docs/semantics.md, Lifecycle)."""
    days = criterion.get("in_last_days")
    if days is None:
        return None
    if kind_of(criterion) not in COUNTING_KINDS:
        raise ValueError(f"criterion {criterion.get('id')!r}: in_last_days on a counting kind only")
    if isinstance(days, bool) or not days > 0:
        raise ValueError(f"criterion {criterion.get('id')!r}: in_last_days must be > 0")
    return timedelta(days=days)


def sum_weight(event: Row, prop: str) -> float:
    """The numeric value of properties[prop]: a JSON number or a string spelling one; 0
    for anything else (missing, bool, other string, object, array)."""
    number = as_number(event["properties"].get(prop))
    return 0.0 if number is None else number


Item = tuple[float, list[datetime]]  # (weight, occurrence times)


def items(criterion: Row, matching: list[Row]) -> list[Item]:
    """The criterion's items (docs/semantics.md, Items): weight and occurrences of each."""
    kind = kind_of(criterion)
    if kind == "count":
        return [(1.0, [e["ts"]]) for e in matching]
    if kind == "sum":
        return [(sum_weight(e, criterion["property"]), [e["ts"]]) for e in matching]
    keyed: dict[Any, list[datetime]] = {}
    for event in matching:
        if kind == "distinct":
            # Reading: keyed by canonical text alone, so the bool true and the string "true"
            # are one item, as are 3 and "3" (the text says so only for numbers). Missing,
            # JSON null, objects and arrays are not items.
            key: Any = canonical_text(event["properties"].get(criterion["property"]))
        elif kind == "users":
            # An event without user_id still matches (it belongs to the account through its
            # account_id) but carries no item.
            key = event.get("user_id")
        elif kind == "active_days":
            key = event["ts"].date()
        else:
            raise ValueError(f"kind {kind!r} has no items")
        if key is not None:
            keyed.setdefault(key, []).append(event["ts"])
    return [(1.0, times) for times in keyed.values()]


def covers(occurrence: datetime, t: datetime, window: timedelta | None) -> bool:
    """Whether an occurrence makes its item present at t: from `o` on, until `o + D`
    (excluded) with a rolling window."""
    return occurrence <= t and (window is None or t < occurrence + window)


def present_weight(criterion: Row, matching: list[Row], t: datetime) -> float:
    """W(t): the summed weight of the items with an occurrence covering t (without
    `in_last_days`: the matching events with ts <= t, ties included)."""
    window = rolling_window(criterion)
    return math.fsum(
        weight
        for weight, times in items(criterion, matching)
        if any(covers(o, t, window) for o in times)
    )


def weight_instants(criterion: Row, matching: list[Row]) -> list[datetime]:
    """Where W may step, ascending: each occurrence, and each occurrence + D when rolling."""
    window = rolling_window(criterion)
    instants = {e["ts"] for e in matching}
    if window is not None:
        instants |= {e["ts"] + window for e in matching}
    return sorted(instants)


def counting_satisfied_at(criterion: Row, matching: list[Row]) -> datetime | None:
    """The first instant t (where W may step) with W(t) >= at_least - 1e-9."""
    needed = float(criterion.get("at_least", 1))
    for t in weight_instants(criterion, matching):
        if present_weight(criterion, matching, t) >= needed - TOLERANCE:
            return t
    return None


def consecutive_satisfied_at(criterion: Row, matching: list[Row]) -> datetime | None:
    """The first matching event of the N-th day of the first run of N consecutive UTC days
    that each have a matching event."""
    # Reading: `at_least` defaults to 1 here too (the general default of Items), so a
    # single matching day holds.
    needed = criterion.get("at_least", 1)
    days = sorted({e["ts"].date() for e in matching})
    for day in days:  # the first day closing a run of N ends the first run of N
        if all(day - timedelta(days=back) in days for back in range(needed)):
            return min(e["ts"] for e in matching if e["ts"].date() == day)
    return None


def sequence_bound(criterion: Row) -> timedelta | None:
    """within_hours or within_days as a timedelta (rounded to the microsecond), or None."""
    if criterion.get("within_hours") is not None:
        return timedelta(hours=criterion["within_hours"])
    if criterion.get("within_days") is not None:
        return timedelta(days=criterion["within_days"])
    return None


def step_events(step: Row, events: list[Row], window: Window) -> list[Row]:
    """A step's matching events: its name, its `where`, and the common rules."""
    return [
        e
        for e in events
        if e["event"] == step["event"]
        and window.admits(e["ts"])
        and where_matches(step.get("where"), e["properties"].get)
    ]


def sequence_satisfied_at(criterion: Row, events: list[Row], window: Window) -> datetime | None:
    """The smallest ek.ts over every completion: one event per step, strictly increasing
    ts, and ek.ts < e1.ts + bound with a bound. Brute force over all chains."""
    # Reading: a sequence reads only its steps' `where`; the text gives a top-level `where`
    # on a sequence no meaning, so the oracle ignores one (the strategies never draw it).
    bound = sequence_bound(criterion)
    candidates = [step_events(step, events, window) for step in criterion["steps"]]
    best: datetime | None = None
    for chain in itertools.product(*candidates):
        times = [e["ts"] for e in chain]
        if not all(a < b for a, b in itertools.pairwise(times)):
            continue
        if bound is not None and not times[-1] < times[0] + bound:
            continue
        if best is None or times[-1] < best:
            best = times[-1]
    return best


@dataclass(frozen=True)
class Evaluated:
    """One criterion of one entity: its satisfied_at and, for counting kinds, its matching
    events (the occurrences W(t) is computed from)."""

    criterion: Row
    satisfied_at: datetime | None
    matching: tuple[Row, ...]

    def holds(self, t: datetime) -> bool:
        """With `in_last_days`: W(t) >= at_least - 1e-9 at t itself; without: held once,
        holds from then on."""
        if rolling_window(self.criterion) is not None:
            needed = float(self.criterion.get("at_least", 1))
            return self.weight_at(t) >= needed - TOLERANCE
        return self.satisfied_at is not None and self.satisfied_at <= t

    def weight_at(self, t: datetime) -> float:
        """W(t) (counting kinds only)."""
        return present_weight(self.criterion, list(self.matching), t)


def evaluate(criterion: Row, events: list[Row], window: Window) -> Evaluated:
    """The criterion on one entity's events."""
    kind = kind_of(criterion)
    rolling_window(criterion)  # refuses in_last_days where the text does
    if kind == "sequence":
        return Evaluated(criterion, sequence_satisfied_at(criterion, events, window), ())
    matching = matching_events(criterion, events, window)
    if kind == "consecutive_days":
        return Evaluated(criterion, consecutive_satisfied_at(criterion, matching), ())
    return Evaluated(criterion, counting_satisfied_at(criterion, matching), tuple(matching))


def contribution(evaluated: Evaluated, t: datetime, scored: bool) -> float:
    """What the criterion adds to the rule's total at instant t (docs/semantics.md, Rule
    satisfied_at)."""
    criterion = evaluated.criterion
    if not scored:
        return 1.0 if evaluated.holds(t) else 0.0
    if criterion.get("points") is not None:
        points = float(criterion["points"]) * evaluated.weight_at(t)
        cap = criterion.get("max_points")
        return points if cap is None else min(points, float(cap))
    return float(criterion.get("weight", 1)) if evaluated.holds(t) else 0.0


def change_instants(evaluated: Evaluated) -> list[datetime]:
    """The instants at which the criterion's contribution may change: with `in_last_days`,
    every occurrence and occurrence + D; without, its satisfied_at and, with points, every
    matching event's ts."""
    criterion, matching = evaluated.criterion, list(evaluated.matching)
    if rolling_window(criterion) is not None:
        return weight_instants(criterion, matching)
    instants = [] if evaluated.satisfied_at is None else [evaluated.satisfied_at]
    if criterion.get("points") is not None:
        instants += [e["ts"] for e in matching]
    return instants
