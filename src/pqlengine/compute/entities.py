"""Entities and their events, point-in-time (Ibis expressions only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir

from pqlengine import registry
from pqlengine.compute.periods import to_utc_naive
from pqlengine.config import Project
from pqlengine.store import Tables

# The evaluation instant: a datetime, or an Ibis timestamp scalar (the live service passes
# one read from a table so that one compiled query serves every pass).
AsOf: TypeAlias = datetime | ir.TimestampScalar
# The entities to restrict to: ids, or a column of them (a table the caller filled).
Only: TypeAlias = list[str] | ir.Column | None


def as_of_literal(as_of: AsOf) -> ir.TimestampScalar:
    """`as_of` as an Ibis timestamp expression."""
    if isinstance(as_of, ir.Expr):
        return as_of
    return ibis.literal(to_utc_naive(as_of), type="timestamp")


def entity_events(
    store: Tables,
    project: Project,
    as_of: AsOf,
    columns: tuple[str, ...] = ("event", "ts", "properties"),
    event_names: list[str] | None = None,
    only: Only = None,
) -> ir.Table:
    """Events up to `as_of` with the entity they belong to: entity_id plus `columns`.

    Callers ask only for the columns (and event names) they need, so that on large stores
    each use is a narrow streaming scan rather than one wide shared intermediate.
    """
    # One column order per set of columns: Ibis 12 fails to compile a join of two of these
    # unions that list the same columns in different orders ("Compilation rule for
    # 'Project' operation is not defined").
    columns = tuple(sorted(set(columns)))
    events = store.table("events")
    conditions = [events.ts <= as_of_literal(as_of)]
    if event_names is not None:
        conditions.append(_one_of(store, events.event, event_names))
    events = events.filter(*conditions)
    if project.entity == "user":
        if only is not None:
            events = events.filter(events.user_id.isin(only))
        return events.select(entity_id=events.user_id, **{c: events[c] for c in columns})
    # An event is the account's it names; an event naming none is its user's account's.
    # Only the latter go through the users join: most events carry account_id, and a
    # join of every event would cost a hash probe and a wide intermediate per event.
    users = _members(store, only)
    keep = [c for c in columns if c not in ("user_id", "account_id")]
    direct = events.filter(events.account_id.notnull())
    if only is not None:
        direct = direct.filter(direct.account_id.isin(only))
    direct = direct.select(entity_id=direct.account_id, **{c: direct[c] for c in columns})
    orphans = events.filter(events.account_id.isnull()).select("user_id", "account_id", *keep)
    joined = orphans.inner_join(users, orphans.user_id == users.member_id)
    rolled = joined.select(
        entity_id=joined.member_account,
        **{c: (joined.member_account if c == "account_id" else joined[c]) for c in columns},
    )
    return direct.union(rolled, distinct=False)


def _members(store: Tables, only: Only) -> ir.Table:
    """member_id, member_account: the users that belong to an account (one in `only`),
    through which events naming no account reach one."""
    users = store.table("users").select(member_id="user_id", member_account="account_id")
    users = users.filter(users.member_account.notnull())
    if only is not None:
        users = users.filter(users.member_account.isin(only))
    return users


def _one_of(store: Tables, column: ir.StringColumn, values: list[str]) -> ir.BooleanColumn:
    """`column IN values`. DuckDB turns an IN list of six or more constants into a join
    over every row of the scan; `list_contains` it evaluates inside the scan instead, so
    the other columns are read for the matching rows only."""
    if store.capabilities.duckdb_functions:
        return ibis.literal(sorted(values), type="array<string>").contains(column)
    return column.isin(values)


def entities(store: Tables, project: Project, as_of: AsOf, only: Only = None) -> ir.Table:
    """One row per entity that exists at `as_of`: entity_id, signup_at, converted_at
    (all entities, or those in `only`)."""
    per_entity = _from_events(store, project, as_of, only)
    users, accounts = _narrowed(store, project, only)
    ids = _entity_ids(project, users, accounts, per_entity)
    signup = _signup(project, users, accounts, ids, per_entity)
    converted = _conversions(store, project, as_of, per_entity, only)
    table = signup.left_join(converted, signup.entity_id == converted.conv_entity_id).select(
        "entity_id", "signup_at", "converted_at"
    )
    return table.filter(table.signup_at <= as_of_literal(as_of))


def _from_events(store: Tables, project: Project, as_of: AsOf, only: Only) -> ir.Table:
    """entity_id and first_event_at of every entity with an event at or before `as_of`, plus
    signup_event_at and converted_at when the signup and the conversion are events."""
    marks: dict[str, str] = {}
    if project.signup.event is not None:
        marks["signup_event_at"] = project.signup.event
    if project.conversion.event is not None:
        marks["converted_at"] = project.conversion.event
    if not store.capabilities.day_registry:  # one grouped scan of every event
        events = entity_events(store, project, as_of, columns=("event", "ts"), only=only)
        return events.group_by("entity_id").agg(
            first_event_at=events.ts.min(),
            **{name: events.ts.min(where=events.event == e) for name, e in marks.items()},
        )
    firsts = _registered_firsts(store, project, as_of, only)
    if not marks:
        return firsts
    # Only the signup and conversion events are read: a narrow, selective scan.
    names = sorted(set(marks.values()))
    events = entity_events(store, project, as_of, ("event", "ts"), event_names=names, only=only)
    marked = events.group_by(m_entity="entity_id").agg(
        **{name: events.ts.min(where=events.event == e) for name, e in marks.items()}
    )
    joined = firsts.left_join(marked, firsts.entity_id == marked.m_entity)
    return joined.drop("m_entity")


def _registered_firsts(store: Tables, project: Project, as_of: AsOf, only: Only) -> ir.Table:
    """entity_id, first_event_at from the first-event registry (`registry.FIRSTS`)."""
    rows = registry_rows(store, project, registry.FIRSTS, only)
    rows = rows.filter(rows.first_ts <= as_of_literal(as_of))
    return rows.group_by("entity_id").agg(first_event_at=rows.first_ts.min())


def registry_rows(
    store: Tables,
    project: Project,
    summary: registry.Registry,
    only: Only = None,
    user: bool = False,
) -> ir.Table:
    """The rows of a registry of our store (see `registry`) with the entity they belong to:
    entity_id plus the registry's columns other than account_id and user_id (user_id too
    with `user`). A row without an account_id is its user's account's, as in
    `entity_events`."""
    table = store.table(summary.table)
    dropped = ("account_id",) if user else ("account_id", "user_id")
    columns = [c for c in [*summary.keys, *summary.values] if c not in dropped]
    if project.entity == "user":
        if only is not None:
            table = table.filter(table.user_id.isin(only))
        return table.select(entity_id=table.user_id, **{c: table[c] for c in columns})
    direct = table.filter(table.account_id.notnull())
    if only is not None:
        direct = direct.filter(direct.account_id.isin(only))
    users = _members(store, only)
    orphans = table.filter(table.account_id.isnull())
    joined = orphans.inner_join(users, orphans.user_id == users.member_id)
    return direct.select(entity_id=direct.account_id, **{c: direct[c] for c in columns}).union(
        joined.select(entity_id=joined.member_account, **{c: joined[c] for c in columns}),
        distinct=False,
    )


def _narrowed(store: Tables, project: Project, only: Only) -> tuple[ir.Table, ir.Table]:
    """users and accounts, restricted to the rows that can concern the entities in `only`.

    Filtering before the unions and aggregations below, rather than after them, keeps a
    query for a few entities (the live service's) from grouping every user and account."""
    users, accounts = store.table("users"), store.table("accounts")
    if only is None:
        return users, accounts
    if project.entity == "user":
        return users.filter(users.user_id.isin(only)), accounts
    return users.filter(users.account_id.isin(only)), accounts.filter(
        accounts.account_id.isin(only)
    )


def _entity_ids(
    project: Project, users: ir.Table, accounts: ir.Table, per_entity: ir.Table
) -> ir.Table:
    from_events = per_entity.select("entity_id")
    if project.entity == "user":
        from_users = users.select(entity_id=users.user_id)
        return from_users.union(from_events, distinct=True)
    from_accounts = accounts.select(entity_id=accounts.account_id)
    from_users = users.filter(users.account_id.notnull()).select(entity_id=users.account_id)
    return from_accounts.union(from_users, distinct=True).union(from_events, distinct=True)


def _signup(
    project: Project, users: ir.Table, accounts: ir.Table, ids: ir.Table, per_entity: ir.Table
) -> ir.Table:
    """entity_id, signup_at per the configured source and its fallbacks."""
    if project.signup.event is not None:
        return per_entity.select("entity_id", signup_at=per_entity.signup_event_at)
    candidates: list[ir.Table]
    if project.entity == "account":
        by_users = users.group_by(entity_id=users.account_id).agg(value=users.signed_up_at.min())
        by_accounts = accounts.select(entity_id=accounts.account_id, value=accounts.created_at)
        use_accounts = project.signup.source == "accounts"
        candidates = [by_accounts, by_users] if use_accounts else [by_users]
    else:
        own = users.select(entity_id=users.user_id, value=users.signed_up_at)
        if project.signup.source == "accounts":
            account_created = users.inner_join(
                accounts, users.account_id == accounts.account_id
            ).select(entity_id=users.user_id, value=accounts.created_at)
            candidates = [account_created, own]
        else:
            candidates = [own]
    result = ids
    names = []
    for index, candidate in enumerate(candidates):
        name = f"signup_{index}"
        names.append(name)
        renamed = candidate.select(**{f"id_{index}": candidate.entity_id, name: candidate.value})
        result = result.left_join(renamed, result.entity_id == renamed[f"id_{index}"]).drop(
            f"id_{index}"
        )
    firsts = per_entity.select(fe_id="entity_id", first_event_at="first_event_at")
    result = result.left_join(firsts, result.entity_id == firsts.fe_id)
    chain: list[Any] = [result[n] for n in names] + [result.first_event_at]
    return result.select(entity_id=result.entity_id, signup_at=ibis.coalesce(*chain))


def _conversions(
    store: Tables, project: Project, as_of: AsOf, per_entity: ir.Table, only: Only
) -> ir.Table:
    """conv_entity_id, converted_at (the first conversion at or before `as_of`)."""
    if project.conversion.event is not None:
        return per_entity.select(conv_entity_id="entity_id", converted_at="converted_at")
    conversions = store.table("conversions")
    conversions = conversions.filter(conversions.converted_at <= as_of_literal(as_of))
    if only is not None:
        conversions = conversions.filter(conversions.entity_id.isin(only))
    return conversions.group_by(conv_entity_id=conversions.entity_id).agg(
        converted_at=conversions.converted_at.min()
    )


def after_signup(events: ir.Table, anchors: ir.Table) -> ir.Table:
    """Events (entity_id, ts, ...) at or after their entity's signup, with signup_at and
    converted_at (`anchors`: a_entity, a_signup, a_converted)."""
    joined = events.inner_join(anchors, events.entity_id == anchors.a_entity)
    joined = joined.filter(joined.ts >= joined.a_signup)
    return joined.drop("a_entity").rename(signup_at="a_signup", converted_at="a_converted")


def before_conversion(table: ir.Table, instant: str = "ts") -> ir.Table:
    """The rows of `table` (with converted_at) whose `instant` is before the entity's
    conversion: what criteria read."""
    converted = table.converted_at
    return table.filter(converted.isnull() | (table[instant] < converted))
