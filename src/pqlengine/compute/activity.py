"""Each entity's activity after signup: its active days (the `min_active_days` gate,
docs/semantics.md "Active days") and its user-days, from which the criteria over every
event (`users`, `active_days`, `consecutive_days` without `event` or `where`) are read.

Both come from our store's day registry (`registry.DAYS`) where it settles them, else from
the events. A registry row (user, day) holds an event in [signup_at, as_of] iff last_ts >=
signup_at and first_ts <= as_of, and then its first such event is first_ts, unless
first_ts < signup_at <= last_ts (the signup day, with events on both sides of the signup):
such an entity is unsettled and read from its events (for the gate only when
`min_active_days` is 1: see `active_gate`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from pqlengine import registry
from pqlengine.compute.criteria import Capabilities
from pqlengine.compute.criteria.base import nth_smallest
from pqlengine.compute.criteria.days import day_firsts
from pqlengine.compute.entities import (
    AsOf,
    Only,
    after_signup,
    as_of_literal,
    entity_events,
    registry_rows,
)
from pqlengine.config import Project
from pqlengine.store import Tables


def active_gate(
    store: Tables, project: Project, as_of: AsOf, anchors: ir.Table, only: Only
) -> ir.Table:
    """a_id, active_days, active_days_satisfied_at of the entities in `anchors` (a_entity,
    a_signup, a_converted)."""
    can = store.capabilities
    all_events = entity_events(store, project, as_of, columns=("ts",), only=only)
    if not can.day_registry:
        return count_days(day_firsts(after_signup(all_events, anchors)), project, can)
    rows = _registered(store, project, as_of, anchors, only, registry.DAYS, user=False)
    rows = rows.filter(rows.last_ts >= rows.a_signup)
    after = rows.first_ts >= rows.a_signup
    if project.definition.min_active_days != 1:
        return _gate_with_signup_days(rows, all_events, anchors, as_of, project, can)
    days = rows.group_by("entity_id", "day").agg(
        first_ts=rows.first_ts.min(where=after), unsettled=(~after).any()
    )
    # The entity's unsettled flag in the same aggregate as its count: no second pass.
    counted = count_days(days, project, can, unsettled=days.unsettled.any())
    settled = counted.filter(~counted.unsettled).drop("unsettled")
    unsettled = counted.filter(counted.unsettled)
    rescan = anchors.semi_join(unsettled, anchors.a_entity == unsettled.a_id)
    scanned = count_days(day_firsts(after_signup(all_events, rescan)), project, can)
    return settled.union(scanned, distinct=False)


def _gate_with_signup_days(
    rows: ir.Table,
    all_events: ir.Table,
    anchors: ir.Table,
    as_of: AsOf,
    project: Project,
    can: Capabilities,
) -> ir.Table:
    """`active_gate` from registry `rows` (last_ts >= a_signup) without a rescan of the
    entities with unsettled rows, where min_active_days is not 1.

    An unsettled row is on the signup day, the entity's first active day. With last_ts <=
    as_of its day counts (an event in [signup_at, last_ts]), and signup_at in place of its
    unknown first event keeps every later day's rank: only `min_active_days: 1` would read
    that event. With last_ts > as_of the signup day is as_of's day, so the entity's events
    since the start of that day (a narrow scan) settle it."""
    after = rows.first_ts >= rows.a_signup
    # Inside aggregates, an as_of read from a table (the live clock) must be a subquery.
    sure = after | (rows.last_ts <= as_of_literal(as_of).as_scalar())
    first = ibis.ifelse(after, rows.first_ts, rows.a_signup)
    # The unsure flag in the same aggregates as the count: one pass over the rows (a
    # second reader would make DuckDB keep every row in memory).
    days = rows.group_by("entity_id", "day").agg(
        first_ts=first.min(where=sure), unsure=(~sure).any()
    )
    counted = count_days(days, project, can, unsure=days.unsure.any())
    settled = counted.filter(~counted.unsure).drop("unsure")
    unsure = counted.filter(counted.unsure)
    today = all_events.filter(all_events.ts >= as_of_literal(as_of).truncate("D"))
    rescan = anchors.semi_join(unsure, anchors.a_entity == unsure.a_id)
    scanned = count_days(day_firsts(after_signup(today, rescan)), project, can)
    return settled.union(scanned, distinct=False)


def user_days(
    store: Tables, project: Project, as_of: AsOf, anchors: ir.Table, only: Only
) -> ir.Table:
    """entity_id, day (a UTC day as a timestamp), first_ts, signup_at, converted_at: per
    entity of `anchors`, each day with an event in [signup_at, as_of], first_ts its first
    such event (events after a conversion too). A day may have several rows (one per user
    in the registry: read them through min(first_ts), `per_day`)."""
    all_events = entity_events(store, project, as_of, columns=("ts",), only=only)
    if not store.capabilities.day_registry:
        return _scanned(after_signup(all_events, anchors), ["entity_id", "day"])
    # Not grouped here: `per_day` groups once for every reader.
    rows = _registered(store, project, as_of, anchors, only, registry.DAYS, user=False)
    rows = rows.filter(rows.last_ts >= rows.a_signup)
    rows = rows.mutate(day=rows.day.cast("timestamp"))
    return _settled_or_scanned(rows, ["entity_id", "day"], anchors, all_events)


def user_firsts(
    store: Tables, project: Project, as_of: AsOf, anchors: ir.Table, only: Only
) -> ir.Table:
    """entity_id, user_id, first_ts, signup_at, converted_at: per entity of `anchors`, each
    named user with an event in [signup_at, as_of], first_ts its first such event. From
    the first-event registry where a user's first event is at or after the signup (then it
    is the one); an entity with a user whose first event is earlier is read from events."""
    all_events = entity_events(store, project, as_of, columns=("ts", "user_id"), only=only)
    keys = ["entity_id", "user_id"]
    if not store.capabilities.day_registry:
        return _named(_scanned(after_signup(all_events, anchors), keys))
    rows = _registered(store, project, as_of, anchors, only, registry.FIRSTS, user=True)
    found = _named(_settled_or_scanned(rows, keys, anchors, all_events))
    # A user can have two rows for one account: events naming it, and events naming no
    # account that reach it through the user's own account (`registry_rows`).
    return found.group_by(keys).agg(
        first_ts=found.first_ts.min(),
        signup_at=found.signup_at.min(),
        converted_at=found.converted_at.min(),
    )


def _settled_or_scanned(
    rows: ir.Table, keys: list[str], anchors: ir.Table, all_events: ir.Table
) -> ir.Table:
    """keys, first_ts, signup_at, converted_at: the registry `rows` (keys, first_ts,
    a_signup, a_converted) of the entities none of whose rows starts before the signup
    (their first_ts is then the first event after it), and for the other entities the same
    from their events (`_scanned`)."""
    wrong = rows.filter(rows.first_ts < rows.a_signup).select(u_id="entity_id").distinct()
    settled = rows.anti_join(wrong, rows.entity_id == wrong.u_id)
    settled = settled.select(
        *keys,
        first_ts=settled.first_ts,
        signup_at=settled.a_signup,
        converted_at=settled.a_converted,
    )
    rescan = anchors.semi_join(wrong, anchors.a_entity == wrong.u_id)
    scanned = _scanned(after_signup(all_events, rescan), keys)
    return settled.union(scanned.select(*settled.columns), distinct=False)


def _named(users: ir.Table) -> ir.Table:
    """The rows of named users (events without a user_id are no user's)."""
    return users.filter(users.user_id.notnull())


def per_day(rows: ir.Table) -> ir.Table:
    """entity_id, day, first_ts, signup_at, converted_at: `user_days` rows, one per day."""
    return rows.group_by("entity_id", "day").agg(
        first_ts=rows.first_ts.min(),
        signup_at=rows.signup_at.min(),
        converted_at=rows.converted_at.min(),
    )


def count_days(days: ir.Table, project: Project, can: Capabilities, **extra: ir.Value) -> ir.Table:
    """Per entity of `days` (entity_id, day, first_ts: its first event that day, NULL when
    none counts): a_id, active_days and, with min_active_days, active_days_satisfied_at."""
    counts = {"active_days": days.first_ts.count(), **extra}
    needed = project.definition.min_active_days
    if needed is None:
        return days.group_by(a_id=days.entity_id).agg(**counts)
    # Days' first events rise with the days, so the d-th day's is the d-th smallest.
    nth = nth_smallest(days.first_ts, needed, days.first_ts.notnull(), can)
    if nth is None:
        days = days.mutate(position=ibis.row_number().over(group_by="entity_id", order_by="day"))
        nth = days.first_ts.min(where=days.position == needed - 1)
    return days.group_by(a_id=days.entity_id).agg(**counts, active_days_satisfied_at=nth)


def _registered(
    store: Tables,
    project: Project,
    as_of: AsOf,
    anchors: ir.Table,
    only: Only,
    summary: registry.Registry,
    user: bool,
) -> ir.Table:
    """The rows of a registry (with user_id if `user`) of the entities in `anchors` whose
    first_ts is at or before as_of (with a_signup and a_converted)."""
    rows = registry_rows(store, project, summary, only, user=user)
    rows = rows.inner_join(anchors, rows.entity_id == anchors.a_entity)
    return rows.filter(rows.first_ts <= as_of_literal(as_of))


def _scanned(after: ir.Table, keys: list[str]) -> ir.Table:
    """`user_days` (keys entity_id, day) or `user_firsts` (entity_id, user_id) from events
    after signup (entity_id, ts, user_id?, signup_at, converted_at)."""
    dated = after.mutate(day=after.ts.truncate("D"))
    return dated.group_by(keys).agg(
        first_ts=dated.ts.min(),
        signup_at=dated.signup_at.min(),
        converted_at=dated.converted_at.min(),
    )


def activity_spans(
    store: Tables,
    project: Project,
    as_of: AsOf,
    anchors: ir.Table,
    only: Only,
    event: str | None,
    by_day: bool,
) -> ir.Table:
    """entity_id, first, last: the entity's activity events in [signup_at, as_of] (named
    `event`, or any), per UTC day (`by_day`: the day's first and last one) or one row per
    event (first = last = ts). Per day over every event they come from the day registry,
    whose (user, day) rows hold the day's first and last event; an entity with a row across
    as_of is read from its events."""
    names = None if event is None else [event]
    events = entity_events(store, project, as_of, columns=("ts",), event_names=names, only=only)
    if not by_day:
        after = after_signup(events, anchors)
        return after.select("entity_id", first=after.ts, last=after.ts)
    if event is not None or not store.capabilities.day_registry:
        return _day_spans(after_signup(events, anchors))
    rows = _registered(store, project, as_of, anchors, only, registry.DAYS, user=False)
    rows = rows.filter(rows.last_ts >= rows.a_signup)
    # A row across the signup starts its span before the first event after the signup;
    # harmless: the rule cannot hold before that event (every criterion reads events at
    # or after the signup, and the signup day's first such event is that one).
    later = rows.last_ts > as_of_literal(as_of).as_scalar()  # the live clock: a reduction
    wrong = rows.filter(later).select(u_id="entity_id").distinct()
    settled = rows.anti_join(wrong, rows.entity_id == wrong.u_id)
    spans = settled.group_by("entity_id", "day").agg(
        first=settled.first_ts.min(), last=settled.last_ts.max()
    )
    rescan = anchors.semi_join(wrong, anchors.a_entity == wrong.u_id)
    scanned = _day_spans(after_signup(events, rescan))
    return spans.drop("day").union(scanned, distinct=False)


def _day_spans(after: ir.Table) -> ir.Table:
    """entity_id, first, last per UTC day of events after signup (entity_id, ts)."""
    spans = after.group_by("entity_id", day=after.ts.truncate("D")).agg(
        first=after.ts.min(), last=after.ts.max()
    )
    return spans.drop("day")


def last_seen(store: Tables, project: Project, as_of: AsOf, only: Only) -> ir.Table:
    """l_id, last_seen_at: each entity's newest event at or before as_of, any name, before
    signup too. For all entities from the day registry: the latest last_ts of its (user,
    day) rows ending at or before as_of, and the events of as_of's own day (the only day
    whose rows can end after as_of), a narrow scan. For those of `only` from their events."""
    events = entity_events(store, project, as_of, columns=("ts",), only=only)
    if not store.capabilities.day_registry or only is not None:
        # A few entities: their events, a filtered scan, cost less than the registry.
        return events.group_by(l_id=events.entity_id).agg(last_seen_at=events.ts.max())
    # As a scalar: the live evaluator's as_of is a reduction of its clock table.
    moment = as_of_literal(as_of).as_scalar()
    rows = registry_rows(store, project, registry.DAYS, only)
    ended = rows.filter(rows.last_ts <= moment).select(l_id="entity_id", ts="last_ts")
    today = events.filter(events.ts >= moment.truncate("D"))
    both = ended.union(today.select(l_id="entity_id", ts="ts"), distinct=False)
    return both.group_by("l_id").agg(last_seen_at=both.ts.max())
