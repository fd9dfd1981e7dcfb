"""Point-in-time qualification per entity (docs/semantics.md), as Ibis expressions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from pqlengine.compute import compiled, lifecycle
from pqlengine.compute.activity import (
    active_gate,
    activity_spans,
    count_days,
    last_seen,
    per_day,
    user_days,
    user_firsts,
)
from pqlengine.compute.attributes import entity_attributes, entity_table
from pqlengine.compute.criteria import (
    criterion_column,
    event_columns,
    event_names,
    kind_of,
    progress_text,
    rolling,
    satisfied_table,
)
from pqlengine.compute.criteria import score as points
from pqlengine.compute.criteria.every_event import Firsts, needs_users, reads_user_days
from pqlengine.compute.entities import (
    AsOf,
    Only,
    after_signup,
    as_of_literal,
    before_conversion,
    entities,
    entity_events,
    to_utc_naive,
)
from pqlengine.compute.matching import (
    Typed,
    column_equals,
    fit_where,
    is_operator,
    json_equals,
    plain,
)
from pqlengine.config import RULE_TOLERANCE, Project, semantic_json
from pqlengine.store import Store, Tables

STATUSES = (
    "pql",
    "converted_pql",
    "lapsed",
    "converted_without_qualifying",
    "failed_fit",
    "not_qualified",
)


def qualification(
    store: Tables,
    project: Project,
    as_of: AsOf,
    only: Only = None,
    detail: bool = True,
    seen: bool | None = None,
) -> ir.Table:
    """Per entity (all, or those in `only`): signup_at, converted_at, criterion_<i>_at,
    rule_satisfied_at, active_days, active_days_satisfied_at, fit, fit_failed,
    qualified_at, status.

    `detail=False` computes the same qualified_at and status for less: events are read only
    for entities that pass fit, and active days only for those that met the rule, so
    criterion_<i>_at, rule_satisfied_at, active_days and active_days_satisfied_at are left
    NULL (0) for the others. Metrics need no more.

    `seen` (default: `detail`): last_seen_at, read from every event (NULL without it).

    Three stages: the population (entities existing at as_of with signup_at, converted_at
    and fit), the evidence (each criterion's satisfied_at from its kind, the rule, the
    active-days gate) and the verdict (qualified_at and status).
    """
    # Population.
    people = entities(store, project, as_of, only)
    fit = _fit(store, project)
    anchors = people.select(a_entity="entity_id", a_signup="signup_at", a_converted="converted_at")
    if not detail:
        # An entity without a row in the fit table has unknown fit, which may pass.
        failing = fit.filter(~_fit_passes(fit, project))
        anchors = anchors.anti_join(failing, anchors.a_entity == failing.f_id)
    # Evidence.
    criteria = project.definition.criteria
    scanned = [c for c in criteria if not reads_user_days(c)]
    criterion_events = entity_events(
        store,
        project,
        as_of,
        columns=event_columns(scanned),
        event_names=event_names(scanned),
        only=only,
    )
    can = store.capabilities
    before = before_conversion(after_signup(criterion_events, anchors))
    days = None
    if len(scanned) < len(criteria):
        # Criteria over every event: from each day's (and user's) first event, read once
        # for them and for the active-days gate.
        days = per_day(user_days(store, project, as_of, anchors, only))
        users = None
        if needs_users(criteria):
            users = before_conversion(user_firsts(store, project, as_of, anchors, only), "first_ts")
        firsts = Firsts(before_conversion(days, "first_ts"), users)
        population = anchors.select(c_id=anchors.a_entity)
        satisfied = satisfied_table(before, criteria, can, firsts, population)
    else:
        satisfied = satisfied_table(before, criteria, can)
    episodic = not points.monotone(project.definition)  # the state can stop holding
    changes = None
    if episodic or points.uses_points(project.definition):
        changes = points.contributions(before, satisfied, project.definition, can)
    satisfied = _with_rule(satisfied, changes, project)
    result = people.left_join(satisfied, people.entity_id == satisfied.c_id).drop("c_id")
    if days is not None:
        active = count_days(days.select("entity_id", "day", "first_ts"), project, can)
    else:
        if not detail:
            ruled = satisfied.filter(satisfied.rule_satisfied_at.notnull())
            anchors = anchors.semi_join(ruled, anchors.a_entity == ruled.c_id)
        active = active_gate(store, project, as_of, anchors, only)
    result = result.left_join(active, result.entity_id == active.a_id).drop("a_id")
    result = result.left_join(fit, result.entity_id == fit.f_id).drop("f_id")
    if changes is not None and episodic:
        evidence = (changes, active, anchors)
        result = _with_episodes(store, project, as_of, only, evidence, result)
    if detail if seen is None else seen:
        result = _with_last_seen(store, project, as_of, only, result)
    # Verdict.
    return _verdict(result, project)


def _with_episodes(
    store: Tables,
    project: Project,
    as_of: AsOf,
    only: Only,
    evidence: tuple[ir.Table, ir.Table, ir.Table],
    result: ir.Table,
) -> ir.Table:
    """`result` plus the episodes per entity (`lifecycle.per_entity`) and next_change_at,
    for definitions whose rule or state can stop holding (docs/semantics.md "Lifecycle").
    `evidence`: the rule's changes, the active-days gate and the anchors."""
    changes, active, anchors = evidence
    definition = project.definition
    conditions = [lifecycle.rule_steps(changes, definition.threshold)]
    if definition.min_active_days is not None:
        gate = active.select(g_id="a_id", g_at="active_days_satisfied_at")
        conditions.append(lifecycle.gate_steps(gate))
    expiry = definition.expire_after_inactive_days
    if expiry is not None:
        # With an expiry of a day or more, an island never ends inside a UTC day with
        # events (they are less than a day apart): each day is one span.
        event = None if definition.activity is None else definition.activity.event
        spans = activity_spans(store, project, as_of, anchors, only, event, expiry >= 1)
        conditions.append(lifecycle.activity_steps(spans, expiry))
    found, upcoming = lifecycle.episodes(conditions, anchors, as_of_literal(as_of))
    found = lifecycle.per_entity(found)
    result = result.left_join(found, result.entity_id == found.e_id).drop("e_id")
    return result.left_join(upcoming, result.entity_id == upcoming.n_id).drop("n_id")


