"""The four PQL metrics per signup cohort and segment (docs/semantics.md, "Cohort metrics")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import OperationNotDefinedError

from pqlengine.compute import compiled
from pqlengine.compute.entities import AsOf, as_of_literal, to_utc_naive
from pqlengine.compute.matching import json_has, json_text
from pqlengine.compute.qualify import cached_qualification, qualification
from pqlengine.config import Project
from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval
from pqlengine.store import Store

Period = Literal["week", "month"]
MICROSECONDS_PER_DAY = 86_400_000_000


class SegmentError(ValueError):
    """`--by` names something that is neither a column nor a trait."""


@dataclass(frozen=True)
class CohortCounts:
    """Sufficient statistics of one cohort (or a pool of cohorts)."""

    signups: int
    pqls: int
    converted_pqls: int
    non_pql_converted: int
    time_to_pql_days: dict[str, float | None]

    @property
    def pql_rate(self) -> Proportion:
        """PQLs among signups."""
        return Proportion(self.pqls, self.signups)

    @property
    def pql_to_paid(self) -> Proportion:
        """Converted PQLs among PQLs."""
        return Proportion(self.converted_pqls, self.pqls)

    @property
    def non_pql_to_paid(self) -> Proportion:
        """Converted non-PQLs among non-PQL signups."""
        return Proportion(self.non_pql_converted, self.signups - self.pqls)


def period_label(start: datetime, period: Period) -> str:
    """`2026-01` for months, ISO week `2026-W02` for weeks."""
    if period == "month":
        return f"{start.year:04d}-{start.month:02d}"
    iso = start.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _truncate(ts: ir.TimestampValue, period: Period) -> ir.TimestampValue:
    return ts.truncate("W" if period == "week" else "M")


def _period_length(period: Period) -> ir.IntervalScalar:
    return ibis.interval(weeks=1) if period == "week" else ibis.interval(months=1)


def segment_expression(store: Store, project: Project, table: ir.Table, by: str) -> ir.Table:
    """`table` with a `segment` column: the entity's column `by`, else its trait `by`."""
    attrs, needs_trait = _segment_attributes(store, project, by)
    if needs_trait is not None and not bool(needs_trait.execute()):
        raise _segment_error(store, project, by)
    return _with_segment(table, attrs)


def _segment_attributes(
    store: Store, project: Project, by: str
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


def _segment_error(store: Store, project: Project, by: str) -> SegmentError:
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
    store: Store,
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


def _aggregates(table: ir.Table) -> dict[str, ir.Scalar]:
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


def _counts(row: dict[str, Any]) -> CohortCounts:
    pqls = int(row["pqls"] or 0)
    quantiles = {
        k: (float(row[k]) if pqls and row[k] is not None else None)
        for k in ("median", "p25", "p75")
    }
    return CohortCounts(
        signups=int(row["signups"]),
        pqls=pqls,
        converted_pqls=int(row["converted_pqls"] or 0),
        non_pql_converted=int(row["non_pql_converted"] or 0),
        time_to_pql_days=quantiles,
    )


def compute_metrics(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    qualified: ir.Table | None = None,
) -> dict[str, Any]:
    """Cohort rows, the overall row over complete cohorts and PQL counts per period.

    `qualified`: an already computed `qualification(store, project, as_of)` to reuse.
    """
    if qualified is None and compiled.cacheable(store):
        found = _cached_rows(store, project, as_of, period, by)
    else:
        table = cohort_columns(store, project, as_of, period, by, qualified).cache()
        try:
            found = {
                name: query.to_pyarrow().to_pylist()
                for name, query in _queries(table, period, by).items()
            }
        finally:
            table.release()
    result: dict[str, Any] = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "period": period,
        "by": by,
        "observation_days": project.observation_days,
        "conversion_window_days": project.conversion_window_days,
        "cohorts": [
            _row(
                period_label(r["cohort_start"], period),
                r["segment"],
                bool(r["complete"]),
                _counts(r),
            )
            for r in found["cohorts"]
        ],
        "overall": _row(None, None, True, _counts(found["overall"][0])),
    }
    if by is not None:
        result["overall_by_segment"] = [
            _row(None, r["segment"], True, _counts(r)) for r in found["segments"]
        ]
    result["pql_count_by_period"] = [
        {"period": period_label(r["start"], period), "segment": r["segment"], "pqls": r["pqls"]}
        for r in found["counts"]
    ]
    return result


def _queries(table: ir.Table, period: Period, by: str | None) -> dict[str, ir.Table]:
    """The queries of one metrics result over `cohort_columns`."""
    complete = table.filter(table.complete)
    queries = {
        "cohorts": table.group_by("cohort_start", "segment", "complete")
        .agg(**_aggregates(table))
        .order_by("cohort_start", ibis.asc("segment", nulls_first=True)),
        "overall": complete.aggregate(**_aggregates(complete)),
        "counts": pql_counts(table, period),
    }
    if by is not None:
        queries["segments"] = (
            complete.group_by("segment")
            .agg(**_aggregates(complete))
            .order_by(ibis.asc("segment", nulls_first=True))
        )
    return queries


