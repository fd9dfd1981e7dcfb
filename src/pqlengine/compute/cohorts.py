"""Per-entity cohort columns and the queries of the four metrics over them (Ibis
expressions; `metrics` runs them and shapes the result)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import OperationNotDefinedError

from pqlengine.compute import compiled
from pqlengine.compute.entities import AsOf, as_of_literal
from pqlengine.compute.matching import json_has, json_text
from pqlengine.compute.periods import MICROSECONDS_PER_DAY, Period, SegmentError
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project
from pqlengine.store import Store, Tables


def _truncate(ts: ir.TimestampValue, period: Period) -> ir.TimestampValue:
    return ts.truncate("W" if period == "week" else "M")


def _period_length(period: Period) -> ir.IntervalScalar:
    return ibis.interval(weeks=1) if period == "week" else ibis.interval(months=1)


def segment_expression(store: Tables, project: Project, table: ir.Table, by: str) -> ir.Table:
    """`table` with a `segment` column: the entity's column `by`, else its trait `by`."""
    attrs, needs_trait = _segment_attributes(store, project, by)
    if needs_trait is not None and not bool(needs_trait.execute()):
        raise segment_error(store, project, by)
    return _with_segment(table, attrs)


def _segment_attributes(
    store: Tables, project: Project, by: str
) -> tuple[ir.Table, ir.IntegerScalar | None]:
    """s_id, segment per entity; and, when `by` is a trait, how many entities have it (the
    caller checks it is not 0)."""
    source = store.table("accounts" if project.entity == "account" else "users")
    key = "account_id" if project.entity == "account" else "user_id"
    if by in source.columns and by not in {"traits", key}:
        return source.select(s_id=source[key], segment=source[by].cast("string")), None
    having = source.filter(json_has(source.traits, by)).count()
    return source.select(s_id=source[key], segment=json_text(source.traits, by)), having


def _with_segment(table: ir.Table, attrs: ir.Table) -> ir.Table:
    return table.left_join(attrs, table.entity_id == attrs.s_id).drop("s_id")


def segment_error(store: Tables, project: Project, by: str) -> SegmentError:
    source = store.table("accounts" if project.entity == "account" else "users")
    key = "account_id" if project.entity == "account" else "user_id"
    return SegmentError(_unknown_segment(source, by, key))


def _unknown_segment(source: ir.Table, by: str, key: str) -> str:
    try:
        keys = source.traits.map.keys().unnest().name("k")
        listed = sorted(str(k) for k in source.select(keys).distinct().k.execute() if k)
        traits = ", ".join(listed) or "none stored"
    except (OperationNotDefinedError, AttributeError):
        traits = "not listed on this backend"  # JSON kept as text, or no JSON-to-map
    columns = [c for c in source.columns if c not in {"traits", key}]
    return f"unknown segment '{by}': not a column ({', '.join(columns)}) or a trait ({traits})"


def cohort_columns(
    store: Tables,
    project: Project,
    as_of: AsOf,
    period: Period,
    by: str | None,
    qualified: ir.Table | None,
) -> ir.Table:
    """Per entity: the qualification columns plus segment, cohort_start, complete, is_pql,
    converted_pql, non_pql_converted and days_to_pql (`qualified`: an already computed
    qualification to reuse)."""
    if qualified is None:
        # Metrics read qualified_at and status only: no per-criterion detail needed.
        qualified = qualification(store, project, as_of, detail=False)
    segments = None if by is None else segment_expression(store, project, qualified, by)
    return _cohort_columns(qualified if segments is None else segments, project, as_of, period)


def _cohort_columns(table: ir.Table, project: Project, as_of: AsOf, period: Period) -> ir.Table:
    """`cohort_columns` of a qualification table that has a segment column or none."""
    if "segment" not in table.columns:
        table = table.mutate(segment=ibis.null("string"))
    observation = ibis.interval(days=project.observation_days)
    window = ibis.interval(days=project.conversion_window_days)
    both = ibis.interval(days=project.observation_days + project.conversion_window_days)
    cohort_start = _truncate(table.signup_at, period)
    is_pql = table.qualified_at.notnull() & (table.qualified_at <= table.signup_at + observation)
    converted_pql = (
        is_pql
        & (table.converted_at > table.qualified_at)
        & (table.converted_at <= table.qualified_at + window)
    )
    non_pql_converted = (
        ~is_pql & table.converted_at.notnull() & (table.converted_at <= table.signup_at + both)
    )
    days = table.qualified_at.delta(table.signup_at, unit="microsecond").cast("float64")
    return table.mutate(
        cohort_start=cohort_start,
        complete=cohort_start + _period_length(period) + observation <= as_of_literal(as_of),
        is_pql=is_pql,
        converted_pql=converted_pql,
        non_pql_converted=non_pql_converted,
        days_to_pql=days / MICROSECONDS_PER_DAY,
    )