def _with_last_seen(
    store: Tables, project: Project, as_of: AsOf, only: Only, result: ir.Table
) -> ir.Table:
    """`result` plus last_seen_at (`activity.last_seen`)."""
    seen = last_seen(store, project, as_of, only)
    return result.left_join(seen, result.entity_id == seen.l_id).drop("l_id")


def progress_values(store: Tables, project: Project, as_of: AsOf, only: Only) -> ir.Table:
    """One query for `criteria_progress`: p_id, criterion, value (float64), one row per
    entity of `only` with criterion NULL (so entities with no progress are listed) and one
    per criterion with progress. `as_of` and `only` may be expressions (the live service
    compiles it once over its own clock and ids tables)."""
    people = entities(store, project, as_of, only)
    anchors = people.select(a_entity="entity_id", a_signup="signup_at", a_converted="converted_at")
    criteria = project.definition.criteria
    events = entity_events(
        store,
        project,
        as_of,
        columns=event_columns(criteria),
        event_names=event_names(criteria),
        only=only,
    )
    before = before_conversion(after_signup(events, anchors))
    can = store.capabilities
    parts = [
        people.select(
            p_id="entity_id",
            criterion=ibis.null("string"),
            value=ibis.null("float64"),
        )
    ]
    for criterion in criteria:
        read = before
        if rolling.is_rolling(criterion):  # the items present at as_of
            read = rolling.recent(before, criterion, as_of_literal(as_of))
        values = kind_of(criterion).progress_value(read, criterion, can)
        parts.append(
            values.select(
                "p_id",
                criterion=ibis.literal(criterion.id, type="string"),
                value=values.value.cast("float64"),
            )
        )
    return ibis.union(*parts, distinct=False)


def criteria_progress(
    store: Tables, project: Project, as_of: datetime, only: list[str]
) -> dict[str, dict[str, float | None]]:
    """Per entity of `only`, per criterion id, its progress so far (same rules as
    qualification: after signup, inside within_days, before conversion): the present
    weight of a counting kind (events, summed value, distinct values, users, days; with
    in_last_days those present at as_of), the
    longest run of consecutive days, or for a sequence the seconds its earliest completion
    took (None: not completed)."""
    return progress_from_rows(
        project, progress_values(store, project, as_of, only).to_pyarrow().to_pylist()
    )


