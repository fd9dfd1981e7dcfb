"""Criteria over every event of the entity: `users`, `active_days` and `consecutive_days`
without `event`, `where` or `points`. They need no event row, only each (user,) UTC day
with an event and its first one (`compute/activity.user_days`), so they are read from
those instead of a scan of every event (from our store's day registry: a row per user
and day, not per event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from pqlengine.compute.criteria.base import Capabilities, nth_first, window_length
from pqlengine.compute.criteria.days import days_reached, run_reached
from pqlengine.compute.criteria.rolling import is_rolling

KINDS = ("users", "active_days", "consecutive_days")


def reads_user_days(criterion: Any) -> bool:
    """Whether `criterion` is read from user-days rather than from events."""
    return (
        criterion.kind in KINDS
        and criterion.event is None
        and getattr(criterion, "where", None) is None
        and getattr(criterion, "points", None) is None
        and not is_rolling(criterion)  # a rolling window needs every occurrence
    )


def needs_users(criteria: list[Any]) -> bool:
    """Whether user-days must keep the user (a `users` criterion reads them)."""
    return any(c.kind == "users" and reads_user_days(c) for c in criteria)


@dataclass(frozen=True)
class Firsts:
    """The entity's first events after signup and before conversion, up to as_of: per UTC
    day with an event (`days`: entity_id, day, first_ts, signup_at) and, when a `users`
    criterion reads them, per named user (`users`: entity_id, user_id, first_ts,
    signup_at)."""

    days: ir.Table
    users: ir.Table | None


def satisfied_from_firsts(firsts: Firsts, criterion: Any, can: Capabilities, name: str) -> ir.Table:
    """s_id and `name` (satisfied_at) per entity that satisfies `criterion`."""
    items = firsts.days
    if criterion.kind == "users":
        assert firsts.users is not None, "a users criterion needs the users' first events"
        items = firsts.users
    if criterion.within_days is not None:
        # A day (a user) has an event inside the window iff its first one is.
        bound = items.signup_at + window_length(criterion.within_days)
        items = items.filter(items.first_ts < bound)
    if criterion.kind == "users":
        return nth_first(items.select("entity_id", "first_ts"), criterion.at_least, can, name)
    days = items.select("entity_id", "day", "first_ts")
    if criterion.kind == "active_days":
        return days_reached(days, criterion, can, name)
    return run_reached(days, criterion, can, name)
