"""The four PQL metrics per signup cohort and segment (docs/semantics.md, "Cohort metrics")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import OperationNotDefinedError

from pqlengine.compute.entities import AsOf, as_of_literal, to_utc_naive
from pqlengine.compute.matching import json_has, json_text
from pqlengine.compute.qualify import qualification
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
    source = store.table("accounts" if project.entity == "account" else "users")
    key = "account_id" if project.entity == "account" else "user_id"
    if by in source.columns and by not in {"traits", key}:
        value: ir.Value = source[by].cast("string")
    else:
        if not bool(source.filter(json_has(source.traits, by)).count().execute()):
            raise SegmentError(_unknown_segment(source, by, key))
        value = json_text(source.traits, by)
    attrs = source.select(s_id=source[key], segment=value)
    return table.left_join(attrs, table.entity_id == attrs.s_id).drop("s_id")


def _unknown_segment(source: ir.Table, by: str, key: str) -> str:
    try:
        keys = source.traits.map.keys().unnest().name("k")
        listed = sorted(str(k) for k in source.select(keys).distinct().k.execute() if k)
        traits = ", ".join(listed) or "none stored"
    except (OperationNotDefinedError, AttributeError):
        traits = "not listed on this backend"  # JSON kept as text, or no JSON-to-map
    columns = [c for c in source.columns if c not in {"traits", key}]
    return f"unknown segment '{by}': not a column ({', '.join(columns)}) or a trait ({traits})"


def _prepared(
    store: Store,
    project: Project,
    as_of: AsOf,
    period: Period,
    by: str | None,
    qualified: ir.Table | None,
) -> ir.Table:
    if qualified is None:
        # Metrics read qualified_at and status only: no per-criterion detail needed.
        qualified = qualification(store, project, as_of, detail=False)
    table = qualified
    if by is not None:
        table = segment_expression(store, project, table, by)
    else:
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
    table = _prepared(store, project, as_of, period, by, qualified).cache()
    try:
        cohort_rows = (
            table.group_by("cohort_start", "segment", "complete")
            .agg(**_aggregates(table))
            .order_by("cohort_start", ibis.asc("segment", nulls_first=True))
            .to_pyarrow()
            .to_pylist()
        )
        complete = table.filter(table.complete)
        overall = complete.aggregate(**_aggregates(complete)).to_pyarrow().to_pylist()[0]
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
                for r in cohort_rows
            ],
            "overall": _row(None, None, True, _counts(overall)),
        }
        if by is not None:
            per_segment = (
                complete.group_by("segment")
                .agg(**_aggregates(complete))
                .order_by(ibis.asc("segment", nulls_first=True))
                .to_pyarrow()
                .to_pylist()
            )
            result["overall_by_segment"] = [
                _row(None, r["segment"], True, _counts(r)) for r in per_segment
            ]
        result["pql_count_by_period"] = _count_by_period(table, period)
        return result
    finally:
        table.release()


def pql_counts(table: ir.Table, period: Period) -> ir.Table:
    """start, segment, pqls: entities of `table` (from `_prepared`) whose qualified_at falls
    in each period, whatever their cohort."""
    qualified = table.filter(table.qualified_at.notnull())
    return (
        qualified.group_by(start=_truncate(qualified.qualified_at, period), segment="segment")
        .agg(pqls=qualified.count())
        .order_by("start", ibis.asc("segment", nulls_first=True))
    )


def _count_by_period(table: ir.Table, period: Period) -> list[dict[str, Any]]:
    rows = pql_counts(table, period).to_pyarrow().to_pylist()
    return [
        {"period": period_label(r["start"], period), "segment": r["segment"], "pqls": r["pqls"]}
        for r in rows
    ]


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