def progress_from_rows(
    project: Project, rows: list[dict[str, Any]]
) -> dict[str, dict[str, float | None]]:
    """`criteria_progress` from the rows of `progress_values`."""
    criteria = project.definition.criteria
    found: dict[str, dict[str, float | None]] = {}
    for row in rows:
        if row["criterion"] is None:
            found[row["p_id"]] = {c.id: (0 if kind_of(c).counting else None) for c in criteria}
    for row in rows:
        if row["criterion"] is not None and row["value"] is not None:
            found[row["p_id"]][row["criterion"]] = _whole(float(row["value"]))
    return found


def progress_in_words(
    project: Project, values: dict[str, dict[str, float | None]]
) -> dict[str, list[dict[str, Any]]]:
    """Per entity: per criterion {id, kind, text} with its progress (`criteria_progress`
    values) in words ("devices: 2 of 3 device_id", "storage: 1.4 GB of 2 GB", "flow:
    workflow done in 5 h")."""
    return {
        entity: [
            {
                "id": c.id,
                "kind": c.kind,
                "text": f"{c.id}: {progress_text(c, progress[c.id])}",
            }
            for c in project.definition.criteria
        ]
        for entity, progress in values.items()
    }


def _whole(value: float) -> float:
    """Whole numbers as ints (2 devices, not 2.0)."""
    return int(value) if value.is_integer() else value


def _with_rule(satisfied: ir.Table, changes: ir.Table | None, project: Project) -> ir.Table:
    """`satisfied` plus rule_satisfied_at: the first instant the rule holds (from the
    rule's `changes` when a criterion has points or a rolling window)."""
    if changes is None:
        return satisfied.mutate(rule_satisfied_at=_rule_satisfied(satisfied, project))
    held = points.first_holding(changes, project.definition.threshold)
    joined = satisfied.left_join(held, satisfied.c_id == held.r_id)
    return joined.drop("r_id").rename(rule_satisfied_at="held_at")


def _rule_satisfied(result: ir.Table, project: Project) -> ir.TimestampValue:
    """rule_satisfied_at: the earliest criterion instant at which the weight of the criteria
    satisfied by then reaches the threshold (NULL when it never does)."""
    definition = project.definition
    instants = [result[criterion_column(i)] for i in range(len(definition.criteria))]
    weights = [definition.weight_of(c) for c in definition.criteria]
    never = ibis.literal(lifecycle.NEVER, type="timestamp")
    candidates = []
    for instant in instants:
        reached = sum(
            (
                ibis.ifelse(other <= instant, weight, 0.0)
                for other, weight in zip(instants, weights, strict=True)
            ),
            ibis.literal(0.0),
        )
        candidates.append(
            ibis.ifelse(reached >= definition.threshold - RULE_TOLERANCE, instant, never)
        )
    earliest = ibis.least(*candidates) if len(candidates) > 1 else candidates[0]
    return earliest.nullif(never)


def _fit(store: Tables, project: Project) -> ir.Table:
    """f_id plus one nullable boolean column per configured fit check."""
    fit = project.definition.fit
    base = entity_attributes(store, project)
    table_columns = set(entity_table(store, project).columns)
    bag = base.traits
    checks: dict[str, ir.BooleanValue] = {}
    if fit.exclude_free_email_domains:
        checks["fit_free_email"] = ~base.attr_fit_domain.isin(list(fit.free_domains))
    if fit.min_employees is not None:
        checks["fit_employees"] = base.attr_employees >= fit.min_employees
    bytewise = store.capabilities.text_order_needs_bytes
    for key, value in (fit.where or {}).items():
        name = f"fit_where_{len(checks)}"
        column = key in table_columns and key != "traits"
        if is_operator(value):
            typed = Typed.of_column(base[key]) if column else Typed.of_json(bag, key)
            checks[name] = fit_where(typed, value, bytewise)  # type: ignore[arg-type]
        elif column:
            checks[name] = column_equals(base[key], plain(value))
        else:
            checks[name] = json_equals(bag, key, plain(value))
    return base.select(f_id=base.attr_id, **checks)


