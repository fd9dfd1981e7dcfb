"""The calculator's inputs observed in the store (docs/semantics.md "Calculator"): PQLs per
month, PQL-to-paid with its Wilson interval (the targets' window) and the mean MRR at
conversion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pqlengine.compute.customers import customers
from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.periods import to_utc_naive
from pqlengine.compute.targets import (
    WINDOW_COHORTS,
    cohort_values,
    horizon_days,
    month_label,
    window_value,
)
from pqlengine.config import Project
from pqlengine.stats.intervals import Unavailable
from pqlengine.stats.trends import poisson_interval
from pqlengine.store import Store

VOLUME_MONTHS = 3


def observed_inputs(store: Store, project: Project, as_of: datetime) -> dict[str, Any]:
    """PQLs per month over the last 3 whole calendar months before `as_of`, pql_to_paid
    over the last 3 complete monthly cohorts, and ARPA (mean conversions.mrr, or why not)."""
    result = compute_metrics(store, project, as_of, "month")
    moment = to_utc_naive(as_of)
    this_month = (moment.year - 1970) * 12 + moment.month - 1
    months = [month_label(this_month - k) for k in range(VOLUME_MONTHS, 0, -1)]
    per_month = {m: 0 for m in months}
    for row in result["pql_count_by_period"]:
        if row["period"] in per_month and row["segment"] is None:
            per_month[row["period"]] += row["pqls"]
    total = sum(per_month.values())
    low, high = poisson_interval(total)
    days = horizon_days("pql_to_paid", project)
    window = cohort_values(result["cohorts"], "pql_to_paid", as_of, days)[-WINDOW_COHORTS:]
    rate, rate_interval = window_value("pql_to_paid", window)
    arpa, arpa_note = observed_arpa(store, project, as_of)
    return {
        "pqls_per_month": total / VOLUME_MONTHS,
        "pqls_per_month_ci": [low / VOLUME_MONTHS, high / VOLUME_MONTHS],
        "pqls_months": months,
        "rate": rate,
        "rate_ci": list(rate_interval) if isinstance(rate_interval, tuple) else None,
        "rate_cohorts": [c.cohort for c in window],
        "rate_counts": [sum(c.successes for c in window), int(sum(c.weight for c in window))],
        "rate_note": rate_interval.message if isinstance(rate_interval, Unavailable) else None,
        "arpa": arpa,
        "arpa_note": arpa_note,
    }


def observed_arpa(
    store: Store, project: Project, as_of: datetime
) -> tuple[float | None, str | None]:
    """Mean MRR at conversion of the customers with a known MRR (compute/customers.py,
    either conversion source), or why there is none."""
    known = [
        c.mrr_at(c.converted_at)
        for c in customers(store, project, as_of).by_id.values()
        if c.recurring_known
    ]
    if not known:
        return None, "no customer has a known MRR (conversions.mrr or outcomes.mrr): give --arpa"
    return sum(known) / len(known), None
