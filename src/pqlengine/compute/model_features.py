"""Per-entity model inputs from the first `window_days` after signup, aggregated in the database.

One aggregation serves three populations:
- matured entities (window and conversion window over at `as_of`, not converted inside the
  window) with their outcome: converted after the window, within the conversion window, the
  same entities and outcome as discovery and drivers (training, validation, calibration drift);
- entities whose window ended recently (drift of the feature distributions);
- unconverted entities to score (open leads, or given ids), whose window may still be running:
  their features cover `observed_days` < `window_days` then. The live service compiles this
  one once (`unconverted_features`, with its instant and ids read from tables) and runs it on
  each pass.

Only the per-entity matrix leaves the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from pqlengine.compute.discovery import outcome_frame, window_events
from pqlengine.compute.drivers import firmographics
from pqlengine.compute.entities import AsOf, Only, as_of_literal, entities, to_utc_naive
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, Population
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project
from pqlengine.store import Store, Tables

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class EntityMatrix:
    """One row per entity (sorted by id); `counts[:, j]` and `days_since[:, j]` describe
    `events[j]` inside the observed window."""

    entity_ids: list[str]
    signup_epoch_s: np.ndarray
    observed_days: np.ndarray  # window_days, or less when `as_of` cuts the window short
    converted: np.ndarray  # the outcome for matured populations, all False otherwise
    events: list[str]
    counts: np.ndarray  # int, (n, len(events))
    days_since: np.ndarray  # days from the last such event to the window's end; NaN: never
    active_days: np.ndarray  # distinct UTC days with any event
    event_count: np.ndarray  # all events
    event_types: np.ndarray  # distinct event names (breadth)
    teammates: np.ndarray  # distinct users with an event (1 or 0 for user entities)
    days_since_any: np.ndarray  # days from the last event of any name; NaN: none
    employees: np.ndarray  # float, NaN when unknown
    plan: np.ndarray  # text or None
    email_domain: np.ndarray  # free | company | None
    rule_pql: np.ndarray | None = None  # qualified inside the window (current definition)
    fit: np.ndarray | None = None  # passes the definition's fit checks
    population: Population | None = None  # matured populations: whom `converted` covers

    def __len__(self) -> int:
        return len(self.entity_ids)


def model_events(store: Store, project: Project, as_of: datetime, limit: int) -> list[str]:
    """The `limit` most frequent event names up to `as_of`, signup/conversion markers left out
    (ties by name)."""
    events = store.table("events")
    events = events.filter(events.ts <= as_of_literal(as_of), events.event.notnull())
    excluded = [n for n in (project.signup.event, project.conversion.event) if n is not None]
    if excluded:
        events = events.filter(~events.event.isin(excluded))
    ranked = (
        events.group_by("event")
        .agg(n=events.count())
        .order_by(ibis.desc("n"), "event")
        .limit(limit)
    )
    return sorted(str(name) for name in ranked.event.execute() if name)


def matured_matrix(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    with_rule: bool = False,
    signed_up_after: datetime | None = None,
    outcome: Outcome = CONVERTED,
) -> EntityMatrix:
    """Entities whose window and conversion window are over, minus those converted inside the
    window (and, when given, those who signed up at or before `signed_up_after`); with
    `with_rule`, also whether the current definition qualified each inside the window and
    whether it passes fit. `converted` holds the yes/no `outcome` (default: converted),
    over the entities it can be measured on."""
    cohort, population = outcome_frame(store, project, as_of, window_days, outcome)
    cohort = cohort.filter(~cohort.converted_in_window)
    if signed_up_after is not None:
        after = ibis.literal(to_utc_naive(signed_up_after), type="timestamp")
        cohort = cohort.filter(cohort.signup_at > after)
    frame = cohort.select("entity_id", "signup_at", "window_end", "converted")
    matrix = _matrix(store, project, as_of, window_days, events, frame, with_rule)
    return replace(matrix, population=population.counted(len(matrix)))


def recent_matrix(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    since: datetime,
) -> EntityMatrix:
    """Entities whose window ended in (`since`, `as_of`] and who did not convert inside it."""
    people = entities(store, project, as_of)
    window_end = people.signup_at + ibis.interval(days=window_days)
    since_value = ibis.literal(to_utc_naive(since), type="timestamp")
    frame = people.filter(
        window_end <= as_of_literal(as_of),
        window_end > since_value,
        people.converted_at.isnull() | (people.converted_at >= window_end),
    ).select("entity_id", "signup_at", window_end=window_end, converted=ibis.literal(False))
    return _matrix(store, project, as_of, window_days, events, frame, False)


def unconverted_matrix(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    only: list[str] | None = None,
) -> EntityMatrix:
    """Entities not converted at `as_of`: the open PQLs of the current definition, or the
    entities in `only`."""
    frame = _unconverted_frame(store, project, as_of, window_days, only)
    return _matrix(store, project, as_of, window_days, events, frame, False, only)


def unconverted_features(
    store: Tables, project: Project, as_of: AsOf, window_days: int, events: list[str], only: Only
) -> ir.Table:
    """`unconverted_matrix`'s aggregation for the entities in `only` as one unexecuted
    expression, for a caller that compiles it once and runs it many times (the live service
    reads `as_of` and `only` from tables); `entity_matrix` turns its rows into the matrix."""
    frame = _unconverted_frame(store, project, as_of, window_days, only)
    return _aggregate(store, project, as_of, events, frame, False, only)


def entity_matrix(
    table: pa.Table, events: list[str], as_of: datetime, window_days: int
) -> EntityMatrix:
    """The matrix of the rows of an `unconverted_features` result computed at `as_of`."""
    return _to_matrix(table, events, as_of, window_days, False)


def _unconverted_frame(
    store: Tables, project: Project, as_of: AsOf, window_days: int, only: Only
) -> ir.Table:
    if only is None:
        table = qualification(store, project, as_of)
        people = table.filter(table.status == "pql").select("entity_id", "signup_at")
    else:
        found = entities(store, project, as_of, only)
        people = found.filter(found.converted_at.isnull()).select("entity_id", "signup_at")
    return people.mutate(
        window_end=people.signup_at + ibis.interval(days=window_days),
        converted=ibis.literal(False),
    )


def _matrix(
    store: Tables,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    frame: ir.Table,
    with_rule: bool,
    only: Only = None,
) -> EntityMatrix:
    """Aggregate the window's events per entity of `frame` (entity_id, signup_at, window_end,
    converted) and join firmographics (and the rule's verdict)."""
    # Materialised once: the frame is read twice below (window events, then the join), and
    # recomputing it rescans every event for signups and conversions (or qualifies again).
    frame = frame.cache()
    try:
        result = _aggregate(store, project, as_of, events, frame, with_rule, only).to_pyarrow()
    finally:
        frame.release()
    return _to_matrix(result, events, as_of, window_days, with_rule)


def _aggregate(
    store: Tables,
    project: Project,
    as_of: AsOf,
    events: list[str],
    frame: ir.Table,
    with_rule: bool,
    only: Only = None,
) -> ir.Table:
    """One row per entity of `frame`, ordered by entity_id (`only`, when given, narrows the
    event scan to the frame's entities)."""
    inside = window_events(store, project, as_of, frame, ("event", "user_id"), only)
    per_event = {}
    for j, name in enumerate(events):
        per_event[f"c{j}"] = (inside.event == name).sum()
        per_event[f"l{j}"] = inside.ts.max(where=inside.event == name)
    per_entity = inside.group_by(p_entity="entity_id").agg(
        active_days=inside.ts.truncate("D").nunique(),
        event_count=inside.count(),
        event_types=inside.event.nunique(),
        teammates=inside.user_id.nunique(),
        last_ts=inside.ts.max(),
        **per_event,
    )
    joined = frame.left_join(per_entity, frame.entity_id == per_entity.p_entity)
    firm = firmographics(store, project)
    joined = joined.left_join(firm, joined.entity_id == firm.f_entity)
    if with_rule:
        table = qualification(store, project, as_of)
        verdict = table.select(q_entity="entity_id", q_at="qualified_at", q_fit="fit")
        joined = joined.left_join(verdict, joined.entity_id == verdict.q_entity)
        joined = joined.mutate(
            rule_pql=ibis.coalesce(joined.q_at < joined.window_end, False),
            rule_fit=ibis.coalesce(joined.q_fit, False),
        )
    return joined.order_by("entity_id")


def _to_matrix(
    table: pa.Table, events: list[str], as_of: datetime, window_days: int, with_rule: bool
) -> EntityMatrix:
    def values(name: str) -> np.ndarray:
        return table.column(name).to_numpy(zero_copy_only=False)

    def counted(name: str) -> np.ndarray:
        return np.nan_to_num(values(name).astype(float)).astype(np.int64)

    signup = _epoch_seconds(values("signup_at"))
    as_of_s = _naive_epoch(to_utc_naive(as_of))
    end = np.minimum(signup + window_days * SECONDS_PER_DAY, as_of_s)
    n = table.num_rows
    counts = np.zeros((n, len(events)), dtype=np.int64)
    days_since = np.full((n, len(events)), np.nan)
    for j in range(len(events)):
        counts[:, j] = counted(f"c{j}")
        days_since[:, j] = (end - _epoch_seconds(values(f"l{j}"))) / SECONDS_PER_DAY
    employees = table.column("employees").to_pylist()
    return EntityMatrix(
        entity_ids=table.column("entity_id").to_pylist(),
        signup_epoch_s=signup,
        observed_days=(end - signup) / SECONDS_PER_DAY,
        converted=values("converted").astype(bool),
        events=list(events),
        counts=counts,
        days_since=days_since,
        active_days=counted("active_days"),
        event_count=counted("event_count"),
        event_types=counted("event_types"),
        teammates=counted("teammates"),
        days_since_any=(end - _epoch_seconds(values("last_ts"))) / SECONDS_PER_DAY,
        employees=np.array([np.nan if v is None else float(v) for v in employees]),
        plan=np.array(table.column("plan").to_pylist(), dtype=object),
        email_domain=np.array(table.column("email_domain").to_pylist(), dtype=object),
        rule_pql=values("rule_pql").astype(bool) if with_rule else None,
        fit=values("rule_fit").astype(bool) if with_rule else None,
    )


def _epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Naive-UTC timestamps (NaT allowed) as float seconds since the epoch (NaN for NaT)."""
    stamps = values.astype("datetime64[us]")
    seconds = stamps.astype(np.int64) / 1e6
    return np.where(np.isnat(stamps), np.nan, seconds)


def _naive_epoch(moment: datetime) -> float:
    """A naive datetime taken as UTC, in seconds since the epoch."""
    return (moment - datetime(1970, 1, 1)).total_seconds()