def fit_check_names(project: Project) -> list[tuple[str, str]]:
    """(column, human label) of the configured fit checks, in column order."""
    fit = project.definition.fit
    names: list[tuple[str, str]] = []
    if fit.exclude_free_email_domains:
        names.append(("fit_free_email", "free email domain"))
    if fit.min_employees is not None:
        names.append(("fit_employees", f"employees < {fit.min_employees}"))
    for key, value in (fit.where or {}).items():
        names.append((f"fit_where_{len(names)}", _failed_where(key, value)))
    return names


_FAILED_COMPARISON = {"gt": "≤", "gte": "<", "lt": "≥", "lte": ">"}


def _failed_where(key: str, spec: Any) -> str:
    """What a failed fit `where` entry says about the entity ("employees < 50")."""
    spec = plain(spec)
    if not isinstance(spec, dict):
        return f"{key} is not {spec}"
    ((operator, operand),) = spec.items()
    if operator in _FAILED_COMPARISON:
        return f"{key} {_FAILED_COMPARISON[operator]} {operand}"
    return {
        "ne": f"{key} is {operand}",
        "not_in": f"{key} is one of {operand}",
        "contains": f"{key} does not contain {operand}",
        "exists": f"{key} is {'missing' if operand else 'present'}",
    }[operator]


def _fit_passes(table: ir.Table, project: Project) -> ir.BooleanValue:
    """Whether every configured fit check passes (unknown passes unless require_known)."""
    unknown_passes = not project.definition.fit.require_known
    checks = [table[column] for column, _ in fit_check_names(project)]
    if not checks:
        return ibis.literal(True)
    return ibis.and_(*[ibis.coalesce(c, unknown_passes) for c in checks])


def _verdict(result: ir.Table, project: Project) -> ir.Table:
    """qualified_at, status, the episodes (episode_starts, episode_ends: those of closed
    episodes), pql_since, lapsed_at and next_change_at from the evidence (docs/semantics.md
    "qualified_at" and "Lifecycle")."""
    # Every column used below is taken from the final `result`: Ibis refuses a value of
    # an earlier relation (such as one before a drop) in a later projection.
    if project.definition.min_active_days is None:
        result = result.mutate(active_days_satisfied_at=ibis.null("timestamp"))
    if "last_seen_at" not in result.columns:
        result = result.mutate(last_seen_at=ibis.null("timestamp"))
    fit_ok = _fit_passes(result, project)
    result = result.mutate(fit=fit_ok, active_days=result.active_days.fill_null(0))
    if "first_start" in result.columns:
        return _episodes_verdict(result)
    rule_at = result.rule_satisfied_at
    if project.definition.min_active_days is not None:
        active_at = result.active_days_satisfied_at
        candidate = ibis.ifelse(
            rule_at.isnull() | active_at.isnull(),
            ibis.null("timestamp"),
            ibis.greatest(rule_at, active_at),
        )
    else:
        candidate = rule_at
    candidate = ibis.ifelse(result.fit, candidate, ibis.null("timestamp"))
    converted_first = result.converted_at.notnull() & (result.converted_at <= candidate)
    qualified = result.mutate(
        qualified_at=ibis.ifelse(converted_first, ibis.null("timestamp"), candidate)
    )
    status = _status(qualified, has=qualified.qualified_at.notnull(), open=ibis.literal(True))
    verdict = qualified.mutate(status=status)
    # One episode, from qualified_at to the conversion (docs: without the lifecycle keys).
    is_pql = verdict.status == "pql"
    converted = verdict.status == "converted_pql"
    return verdict.mutate(
        episode_starts=ibis.ifelse(
            verdict.qualified_at.notnull(), ibis.array([verdict.qualified_at]), _no_instants()
        ),
        episode_ends=ibis.ifelse(converted, ibis.array([verdict.converted_at]), _no_instants()),
        pql_since=ibis.ifelse(is_pql, verdict.qualified_at, ibis.null("timestamp")),
        lapsed_at=ibis.null("timestamp"),
        next_change_at=ibis.null("timestamp"),
    )


