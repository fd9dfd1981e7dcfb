"""Targets at `as_of`: per target the current value, baseline, trend, projection to `by`
and status (docs/semantics.md "Targets and the calculator"). Reads the monthly cohort
metrics (`compute_metrics`); the maths is in `stats.targets`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.periods import to_utc_naive
from pqlengine.config import RATE_METRICS, Project, Target
from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval
from pqlengine.stats.targets import (
    CohortPoint,
    Projection,
    direction_of,
    fit_trend,
    progress,
    project,
    status_of,
    weighted_mean_interval,
)
from pqlengine.stats.trends import poisson_interval
from pqlengine.store import Store

WINDOW_COHORTS = 3
TREND_COHORTS = 12
# Below this denominator a cohort's rate is too discrete for the normal noise of the t
# prediction (calibration is checked by simulation at 300-500; tests/targets).
SMALL_COHORT = 30
Interval = tuple[float, float] | Unavailable


@dataclass(frozen=True)
class CohortValue:
    """One complete monthly cohort's value of a target's metric and its sufficient stats."""

    cohort: str  # 2026-01
    month_index: int  # months since 1970-01
    value: float
    weight: float  # the denominator (rates), pqls (time_to_pql) or 1 (pql_count)
    successes: int  # the rate's numerator; pqls for pql_count


def month_index(label: str) -> int:
    """`2026-01` -> months since 1970-01."""
    year, month = label.split("-")
    return (int(year) - 1970) * 12 + int(month) - 1


def last_complete_month(moment: date | datetime, days: int) -> int:
    """Month index of the last monthly cohort whose end + `days` <= `moment`."""
    day = moment.date() if isinstance(moment, datetime) else moment
    shifted = day - timedelta(days=days)
    return (shifted.year - 1970) * 12 + shifted.month - 1 - 1


def month_label(index: int) -> str:
    """Month index -> `2026-01`."""
    return f"{1970 + index // 12:04d}-{index % 12 + 1:02d}"


def segment_text(value: Any) -> str:
    """A segment value as `--by` names it (JSON text for booleans)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def horizon_days(metric: str, project: Project) -> int:
    """Days after a cohort's end before its value of `metric` is final: observation_days,
    plus conversion_window_days for pql_to_paid (its PQLs may still convert until then; a
    younger cohort's rate is censored low, and a trend through such cohorts falls)."""
    extra = project.conversion_window_days if metric == "pql_to_paid" else 0
    return project.observation_days + extra


def cohort_values(
    rows: list[dict[str, Any]], metric: str, as_of: datetime, days: int
) -> list[CohortValue]:
    """The values of `metric` of the cohorts final at `as_of` (their end + `days` <=
    as_of, see `horizon_days`), oldest first (empty ones left out)."""
    last = last_complete_month(as_of, days)
    found = []
    for row in rows:
        if not row["complete"] or month_index(row["cohort"]) > last:
            continue
        if metric == "pql_rate":
            parts = (row["pql_rate"], row["signups"], row["pqls"])
        elif metric == "pql_to_paid":
            parts = (row["pql_to_paid"], row["pqls"], row["converted_pqls"])
        elif metric == "pql_count":
            parts = (row["pqls"], 1, row["pqls"])
        elif metric == "time_to_pql":
            parts = (row["time_to_pql_days"]["median"], row["pqls"], row["pqls"])
        else:
            raise ValueError(f"unknown target metric {metric}")
        value, weight, successes = parts
        if value is None or not weight:
            continue
        found.append(
            CohortValue(row["cohort"], month_index(row["cohort"]), float(value), weight, successes)
        )
    return sorted(found, key=lambda c: c.month_index)


def window_value(metric: str, cohorts: list[CohortValue]) -> tuple[float | None, Interval]:
    """The metric over a window of cohorts: pooled rate with its Wilson interval, mean PQLs
    per cohort with the Garwood interval, or the weighted mean median with a t interval."""
    if not cohorts:
        return None, Unavailable("no_cohorts", "no complete cohort has a value yet")
    if metric in RATE_METRICS:
        pooled = Proportion(sum(c.successes for c in cohorts), int(sum(c.weight for c in cohorts)))
        return pooled.rate, wilson_interval(pooled)
    if metric == "pql_count":
        total = sum(c.successes for c in cohorts)
        low, high = poisson_interval(total)
        n = len(cohorts)
        return total / n, (low / n, high / n)
    mean, interval = weighted_mean_interval([c.value for c in cohorts], [c.weight for c in cohorts])
    return mean, interval


