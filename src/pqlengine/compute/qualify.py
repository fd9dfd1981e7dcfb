"""Point-in-time qualification per entity (docs/semantics.md), as Ibis expressions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from pqlengine import registry
from pqlengine.compute.entities import (
    AsOf,
    Only,
    as_of_literal,
    entities,
    entity_events,
    registry_rows,
    runs_on_duckdb,
    to_utc_naive,
)
from pqlengine.compute.matching import column_equals, json_equals, json_matches
from pqlengine.config import RULE_TOLERANCE, Criterion, Project, semantic_json
from pqlengine.store import Store

STATUSES = ("pql", "converted_pql", "converted_without_qualifying", "failed_fit", "not_qualified")


def criterion_column(index: int) -> str:
    """Column holding criterion `index`'s satisfied_at (ids are user text, so not names)."""
    return f"criterion_{index}_at"


def qualification(
    store: Store, project: Project, as_of: AsOf, only: Only = None, detail: bool = True
) -> ir.Table:
    """Per entity (all, or those in `only`): signup_at, converted_at, criterion_<i>_at,
    rule_satisfied_at, active_days, active_days_satisfied_at, fit, fit_failed,
    qualified_at, status.

    `detail=False` computes the same qualified_at and status for less: events are read only
    for entities that pass fit, and active days only for those that met the rule, so
    criterion_<i>_at, rule_satisfied_at, active_days and active_days_satisfied_at are left
    NULL (0) for the others. Metrics need no more.
    """
    people = entities(store, project, as_of, only)
    fit = _fit(store, project)
    anchors = people.select(a_entity="entity_id", a_signup="signup_at", a_converted="converted_at")
    if not detail:
        # An entity without a row in the fit table has unknown fit, which may pass.
        failing = fit.filter(~_fit_passes(fit, project))
        anchors = anchors.anti_join(failing, anchors.a_entity == failing.f_id)
    criteria = project.definition.criteria
    needs_properties = any(c.where for c in criteria)
    criterion_events = entity_events(
        store,
        project,
        as_of,
        columns=("event", "ts", "properties") if needs_properties else ("event", "ts"),
        event_names=sorted({c.event for c in criteria}),
        only=only,
    )
    aggregates = runs_on_duckdb(store)
    satisfied = _criteria_satisfied(_after_signup(criterion_events, anchors), project, aggregates)
    satisfied = satisfied.mutate(rule_satisfied_at=_rule_satisfied(satisfied, project))
    result = people.left_join(satisfied, people.entity_id == satisfied.c_id).drop("c_id")
    if not detail:
        ruled = satisfied.filter(satisfied.rule_satisfied_at.notnull())
        anchors = anchors.semi_join(ruled, anchors.a_entity == ruled.c_id)
    active = _active(store, project, as_of, anchors, aggregates, only)
    result = result.left_join(active, result.entity_id == active.a_id).drop("a_id")
    result = result.left_join(fit, result.entity_id == fit.f_id).drop("f_id")
    return _qualified(result, project)