def _episodes_verdict(result: ir.Table) -> ir.Table:
    """`_verdict` from the episodes of `lifecycle` (first_start, open_since, last_end,
    episode_starts, episode_ends, next_change_at)."""
    none = ibis.null("timestamp")
    has = result.fit & result.first_start.notnull()
    qualified = result.mutate(qualified_at=ibis.ifelse(has, result.first_start, none))
    status = _status(qualified, has=has, open=qualified.open_since.notnull())
    verdict = qualified.mutate(status=status)
    with_episodes = verdict.mutate(
        episode_starts=ibis.ifelse(has, verdict.episode_starts, _no_instants()),
        # NULL, not an empty list, without closed episodes: on every backend alike
        # (PostgreSQL's sorted empty aggregate is an empty array, DuckDB's NULL).
        episode_ends=ibis.ifelse(
            has & verdict.last_end.notnull(), verdict.episode_ends, _no_instants()
        ),
        pql_since=ibis.ifelse(verdict.status == "pql", verdict.open_since, none),
        lapsed_at=ibis.ifelse(verdict.status == "lapsed", verdict.last_end, none),
        next_change_at=ibis.ifelse(
            verdict.fit & verdict.converted_at.isnull(), verdict.next_change_at, none
        ),
    )
    # A select, not drop(): Ibis writes a multi-column drop's EXCLUDE in set order, which
    # changes from run to run (and with it the compiled SQL).
    helpers = ("first_start", "open_since", "last_end")
    return with_episodes.select(*[c for c in with_episodes.columns if c not in helpers])


def _status(result: ir.Table, has: ir.BooleanValue, open: ir.BooleanValue) -> ir.StringValue:
    """The status at as_of, first match wins (`has`: has an episode; `open`: its last one
    is open)."""
    return ibis.cases(
        (has & result.converted_at.notnull(), "converted_pql"),
        (has & open, "pql"),
        (has, "lapsed"),
        (result.converted_at.notnull(), "converted_without_qualifying"),
        (~result.fit, "failed_fit"),
        else_="not_qualified",
    )


def _no_instants() -> ir.ArrayValue:
    """No instants: NULL, which readers take as an empty list (PostgreSQL cannot type an
    empty array literal)."""
    return ibis.null("array<timestamp>")


def _fit_failed(row: dict[str, Any], project: Project) -> list[str]:
    """Labels of the fit checks that failed (unknown fails only under require_known)."""
    strict = project.definition.fit.require_known
    failed = []
    for column, label in fit_check_names(project):
        if row.get(column) is False:
            failed.append(label)
        elif row.get(column) is None and strict:
            failed.append(f"{label} (unknown)")
    return failed


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment.replace(tzinfo=UTC)


def qualify_entities(store: Store, project: Project, as_of: datetime) -> list[dict[str, Any]]:
    """Every entity's qualification as plain dicts (datetimes tz-aware UTC), by entity_id."""
    return to_records(qualified_rows(store, project, as_of), project)