def _interval_json(interval: Interval) -> list[float] | None:
    return list(interval) if isinstance(interval, tuple) else None


def evaluate_target(
    target: Target, rows: list[dict[str, Any]], as_of: datetime, days: int
) -> dict[str, Any]:
    """One target's report from its segment's monthly cohort rows (`days`: its metric's
    `horizon_days`)."""
    cohorts = cohort_values(rows, target.metric, as_of, days)
    notes: list[dict[str, str]] = []
    window = cohorts[-WINDOW_COHORTS:]
    current, interval = window_value(target.metric, window)
    if isinstance(interval, Unavailable):
        notes.append({"field": "current", "code": interval.code, "message": interval.message})
    baseline: float | None
    if target.baseline is not None:
        baseline, baseline_source = target.baseline, "from"
    else:
        baseline, baseline_source = (
            window_value(target.metric, cohorts[:WINDOW_COHORTS])[0],
            "measured",
        )
    direction = direction_of(target.metric, target.direction)
    trend_cohorts = cohorts[-TREND_COHORTS:]
    fit = fit_trend(
        [CohortPoint(c.month_index, c.value, c.weight) for c in trend_cohorts],
        binomial=target.metric in RATE_METRICS,
    )
    small = [c for c in trend_cohorts if c.weight < SMALL_COHORT]
    if target.metric in RATE_METRICS and small:
        notes.append(
            {
                "field": "probability",
                "code": "small_cohorts",
                "message": f"{len(small)} of {len(trend_cohorts)} cohorts have fewer than "
                f"{SMALL_COHORT} in the denominator: the t prediction's normal noise is a rough "
                "stand-in for their binomial noise, so read the chance as approximate",
            }
        )
    target_month = last_complete_month(target.by, days)
    projection: Projection | Unavailable
    if target_month <= last_complete_month(as_of, days):
        projection = Unavailable(
            "past_due",
            f"the cohort of {month_label(target_month)}, the last complete at {target.by}, is "
            "already complete: its value is measured, not projected",
        )
    elif isinstance(fit, Unavailable):
        projection = fit
    else:
        weight = sum(c.weight for c in window) / len(window)
        projection = project(fit, target_month, weight, target.value, direction)
    status, why = status_of(interval, target.value, direction, projection)
    trend: dict[str, Any] | None = None
    if not isinstance(fit, Unavailable):
        trend = {"slope_per_month": fit.slope, "slope_ci": list(fit.slope_interval()),
                 "cohorts_fitted": fit.n}  # fmt: skip
    else:
        notes.append({"field": "trend", "code": fit.code, "message": fit.message})
    projected = None if isinstance(projection, Unavailable) else projection
    return {
        "name": target.label,
        "metric": target.metric,
        "value": target.value,
        "by": target.by.isoformat(),
        "segment": target.segment,
        "direction": direction,
        "current": current,
        "current_ci": _interval_json(interval),
        "window": [c.cohort for c in window],
        "baseline": baseline,
        "baseline_source": baseline_source,
        "progress": progress(current, baseline, target.value),
        "cohorts": [
            {"cohort": c.cohort, "value": c.value, "weight": c.weight} for c in trend_cohorts
        ],
        "trend": trend,
        "target_cohort": month_label(target_month),
        "projected": projected.projected if projected else None,
        "prediction_interval": list(projected.prediction_interval) if projected else None,
        "probability": projected.probability if projected else None,
        "status": status,
        "reason": None if why is None else {"code": why.code, "message": why.message},
        "notes": notes,
    }


def compute_targets(store: Store, project: Project, as_of: datetime) -> dict[str, Any]:
    """Every target of the project at `as_of` (one metrics run per segment column)."""
    by_column: dict[str | None, list[dict[str, Any]]] = {}
    reports = []
    for target in project.targets:
        column = next(iter(target.segment)) if target.segment else None
        if column not in by_column:
            by_column[column] = compute_metrics(store, project, as_of, "month", column)["cohorts"]
        rows = by_column[column]
        if target.segment:
            wanted = segment_text(target.segment[column])  # type: ignore[index]
            rows = [r for r in rows if r["segment"] == wanted]
        days = horizon_days(target.metric, project)
        reports.append(evaluate_target(target, rows, as_of, days))
    return {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "window_cohorts": WINDOW_COHORTS,
        "trend_cohorts": TREND_COHORTS,
        "targets": reports,
    }