def criteria_progress(
    store: Store, project: Project, as_of: datetime, entity_id: str
) -> dict[str, int]:
    """Per criterion id: how many matching events count toward it so far (same rules as
    qualification: after signup, inside within_days, before conversion)."""
    people = entities(store, project, as_of, [entity_id])
    anchors = people.select(a_entity="entity_id", a_signup="signup_at", a_converted="converted_at")
    criteria = project.definition.criteria
    events = entity_events(
        store,
        project,
        as_of,
        columns=("event", "ts", "properties"),
        event_names=sorted({c.event for c in criteria}),
        only=[entity_id],
    )
    after = _after_signup(events, anchors)
    after = after.filter(after.converted_at.isnull() | (after.ts < after.converted_at))
    duckdb = runs_on_duckdb(store)
    counts = (
        after.aggregate(
            **{
                f"c{i}": ibis.and_(*_criterion_filter(after, c, duckdb)).sum()
                for i, c in enumerate(criteria)
            }
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return {c.id: int(counts[f"c{i}"] or 0) for i, c in enumerate(criteria)}


def _after_signup(events: ir.Table, anchors: ir.Table) -> ir.Table:
    """Events at or after their entity's signup, with signup_at and converted_at."""
    joined = events.inner_join(anchors, events.entity_id == anchors.a_entity)
    joined = joined.filter(joined.ts >= joined.a_signup)
    return joined.drop("a_entity").rename(signup_at="a_signup", converted_at="a_converted")


@ibis.udf.agg.builtin(name="min")
def _smallest(arg: dt.timestamp, n: dt.int64) -> dt.Array(dt.timestamp):  # type: ignore[valid-type]
    """DuckDB's min(arg, n): the n smallest values of arg, ascending."""


def _nth_smallest(
    value: ir.TimestampColumn, n: int, where: ir.BooleanValue | None, aggregates: bool
) -> ir.TimestampScalar | None:
    """The n-th smallest `value` (rows where `where`) as one aggregate, or None when the
    backend needs a window for it. n = 1 is `min` everywhere; otherwise DuckDB's
    `min(value, n)[n]`, which keeps n values per group instead of sorting every row."""
    if n == 1:
        return value.min(where=where)
    if not aggregates:
        return None
    return _smallest(value, n, where=where)[n - 1]


def _criteria_satisfied(after_signup: ir.Table, project: Project, aggregates: bool) -> ir.Table:
    """Wide table: c_id plus criterion_<i>_at, the instant of the at_least-th matching event.

    Criteria whose N-th occurrence has an aggregate share one grouped scan; the rest (N > 1
    on backends without `min(value, n)`) number their events with a window each."""
    before = after_signup.filter(
        after_signup.converted_at.isnull() | (after_signup.ts < after_signup.converted_at)
    )
    by_aggregate: dict[str, Any] = {}
    windowed: list[tuple[int, Criterion]] = []
    for index, criterion in enumerate(project.definition.criteria):
        nth = _nth_smallest(
            before.ts, criterion.at_least, _short_circuit(before, criterion, aggregates), aggregates
        )
        if nth is None:
            windowed.append((index, criterion))
        else:
            by_aggregate[criterion_column(index)] = nth
    if by_aggregate:
        table = before.group_by(c_id=before.entity_id).agg(**by_aggregate)
    else:
        table = before.select(c_id=before.entity_id).distinct()
    for index, criterion in windowed:
        matching = before.filter(_criterion_filter(before, criterion, aggregates))
        ordered = matching.mutate(
            position=ibis.row_number().over(group_by="entity_id", order_by="ts")
        )
        nth_rows = ordered.filter(ordered.position == criterion.at_least - 1)
        part = nth_rows.select(w_id=nth_rows.entity_id, **{criterion_column(index): nth_rows.ts})
        table = table.left_join(part, table.c_id == part.w_id).drop("w_id")
    columns = [criterion_column(i) for i in range(len(project.definition.criteria))]
    return table.select("c_id", *columns)


def _short_circuit(table: ir.Table, criterion: Criterion, duckdb: bool) -> ir.BooleanValue:
    """The criterion's filter as an aggregate's FILTER: the event name first, the rest (JSON
    property lookups, the window) only for rows of that event. A plain AND would evaluate
    every part on every row in the aggregate's input, and parsing the properties of every
    criterion event is most of a scan's cost on DuckDB."""
    event, *rest = _criterion_filter(table, criterion, duckdb)
    return event if not rest else ibis.ifelse(event, ibis.and_(*rest), False)


def _criterion_filter(table: ir.Table, criterion: Criterion, duckdb: bool) -> list[ir.BooleanValue]:
    conditions = [table.event == criterion.event]
    if criterion.within_days is not None:
        conditions.append(table.ts < table.signup_at + _window_length(criterion.within_days))
    for key, value in (criterion.where or {}).items():
        conditions.append(json_matches(table.properties, key, value, duckdb))
    return conditions


def _window_length(days: float) -> ir.IntervalScalar:
    """`days` rounded to the microsecond, as an interval in the coarsest unit that holds it
    exactly (same instant everywhere; ClickHouse has no sub-second intervals)."""
    microseconds = round(days * 86_400_000_000)
    if microseconds % 86_400_000_000 == 0:
        return ibis.interval(days=microseconds // 86_400_000_000)
    if microseconds % 1_000_000 == 0:
        return ibis.interval(seconds=microseconds // 1_000_000)
    return ibis.interval(microseconds=microseconds)


# Later than any instant in a store: stands for "never" where LEAST must not see NULLs
# (Snowflake's and BigQuery's LEAST return NULL when any argument is NULL).
_NEVER = datetime(9999, 12, 31)


def _rule_satisfied(result: ir.Table, project: Project) -> ir.TimestampValue:
    """rule_satisfied_at: the earliest criterion instant at which the weight of the criteria
    satisfied by then reaches the threshold (NULL when it never does)."""
    definition = project.definition
    instants = [result[criterion_column(i)] for i in range(len(definition.criteria))]
    weights = [definition.weight_of(c) for c in definition.criteria]
    never = ibis.literal(_NEVER, type="timestamp")
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


def _active(
    store: Store, project: Project, as_of: AsOf, anchors: ir.Table, aggregates: bool, only: Only
) -> ir.Table:
    """a_id, active_days, active_days_satisfied_at of the entities in `anchors`: from our
    store's day registry where it settles them, else from their events."""
    all_events = entity_events(store, project, as_of, columns=("ts",), only=only)
    if not store.has_registry:
        return _active_days(_after_signup(all_events, anchors), project, aggregates)
    # A row (user, day) holds an event in [signup_at, as_of] iff last_ts >= signup_at and
    # first_ts <= as_of, and then its first such event is first_ts, unless first_ts <
    # signup_at <= last_ts (the signup day, with events on both sides of the signup): such
    # an entity is unsettled and read from its events.
    rows = registry_rows(store, project, registry.DAYS, only)
    rows = rows.inner_join(anchors, rows.entity_id == anchors.a_entity)
    rows = rows.filter(rows.last_ts >= rows.a_signup, rows.first_ts <= as_of_literal(as_of))
    after = rows.first_ts >= rows.a_signup
    days = rows.group_by("entity_id", "day").agg(
        first_ts=rows.first_ts.min(where=after), unsettled=(~after).any()
    )
    counted = _count_days(days, project, aggregates, unsettled=days.unsettled.any())
    settled = counted.filter(~counted.unsettled).drop("unsettled")
    unsettled = counted.filter(counted.unsettled)
    rescan = anchors.semi_join(unsettled, anchors.a_entity == unsettled.a_id)
    scanned = _active_days(_after_signup(all_events, rescan), project, aggregates)
    return settled.union(scanned, distinct=False)


def _active_days(after_signup: ir.Table, project: Project, aggregates: bool) -> ir.Table:
    """a_id, active_days, active_days_satisfied_at (first event of the d-th active day)."""
    days = after_signup.group_by("entity_id", day=after_signup.ts.truncate("D")).agg(
        first_ts=after_signup.ts.min()
    )
    return _count_days(days, project, aggregates)


def _count_days(days: ir.Table, project: Project, aggregates: bool, **extra: ir.Value) -> ir.Table:
    """Per entity of `days` (entity_id, day, first_ts: its first event that day, NULL when
    none counts): a_id, active_days and, with min_active_days, active_days_satisfied_at."""
    counts = {"active_days": days.first_ts.count(), **extra}
    needed = project.definition.min_active_days
    if needed is None:
        return days.group_by(a_id=days.entity_id).agg(**counts)
    # Days' first events rise with the days, so the d-th day's is the d-th smallest.
    nth = _nth_smallest(days.first_ts, needed, days.first_ts.notnull(), aggregates)
    if nth is None:
        days = days.mutate(position=ibis.row_number().over(group_by="entity_id", order_by="day"))
        nth = days.first_ts.min(where=days.position == needed - 1)
    return days.group_by(a_id=days.entity_id).agg(**counts, active_days_satisfied_at=nth)


def _fit(store: Store, project: Project) -> ir.Table:
    """f_id plus one nullable boolean column per configured fit check."""
    fit = project.definition.fit
    accounts = store.table("accounts")
    if project.entity == "account":
        base = accounts.mutate(f_id=accounts.account_id, domain_lc=accounts.domain.lower())
        table_columns = set(accounts.columns)
    else:
        users = store.table("users")
        employees = accounts.select(acc_id=accounts.account_id, employees=accounts.employees)
        joined = users.left_join(employees, users.account_id == employees.acc_id)
        base = joined.mutate(
            f_id=joined.user_id,
            domain_lc=joined.email.re_extract(r"@([^@]+)$", 1).lower().nullif(""),
        )
        table_columns = set(users.columns)
    bag = base.traits
    checks: dict[str, ir.BooleanValue] = {}
    if fit.exclude_free_email_domains:
        checks["fit_free_email"] = ~base.domain_lc.isin(list(fit.free_domains))
    if fit.min_employees is not None:
        checks["fit_employees"] = base.employees >= fit.min_employees
    for key, value in (fit.where or {}).items():
        name = f"fit_where_{len(checks)}"
        if key in table_columns and key != "traits":
            checks[name] = column_equals(base[key], value)
        else:
            checks[name] = json_equals(bag, key, value)
    return base.select("f_id", **checks)


def fit_check_names(project: Project) -> list[tuple[str, str]]:
    """(column, human label) of the configured fit checks, in column order."""
    fit = project.definition.fit
    names: list[tuple[str, str]] = []
    if fit.exclude_free_email_domains:
        names.append(("fit_free_email", "free email domain"))
    if fit.min_employees is not None:
        names.append(("fit_employees", f"employees < {fit.min_employees}"))
    for key, value in (fit.where or {}).items():
        names.append((f"fit_where_{len(names)}", f"{key} is not {value}"))
    return names


def _fit_passes(table: ir.Table, project: Project) -> ir.BooleanValue:
    """Whether every configured fit check passes (unknown passes unless require_known)."""
    unknown_passes = not project.definition.fit.require_known
    checks = [table[column] for column, _ in fit_check_names(project)]
    if not checks:
        return ibis.literal(True)
    return ibis.and_(*[ibis.coalesce(c, unknown_passes) for c in checks])


def _qualified(result: ir.Table, project: Project) -> ir.Table:
    fit_ok = _fit_passes(result, project)
    rule_at = result.rule_satisfied_at
    if project.definition.min_active_days is not None:
        active_at = result.active_days_satisfied_at
        candidate = ibis.ifelse(
            rule_at.isnull() | active_at.isnull(),
            ibis.null("timestamp"),
            ibis.greatest(rule_at, active_at),
        )
    else:
        result = result.mutate(active_days_satisfied_at=ibis.null("timestamp"))
        candidate = rule_at
    candidate = ibis.ifelse(fit_ok, candidate, ibis.null("timestamp"))
    converted_first = result.converted_at.notnull() & (result.converted_at <= candidate)
    qualified_at = ibis.ifelse(converted_first, ibis.null("timestamp"), candidate)
    with_fit = result.mutate(
        fit=fit_ok, qualified_at=qualified_at, active_days=result.active_days.fill_null(0)
    )
    status = ibis.cases(
        (with_fit.qualified_at.notnull() & with_fit.converted_at.notnull(), "converted_pql"),
        (with_fit.qualified_at.notnull(), "pql"),
        (with_fit.converted_at.notnull(), "converted_without_qualifying"),
        (~with_fit.fit, "failed_fit"),
        else_="not_qualified",
    )
    return with_fit.mutate(status=status)


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
    table = qualification(store, project, as_of).order_by("entity_id")
    return to_records(table.to_pyarrow(), project)


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
    }


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
    counts = dict(stored.group_by("status").agg(n=stored.count()).execute().itertuples(False))
    if status is not None:
        stored = stored.filter(stored.status == status)
    stored = stored.order_by("entity_id")
    if limit is not None:
        stored = stored.limit(limit)
    # GROUP BY returns the statuses in whatever order DuckDB's parallel hash aggregate ends in,
    # which changes from run to run: report them in the fixed STATUSES order.
    return stored.to_pyarrow(), {s: int(counts[s]) for s in STATUSES if s in counts}


def to_records(rows: pa.Table, project: Project) -> list[dict[str, Any]]:
    """Qualification rows (as `qualification` gives them) in the public shape."""
    return [to_record(row, project) for row in rows.to_pylist()]