def qualified_rows(
    store: Store,
    project: Project,
    as_of: datetime,
    status: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    seen: bool = True,
) -> pa.Table:
    """`qualification` rows at `as_of` (optionally of one status), by entity_id or newest
    first (then entity_id), at most `limit`; by cached SQL where it can. Newest: the start
    of the open episode (pql_since), else the lapse (lapsed_at), else qualified_at."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
    if not compiled.cacheable(store):
        table = qualification(store, project, as_of, seen=seen)
        if status is not None:
            table = table.filter(table.status == status)
        newest = ibis.coalesce(table.pql_since, table.lapsed_at, table.qualified_at)
        keys = [newest.desc(), table.entity_id] if newest_first else [table.entity_id]
        table = table.order_by(*keys)
        return (table if limit is None else table.limit(limit)).to_pyarrow()
    statement = cached_qualification(store, project, detail=True, seen=seen)
    compiled.set_as_of(store, to_utc_naive(as_of))
    sql = f"SELECT * FROM ({statement['sql']})"
    if status is not None:
        sql += f" WHERE status = '{status}'"  # one of STATUSES, checked above
    sql += " ORDER BY " + (
        "coalesce(pql_since, lapsed_at, qualified_at) DESC NULLS LAST, entity_id"
        if newest_first
        else "entity_id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows: pa.Table = store.raw.execute(sql).fetch_arrow_table()
    return rows


def cached_qualification(
    store: Store, project: Project, detail: bool, seen: bool | None = None
) -> compiled.Statements:
    """`qualification_statements`, compiled once per definition (`compiled`)."""
    key = {**compiled.qualification_key(project, detail), "seen": seen}
    return compiled.compiled(
        store, key, lambda: qualification_statements(store, project, detail, seen)
    )


def qualification_statements(
    store: Store, project: Project, detail: bool, seen: bool | None = None
) -> compiled.Statements:
    """`qualification` at the session's as_of (`compiled.set_as_of`) as SQL: `sql`, and
    `schema` (JSON of column -> type) for queries built over its result."""
    expression = qualification(store, project, compiled.as_of_parameter(), detail=detail, seen=seen)
    schema = {name: str(kind) for name, kind in expression.schema().items()}
    return {"sql": compiled.to_sql(store, expression), "schema": json.dumps(schema)}


def to_record(row: dict[str, Any], project: Project) -> dict[str, Any]:
    """One qualification row in the public shape."""
    criteria = {
        c.id: _aware(row[criterion_column(i)]) for i, c in enumerate(project.definition.criteria)
    }
    return {
        "entity_id": row["entity_id"],
        "signup_at": _aware(row["signup_at"]),
        "converted_at": _aware(row["converted_at"]),
        "rule_satisfied_at": _aware(row["rule_satisfied_at"]),
        "active_days_satisfied_at": _aware(row["active_days_satisfied_at"]),
        "active_days": int(row["active_days"]),
        "criteria": criteria,
        "criteria_met": [cid for cid, at in criteria.items() if at is not None],
        "fit": bool(row["fit"]),
        "fit_failed": _fit_failed(row, project),
        "qualified_at": _aware(row["qualified_at"]),
        "status": row["status"],
        "pql_since": _aware(row["pql_since"]),
        "lapsed_at": _aware(row["lapsed_at"]),
        "episodes": episodes_of(row),
        "last_seen_at": _aware(row["last_seen_at"]),
    }


def episodes_of(row: dict[str, Any]) -> list[list[datetime | None]]:
    """[[start, end or None], ...] from a row's episode_starts and episode_ends (the ends
    of closed episodes: an open one is the last start)."""
    starts = [_aware(t) for t in row["episode_starts"] or []]
    ends: list[datetime | None] = [_aware(t) for t in row["episode_ends"] or []]
    ends += [None] * (len(starts) - len(ends))
    return [[start, end] for start, end in zip(starts, ends, strict=True)]


def run_qualification(
    store: Store,
    project: Project,
    as_of: datetime,
    status: str | None = None,
    limit: int | None = None,
) -> tuple[pa.Table, dict[str, int]]:
    """Qualify, store the result (table `qualified_entities`, with version and as_of) and
    record the definition version; returns the stored rows by entity_id (optionally one
    status, at most `limit`; `to_records` makes them records) and the count of entities
    per status."""
    as_of_naive = to_utc_naive(as_of)
    if compiled.cacheable(store):
        statement = cached_qualification(store, project, detail=True)
        compiled.set_as_of(store, as_of_naive)
        version = project.version  # 12 hex digits
        store.raw.execute(
            f"CREATE OR REPLACE TABLE qualified_entities AS SELECT *, '{version}' AS "
            f"definition_version, getvariable('{compiled.AS_OF_VARIABLE}') AS as_of "
            f"FROM ({statement['sql']})"
        )
    else:
        table = qualification(store, project, as_of).mutate(
            definition_version=ibis.literal(project.version),
            as_of=ibis.literal(as_of_naive, type="timestamp"),
        )
        store.write_table("qualified_entities", table)
    store.record_definition(
        project.version,
        project.definition.name,
        semantic_json(project),
    )
    stored = store.table("qualified_entities")
    grouped = stored.group_by("status").agg(n=stored.count()).to_pyarrow().to_pylist()
    found = {row["status"]: int(row["n"]) for row in grouped}
    # In STATUSES order: a hash aggregate returns groups in any order.
    counts = {status: found[status] for status in STATUSES if status in found}
    if status is not None:
        stored = stored.filter(stored.status == status)
    stored = stored.order_by("entity_id")
    if limit is not None:
        stored = stored.limit(limit)
    return stored.to_pyarrow(), counts


def to_records(rows: pa.Table, project: Project) -> list[dict[str, Any]]:
    """Qualification rows (as `qualification` gives them) in the public shape."""
    return [to_record(row, project) for row in rows.to_pylist()]