def aggregates(table: ir.Table) -> dict[str, ir.Scalar]:
    pql_days = table.days_to_pql
    return {
        "signups": table.count(),
        "pqls": table.is_pql.sum(),
        "converted_pqls": table.converted_pql.sum(),
        "non_pql_converted": table.non_pql_converted.sum(),
        "median": pql_days.quantile(0.5, where=table.is_pql),
        "p25": pql_days.quantile(0.25, where=table.is_pql),
        "p75": pql_days.quantile(0.75, where=table.is_pql),
    }


def metric_queries(table: ir.Table, period: Period, by: str | None) -> dict[str, ir.Table]:
    """The queries of one metrics result over `cohort_columns`."""
    complete = table.filter(table.complete)
    queries = {
        "cohorts": table.group_by("cohort_start", "segment", "complete")
        .agg(**aggregates(table))
        .order_by("cohort_start", ibis.asc("segment", nulls_first=True)),
        "overall": complete.aggregate(**aggregates(complete)),
        "counts": pql_counts(table, period),
    }
    if by is not None:
        queries["segments"] = (
            complete.group_by("segment")
            .agg(**aggregates(complete))
            .order_by(ibis.asc("segment", nulls_first=True))
        )
    return queries


def pql_counts(table: ir.Table, period: Period) -> ir.Table:
    """start, segment, new, requalified, lapsed, ended_by_conversion, pqls, open_at_end:
    per period in which an episode of an entity of `table` (from `_prepared`) starts or
    ends, whatever its cohort (docs/semantics.md "Per period"; `new` counts first
    episodes, so it is pqls, the number of qualified_at in the period)."""
    # Column unnests, not Table.unnest: that one names its columns at random, so the
    # compiled SQL would change from run to run.
    starts = table.select("segment", "qualified_at", start=table.episode_starts.unnest())
    first = starts.start == starts.qualified_at  # the first episode starts at qualified_at
    begun = starts.select(
        start=_truncate(starts.start, period),
        segment=starts.segment,
        new=ibis.ifelse(first, 1, 0),
        requalified=ibis.ifelse(first, 0, 1),
        lapsed=ibis.literal(0),
        ended_by_conversion=ibis.literal(0),
    )
    ends = table.select("segment", "converted_at", end=table.episode_ends.unnest())
    by_conversion = ibis.coalesce(ends.end == ends.converted_at, False)
    ended = ends.select(
        start=_truncate(ends.end, period),
        segment=ends.segment,
        new=ibis.literal(0),
        requalified=ibis.literal(0),
        lapsed=ibis.ifelse(by_conversion, 0, 1),
        ended_by_conversion=ibis.ifelse(by_conversion, 1, 0),
    )
    both = begun.union(ended, distinct=False)
    numbers = ("new", "requalified", "lapsed", "ended_by_conversion")
    per = both.group_by("start", "segment").agg(**{name: both[name].sum() for name in numbers})
    # The balance: open at a period's end = the changes of every period up to it.
    change = per.new + per.requalified - per.lapsed - per.ended_by_conversion
    so_far = ibis.window(group_by="segment", order_by="start", rows=(None, 0))
    return per.mutate(pqls=per.new, open_at_end=change.sum().over(so_far)).order_by(
        "start", ibis.asc("segment", nulls_first=True)
    )


def expression_rows(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period,
    by: str | None,
    qualified: ir.Table | None,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of `metric_queries`, run as Ibis expressions (any backend)."""
    table = cohort_columns(store, project, as_of, period, by, qualified).cache()
    try:
        return {
            name: query.to_pyarrow().to_pylist()
            for name, query in metric_queries(table, period, by).items()
        }
    finally:
        table.release()


def metric_statements(
    store: Store,
    project: Project,
    period: Period,
    by: str | None,
    qualified_schema: str,
    tables: tuple[str, str],
) -> compiled.Statements:
    """`metric_queries` as SQL over two tables (names `tables`): the qualification (columns
    `qualified_schema`, JSON) and the cohort columns the statement `cohorts_table` makes
    from it; `segment_check`, when `by` is a trait, counts the entities that have it."""
    qualified_name, cohorts_name = tables
    table = ibis.table(ibis.schema(json.loads(qualified_schema)), name=qualified_name)
    statements = {}
    if by is not None:
        attrs, needs_trait = _segment_attributes(store, project, by)
        table = _with_segment(table, attrs)
        if needs_trait is not None:
            statements["segment_check"] = compiled.to_sql(store, needs_trait)
    cohorts = _cohort_columns(table, project, compiled.as_of_parameter(), period)
    statements["cohorts_table"] = compiled.to_sql(store, cohorts)
    unbound = ibis.table(cohorts.schema(), name=cohorts_name)
    for name, query in metric_queries(unbound, period, by).items():
        statements[name] = compiled.to_sql(store, query)
    return statements