# Temporary tables of one cached metrics run (renamed per run, `compiled.bind`).
_QUALIFIED = "_pql_metrics_qualified"
_COHORTS = "_pql_metrics_cohorts"


def _cached_rows(
    store: Store, project: Project, as_of: datetime, period: Period, by: str | None
) -> dict[str, list[dict[str, Any]]]:
    """`_queries`' rows by SQL compiled once (`compiled`): the qualification (one statement
    per definition, shared by every period and segment) and the cohort columns go to
    temporary tables that the small queries read."""
    qualified = cached_qualification(store, project, detail=False)

    def build() -> compiled.Statements:
        schema = ibis.schema(json.loads(qualified["schema"]))
        table = ibis.table(schema, name=_QUALIFIED)
        statements = {}
        if by is not None:
            attrs, needs_trait = _segment_attributes(store, project, by)
            table = _with_segment(table, attrs)
            if needs_trait is not None:
                statements["segment_check"] = compiled.to_sql(store, needs_trait)
        cohorts = _cohort_columns(table, project, compiled.as_of_parameter(), period)
        statements["cohorts_table"] = compiled.to_sql(store, cohorts)
        unbound = ibis.table(cohorts.schema(), name=_COHORTS)
        for name, query in _queries(unbound, period, by).items():
            statements[name] = compiled.to_sql(store, query)
        return statements

    # What the statements depend on besides the store: not the criteria (they are in the
    # qualification), so random definitions in tests share these small statements.
    parts = {
        "query": "metrics",
        "qualified": qualified["schema"],
        "entity": project.entity,
        "days": [project.observation_days, project.conversion_window_days],
        "period": period,
        "by": by,
    }
    statements = compiled.compiled(store, parts, build)
    if "segment_check" in statements and not compiled.scalar(store, statements["segment_check"]):
        raise _segment_error(store, project, str(by))
    names = compiled.temporary_names(_QUALIFIED, _COHORTS)
    compiled.set_as_of(store, to_utc_naive(as_of))
    raw = store.raw
    try:
        for sql, name in ((qualified["sql"], _QUALIFIED), (statements["cohorts_table"], _COHORTS)):
            raw.execute(f'CREATE TEMP TABLE "{names[name]}" AS {compiled.bind(sql, names)}')
        skip = {"cohorts_table", "segment_check"}
        return {
            name: compiled.rows(store, compiled.bind(sql, names))
            for name, sql in statements.items()
            if name not in skip
        }
    finally:
        for name in names.values():
            raw.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def pql_counts(table: ir.Table, period: Period) -> ir.Table:
    """start, segment, pqls: entities of `table` (from `_prepared`) whose qualified_at falls
    in each period, whatever their cohort."""
    qualified = table.filter(table.qualified_at.notnull())
    return (
        qualified.group_by(start=_truncate(qualified.qualified_at, period), segment="segment")
        .agg(pqls=qualified.count())
        .order_by("start", ibis.asc("segment", nulls_first=True))
    )


def _rate(
    name: str, proportion: Proportion, notes: list[dict[str, str]]
) -> tuple[float | None, list[float] | None]:
    interval = wilson_interval(proportion)
    if isinstance(interval, Unavailable):
        notes.append({"field": name, "code": interval.code, "message": interval.message})
        return None, None
    return proportion.rate, [interval[0], interval[1]]


def _row(
    cohort: str | None, segment: str | None, complete: bool, counts: CohortCounts
) -> dict[str, Any]:
    notes: list[dict[str, str]] = []
    pql_rate, pql_rate_ci = _rate("pql_rate", counts.pql_rate, notes)
    to_paid, to_paid_ci = _rate("pql_to_paid", counts.pql_to_paid, notes)
    non_pql, non_pql_ci = _rate("non_pql_to_paid", counts.non_pql_to_paid, notes)
    if counts.pqls == 0:
        notes.append(
            {
                "field": "time_to_pql_days",
                "code": "empty",
                "message": "no PQLs, so there is no time to PQL",
            }
        )
    return {
        "cohort": cohort,
        "segment": segment,
        "complete": complete,
        "signups": counts.signups,
        "pqls": counts.pqls,
        "pql_rate": pql_rate,
        "pql_rate_ci": pql_rate_ci,
        "time_to_pql_days": counts.time_to_pql_days,
        "converted_pqls": counts.converted_pqls,
        "pql_to_paid": to_paid,
        "pql_to_paid_ci": to_paid_ci,
        "non_pql_converted": counts.non_pql_converted,
        "non_pql_to_paid": non_pql,
        "non_pql_to_paid_ci": non_pql_ci,
        "notes": notes,
    }
