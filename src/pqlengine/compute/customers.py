"""Customers after their first payment: MRR over time, churn, follow-up, revenue.

Implements docs/semantics.md "Customer outcomes". The backend returns the few rows that
matter (conversions rows, or the conversion, change and churn events of converters); the
per-customer timelines are built here in Python, exactly, because there are as many of
them as customers (thousands), not events.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import ibis

from pqlengine.compute.entities import as_of_literal, entity_events
from pqlengine.compute.matching import json_text
from pqlengine.compute.periods import to_utc_naive
from pqlengine.config import Project
from pqlengine.store import Tables

DAYS_PER_MONTH = 365.25 / 12
MONTH = timedelta(days=DAYS_PER_MONTH)


@dataclass
class Customer:
    """One customer's timeline up to `as_of` (naive UTC datetimes).

    `levels` is MRR as a step function: (instant, MRR from that instant on), ascending;
    `one_off` the amounts of subscriptions without recurring revenue, at their start.
    """

    entity_id: str
    converted_at: datetime
    churned_at: datetime | None
    levels: list[tuple[datetime, float]] = field(default_factory=list)
    one_off: list[tuple[datetime, float]] = field(default_factory=list)
    recurring_known: bool = False  # some MRR was given (else revenue is one-off only)

    def mrr_at(self, instant: datetime) -> float:
        """MRR at `instant` (0 before the first level)."""
        index = bisect_right([t for t, _ in self.levels], instant) - 1
        return self.levels[index][1] if index >= 0 else 0.0

    def revenue(self, start: datetime, end: datetime) -> float:
        """MRR integrated over [start, end) in months, plus one-off amounts in it."""
        total = sum(amount for at, amount in self.one_off if start <= at < end)
        for index, (at, level) in enumerate(self.levels):
            until = self.levels[index + 1][0] if index + 1 < len(self.levels) else end
            overlap = (min(until, end) - max(at, start)).total_seconds()
            if overlap > 0 and level:
                total += level * overlap / (DAYS_PER_MONTH * 86_400)
        return total


@dataclass(frozen=True)
class Customers:
    """Every entity converted at or before `as_of`, with what the outcomes need."""

    as_of: datetime
    by_id: dict[str, Customer]
    ignored_values: int  # change events whose MRR property was missing or not a number

    def followup_days(self, customer: Customer) -> float:
        """Days from conversion to churn, or to `as_of` for a customer still paying."""
        end = customer.churned_at or self.as_of
        return (end - customer.converted_at).total_seconds() / 86_400

    def observed_for(self, customer: Customer, days: float) -> bool:
        """True when `converted_at + days` is at or before `as_of`."""
        return customer.converted_at + timedelta(days=days) <= self.as_of

    def retained(self, customer: Customer, days: float) -> bool | None:
        """Not churned by `converted_at + days`; None while that is after `as_of`."""
        horizon = customer.converted_at + timedelta(days=days)
        if customer.churned_at is not None and customer.churned_at <= horizon:
            return False
        return True if horizon <= self.as_of else None

    def revenue_within(self, customer: Customer, days: float) -> float | None:
        """Revenue of the first `days` after conversion; None while not observable yet."""
        horizon = customer.converted_at + timedelta(days=days)
        if horizon > self.as_of:
            return None
        return customer.revenue(customer.converted_at, horizon)


def customers(store: Tables, project: Project, as_of: datetime) -> Customers:
    """The customers of the store at `as_of` (docs/semantics.md "Customer outcomes")."""
    cutoff = to_utc_naive(as_of)
    outcomes = project.outcomes
    per_year = outcomes.mrr is not None and outcomes.mrr.per == "year"
    churns = _churn_events(store, project, cutoff)
    if project.conversion.event is None:
        found = _from_table(store, cutoff, churns, per_year, has_mrr=outcomes.mrr is not None)
        return Customers(as_of=cutoff, by_id=found, ignored_values=0)
    found, ignored = _from_events(store, project, cutoff, per_year)
    for customer in found.values():
        at = _first_after(churns.get(customer.entity_id, []), customer.converted_at)
        if at is not None:
            customer.churned_at = at
            customer.levels = [(t, v) for t, v in customer.levels if t < at] + [(at, 0.0)]
    return Customers(as_of=cutoff, by_id=found, ignored_values=ignored)


def _rows(expression: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = expression.to_pyarrow().to_pylist()
    return rows


def _from_table(
    store: Tables,
    cutoff: datetime,
    churns: dict[str, list[datetime]],
    per_year: bool,
    has_mrr: bool,
) -> dict[str, Customer]:
    """Customers from `conversions` rows: one subscription per row, each ending at its
    `churned_at` or at the customer's first churn event after conversion, if earlier."""
    table = store.table("conversions")
    table = table.filter(table.converted_at <= as_of_literal(cutoff))
    rows = _rows(table.select("entity_id", "converted_at", "amount", "mrr", "churned_at"))
    per_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["entity_id"] is not None:
            per_entity[str(row["entity_id"])].append(row)
    found: dict[str, Customer] = {}
    for entity_id, subscriptions in per_entity.items():
        changes: dict[datetime, float] = defaultdict(float)
        running: dict[datetime, int] = defaultdict(int)
        customer = Customer(entity_id, min(r["converted_at"] for r in subscriptions), None)
        churn = _first_after(churns.get(entity_id, []), customer.converted_at)
        for row in subscriptions:
            start, end = row["converted_at"], row["churned_at"]
            if end is not None and (end > cutoff or end < start):
                end = None if end > cutoff else start  # not yet ended / ended at once
            if churn is not None and start <= churn and (end is None or churn < end):
                end = churn
            mrr = _monthly(row, per_year, has_mrr)
            running[start] += 1
            if end is not None:
                running[end] -= 1
            if mrr is None:
                if row["amount"] is not None and not has_mrr:
                    customer.one_off.append((start, float(row["amount"])))
                continue
            customer.recurring_known = True
            changes[start] += mrr
            if end is not None:
                changes[end] -= mrr
        customer.levels = _cumulative(changes)
        customer.churned_at = _first_gap(running, customer.converted_at)
        found[entity_id] = customer
    return found


