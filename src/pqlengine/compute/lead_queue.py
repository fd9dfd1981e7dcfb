"""The sales lead queue: open PQLs ranked by criteria score, then fit (Ibis expressions).

Used over the live service's `pql_state` (dashboard) and over a point-in-time
qualification (report); both rank the same way and show the same fit columns.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.attributes import entity_attributes
from pqlengine.compute.cohorts import segment_expression
from pqlengine.compute.entities import entity_events, to_utc_naive
from pqlengine.compute.qualify import criterion_column
from pqlengine.config import Project
from pqlengine.store import Store

# Shown as the value of entities whose segment attribute is missing; also the filter for them.
NO_SEGMENT = "(none)"
REACH_OUT_HOURS = 24.0
# The statuses a queue can list: open PQLs (the default) and those that lapsed (lifecycle).
QUEUE_STATUSES = ("pql", "lapsed")


def in_segment(
    store: Store, project: Project, table: ir.Table, by: str | None, segment: str | None
) -> ir.Table:
    """`table` (with entity_id) restricted to entities whose `by` attribute is `segment`
    (NO_SEGMENT: missing); unchanged without both."""
    if by is None or segment is None:
        return table
    tagged = segment_expression(store, project, table, by)
    keep = tagged.segment.isnull() if segment == NO_SEGMENT else tagged.segment == segment
    return tagged.filter(keep).drop("segment")


def fit_attributes(store: Store, project: Project) -> ir.Table:
    """a_id, name, domain, employees, plan, email of each entity (the user's account's for
    user entities)."""
    found = entity_attributes(store, project)
    return found.select(
        a_id=found.attr_id,
        name=found.attr_name,
        domain=found.attr_domain,
        employees=found.attr_employees,
        plan=found.attr_plan,
        email=found.attr_email,
    )


def teammates(store: Store, project: Project, ids: list[str]) -> dict[str, int]:
    """Users in the account of each of `ids` (the account itself, or the user's account)."""
    if not ids:
        return {}
    users = store.table("users")
    if project.entity == "account":
        members = users.filter(users.account_id.isin(ids))
        rows = members.group_by(entity_id=members.account_id).agg(n=members.count())
    else:
        mine = users.filter(users.user_id.isin(ids), users.account_id.notnull())
        sizes = users.group_by(s_account="account_id").agg(n=users.count())
        joined = mine.inner_join(sizes, mine.account_id == sizes.s_account)
        rows = joined.select(entity_id=joined.user_id, n=joined.n)
    return {r["entity_id"]: int(r["n"]) for r in rows.to_pyarrow().to_pylist()}


def rank_leads(leads: ir.Table, attributes: ir.Table) -> ir.Table:
    """Leads with their fit attributes, best first: score, employees, newest qualification."""
    joined = leads.left_join(attributes, leads.entity_id == attributes.a_id).drop("a_id")
    return joined.order_by(
        ibis.desc("score", nulls_first=False),
        ibis.desc("employees", nulls_first=False),
        ibis.desc("qualified_at", nulls_first=False),
        "entity_id",
    )


def criteria_score(table: ir.Table, project: Project) -> ir.FloatingValue:
    """Weight of the criteria met over the total weight, 0-100 (the live lead score)."""
    definition = project.definition
    total = sum(definition.weight_of(c) for c in definition.criteria) or 1.0
    met: ir.FloatingValue = ibis.literal(0.0)
    for index, criterion in enumerate(definition.criteria):
        met = met + table[criterion_column(index)].notnull().ifelse(
            definition.weight_of(criterion), 0.0
        )
    return (met * 100.0 / total).round(1)


def last_seen(store: Store, project: Project, ids: list[str], as_of: datetime) -> dict[str, Any]:
    """The newest event at or before `as_of` (any name) of each of `ids` (UTC, naive);
    entities without one are left out."""
    if not ids:
        return {}
    events = entity_events(store, project, as_of, ("ts",), only=ids)
    rows = events.group_by("entity_id").agg(seen=events.ts.max()).to_pyarrow().to_pylist()
    return {r["entity_id"]: r["seen"] for r in rows}


def queue_page(
    store: Store,
    project: Project,
    leads: ir.Table,
    now: datetime,
    limit: int,
    offset: int,
    status: str = "pql",
) -> dict[str, Any]:
    """One page of `leads` (of `status`) ranked, as plain rows with hours since qualifying
    and the last event at `now`; only open PQLs are flagged to reach out to."""
    total = int(leads.count().execute())  # before the (row-preserving) attribute join
    ranked = rank_leads(leads, fit_attributes(store, project))
    rows = ranked.limit(limit, offset=offset).to_pyarrow().to_pylist()
    ids = [r["entity_id"] for r in rows]
    team = teammates(store, project, ids)
    seen = last_seen(store, project, ids, now)
    moment = to_utc_naive(now)
    items = []
    for row in rows:
        qualified = row["qualified_at"]
        hours = None if qualified is None else (moment - qualified).total_seconds() / 3600
        met = row["criteria_met"]
        items.append(
            {
                "entity_id": row["entity_id"],
                "score": row["score"],
                "qualified_at": qualified,
                "hours_since_qualified": hours,
                "reach_out": status == "pql" and hours is not None and hours <= REACH_OUT_HOURS,
                "last_seen_at": seen.get(row["entity_id"]),
                "criteria_met": json.loads(met) if isinstance(met, str) else list(met or []),
                "name": row["name"],
                "domain": row["domain"],
                "employees": row["employees"],
                "plan": row["plan"],
                "email": row["email"],
                "teammates": team.get(row["entity_id"], 0),
            }
        )
    return {"items": items, "total": total, "limit": limit, "offset": offset, "status": status}


def open_pqls(
    store: Store,
    project: Project,
    qualified: ir.Table,
    as_of: datetime,
    limit: int = 25,
    offset: int = 0,
    status: str = "pql",
) -> dict[str, Any]:
    """Open PQLs (or lapsed ones) of a point-in-time qualification, ranked for sales."""
    leads = qualified.filter(qualified.status == status)
    ids = [c.id for c in project.definition.criteria]
    met = ibis.array(
        [
            leads[criterion_column(i)].notnull().ifelse(ibis.literal(cid), ibis.null("string"))
            for i, cid in enumerate(ids)
        ]
    ).filter(lambda x: x.notnull())
    leads = leads.select(
        "entity_id", "qualified_at", score=criteria_score(leads, project), criteria_met=met
    )
    return queue_page(store, project, leads, as_of, limit, offset, status)


def live_queue(
    store: Store,
    project: Project,
    now: datetime,
    by: str | None = None,
    segment: str | None = None,
    limit: int = 50,
    offset: int = 0,
    status: str = "pql",
) -> dict[str, Any]:
    """Open PQLs (or lapsed ones) as the live service last evaluated them (`pql_state`),
    ranked for sales."""
    if status not in QUEUE_STATUSES:
        raise ValueError(f"status: '{status}' is not one of {', '.join(QUEUE_STATUSES)}")
    state = store.table("pql_state")
    state = state.filter(state.definition_version == project.version, state.status == status)
    state = in_segment(store, project, state, by, segment)
    leads = state.select("entity_id", "qualified_at", "score", "criteria_met")
    return queue_page(store, project, leads, now, limit, offset, status)
