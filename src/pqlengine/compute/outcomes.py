"""`pql outcomes`: customers grouped by PQL status, conversion cohort and segment, as the
per-customer arrays stats/outcomes.py needs (docs/semantics.md "Customer outcomes")."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import ibis
import numpy as np

from pqlengine.compute.customers import DAYS_PER_MONTH, Customer, Customers, customers
from pqlengine.compute.periods import Period, period_label, to_utc_naive
from pqlengine.config import Project
from pqlengine.stats.outcomes import LTV_FORMULA, OutcomeSample, compare, curve, summarise
from pqlengine.store import Store

YEAR_DAYS = 365.25
GROUPS = ("pql", "non_pql")
Key = tuple[str, str | None, str]  # cohort label, segment, group


def _cohort_start(moment: datetime, period: Period) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday


def _qualified_at(store: Store, project: Project, as_of: datetime) -> dict[str, datetime | None]:
    """Every entity's `qualified_at` from the existing qualification (None: never a PQL)."""
    from pqlengine.compute.qualify import qualified_rows

    rows = qualified_rows(store, project, as_of).select(["entity_id", "qualified_at"])
    return {
        str(row["entity_id"]): to_utc_naive(row["qualified_at"]) if row["qualified_at"] else None
        for row in rows.to_pylist()
    }


def _segments(store: Store, project: Project, ids: list[str], by: str) -> dict[str, str | None]:
    """The `--by` segment of each customer (cohort metrics' segment code)."""
    from pqlengine.compute.cohorts import segment_expression

    table = ibis.memtable({"entity_id": ids}, schema={"entity_id": "string"})
    rows = segment_expression(store, project, table, by).to_pyarrow().to_pylist()
    return {str(row["entity_id"]): row["segment"] for row in rows}


def _sample(found: Customers, members: list[Customer], revenue_days: int | None) -> OutcomeSample:
    """The per-customer arrays of `members` (NaN where not observable at as_of)."""

    def later(customer: Customer, days: float) -> float:
        if not found.observed_for(customer, days):
            return math.nan
        return customer.mrr_at(customer.converted_at + timedelta(days=days))

    def revenue(customer: Customer, days: float | None) -> float:
        value = None if days is None else found.revenue_within(customer, days)
        return math.nan if value is None else value

    def column(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)

    return OutcomeSample(
        followup_days=column([found.followup_days(c) for c in members]),
        churned=np.asarray([c.churned_at is not None for c in members], dtype=bool),
        mrr_start=column([c.mrr_at(c.converted_at) for c in members]),
        revenue_year=column([revenue(c, YEAR_DAYS) for c in members]),
        revenue_days=column([revenue(c, revenue_days) for c in members]),
        mrr_12m=column([later(c, 12 * DAYS_PER_MONTH) for c in members]),
        mrr_days=column(
            [math.nan if revenue_days is None else later(c, revenue_days) for c in members]
        ),
        recurring=np.asarray([c.recurring_known for c in members], dtype=bool),
    )


def outcome_samples(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    revenue_days: int | None = None,
) -> tuple[dict[Key, OutcomeSample], Customers]:
    """Customers' arrays per (cohort of converted_at, segment, pql|non_pql)."""
    found = customers(store, project, as_of)
    qualified = _qualified_at(store, project, as_of)
    ids = sorted(found.by_id)
    segment = _segments(store, project, ids, by) if by is not None and ids else {}
    groups: dict[Key, list[Customer]] = defaultdict(list)
    for entity_id in ids:
        customer = found.by_id[entity_id]
        at = qualified.get(entity_id)
        group = "pql" if at is not None and at < customer.converted_at else "non_pql"
        cohort = period_label(_cohort_start(customer.converted_at, period), period)
        groups[(cohort, segment.get(entity_id), group)].append(customer)
    samples = {key: _sample(found, members, revenue_days) for key, members in groups.items()}
    return samples, found


def _pooled(samples: dict[Key, OutcomeSample], keep: Any) -> dict[str, OutcomeSample]:
    """Per group, the sum of the samples whose (cohort, segment) `keep` accepts."""
    pooled = {group: OutcomeSample.empty() for group in GROUPS}
    for (cohort, segment, group), sample in sorted(samples.items(), key=_order):
        if keep(cohort, segment):
            pooled[group] = pooled[group] + sample
    return pooled


def _order(item: tuple[Key, OutcomeSample]) -> tuple[str, str, str]:
    cohort, segment, group = item[0]
    return cohort, segment or "", group


def _block(
    groups: dict[str, OutcomeSample], project: Project, revenue_days: int | None
) -> dict[str, Any]:
    """Both groups' statistics, all customers together, and the PQL vs non-PQL tests."""
    margin = project.outcomes.margin
    every = groups["pql"] + groups["non_pql"]
    found = {g: summarise(groups[g], DAYS_PER_MONTH, margin, revenue_days) for g in GROUPS}
    found["all"] = summarise(every, DAYS_PER_MONTH, margin, revenue_days)
    found["comparison"] = compare(groups["pql"], groups["non_pql"], revenue_days)
    return found


def compute_outcomes(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    revenue_days: int | None = None,
) -> dict[str, Any]:
    """Outcomes of PQL vs non-PQL customers per cohort, segment and overall (JSON-ready)."""
    if revenue_days is not None and revenue_days < 1:
        raise ValueError(f"--revenue-days: {revenue_days} is not a positive number of days")
    samples, found = outcome_samples(store, project, as_of, period, by, revenue_days)
    cells = sorted({(cohort, segment or "") for cohort, segment, _ in samples})
    overall = _pooled(samples, lambda _c, _s: True)
    result: dict[str, Any] = {
        "as_of": found.as_of.isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "period": period,
        "by": by,
        "margin": project.outcomes.margin,
        "revenue_days": revenue_days,
        "ltv_formula": LTV_FORMULA,
        "ignored_mrr_values": found.ignored_values,
        "overall": _block(overall, project, revenue_days),
        "cohorts": [
            {
                "cohort": cohort,
                "segment": segment or None,
                **_block(
                    _pooled(samples, lambda c, s, k=(cohort, segment): (c, s or "") == k),
                    project,
                    revenue_days,
                ),
            }
            for cohort, segment in cells
        ],
        "curves": {g: curve(overall[g], DAYS_PER_MONTH) for g in GROUPS},
    }
    if by is not None:
        values = sorted({segment or "" for _, segment in cells})
        result["overall_by_segment"] = [
            {
                "segment": value or None,
                **_block(
                    _pooled(samples, lambda _c, s, v=value: (s or "") == v), project, revenue_days
                ),
            }
            for value in values
        ]
    return result