def _monthly(row: dict[str, Any], per_year: bool, has_mrr: bool) -> float | None:
    """A row's MRR: `mrr`, else `amount` read per `outcomes.mrr.per`, else none."""
    if row["mrr"] is not None:
        return float(row["mrr"])
    if has_mrr and row["amount"] is not None:
        return float(row["amount"]) / (12 if per_year else 1)
    return None


def _cumulative(changes: dict[datetime, float]) -> list[tuple[datetime, float]]:
    levels: list[tuple[datetime, float]] = []
    level = 0.0
    for at in sorted(changes):
        level += changes[at]
        levels.append((at, round(level, 9)))
    return levels


def _first_gap(running: dict[datetime, int], converted_at: datetime) -> datetime | None:
    """The first instant after conversion at which no subscription runs."""
    count = 0
    for at in sorted(running):
        count += running[at]
        if count <= 0 and at > converted_at:
            return at
        if count <= 0 and at == converted_at:
            return at  # every subscription ended the instant it started
    return None


def _from_events(
    store: Tables, project: Project, cutoff: datetime, per_year: bool
) -> tuple[dict[str, Customer], int]:
    """Customers from the conversion event and `outcomes.change_event` MRR updates."""
    outcomes = project.outcomes
    assert project.conversion.event is not None
    key = outcomes.mrr.property if outcomes.mrr is not None else None
    names = [project.conversion.event]
    if outcomes.change_event is not None and outcomes.change_event not in names:
        names.append(outcomes.change_event)
    events = entity_events(store, project, cutoff, ("event", "ts", "properties"), names)
    value = json_text(events.properties, key) if key is not None else ibis.null("string")
    rows = _rows(events.select("entity_id", "event", "ts", value=value))
    rows.sort(key=lambda r: (str(r["entity_id"]), r["ts"], r["event"]))
    found: dict[str, Customer] = {}
    ignored = 0
    for row in rows:
        entity_id = str(row["entity_id"])
        customer = found.get(entity_id)
        starts = customer is None and row["event"] == project.conversion.event
        if customer is None and not starts:
            continue  # a change before the customer paid is not revenue
        mrr = _number(row["value"])
        if starts:
            customer = found[entity_id] = Customer(entity_id, row["ts"], None)
        elif row["event"] != outcomes.change_event:
            continue  # a repeated conversion event is not a change
        assert customer is not None
        if key is None:
            continue
        if mrr is None:
            ignored += 0 if starts else 1
            continue
        mrr = mrr / 12 if per_year else mrr
        customer.recurring_known = True
        customer.levels.append((row["ts"], mrr))
    return found, ignored


def _number(text: Any) -> float | None:
    if text is None:
        return None
    try:
        number = float(str(text).strip().strip('"'))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _churn_events(store: Tables, project: Project, cutoff: datetime) -> dict[str, list[datetime]]:
    """Every `outcomes.churn_event` instant per entity (none when it is not configured)."""
    event = project.outcomes.churn_event
    if event is None:
        return {}
    found: dict[str, list[datetime]] = defaultdict(list)
    events = entity_events(store, project, cutoff, ("ts",), [event])
    for row in _rows(events.select("entity_id", "ts")):
        found[str(row["entity_id"])].append(row["ts"])
    return found


def _first_after(instants: list[datetime], start: datetime) -> datetime | None:
    """The earliest instant strictly after `start`, if any."""
    later = [at for at in instants if at > start]
    return min(later) if later else None
