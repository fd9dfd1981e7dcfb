"""Aggregates behind the dashboard and the report: one qualification, every panel.

Each function reads the per-entity table `_prepared` builds from one (cached)
qualification and returns small JSON-ready aggregates; nothing per entity leaves here
except the durations the Kaplan-Meier estimator needs, and those stay in the process.
Definitions of every number: docs/dashboard.md.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from pqlengine.compute.cohorts import cohort_columns
from pqlengine.compute.criteria import describe
from pqlengine.compute.entities import as_of_literal, to_utc_naive
from pqlengine.compute.freshness import data_end
from pqlengine.compute.lead_queue import NO_SEGMENT, in_segment, open_pqls
from pqlengine.compute.matching import json_text
from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.periods import MICROSECONDS_PER_DAY, Period, period_label
from pqlengine.compute.qualify import criterion_column, qualification
from pqlengine.config import Project
from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval
from pqlengine.stats.survival import KaplanMeier
from pqlengine.stats.tables import TwoByTwo
from pqlengine.stats.trends import (
    Trend,
    compare_counts,
    compare_rates,
    compare_samples,
    lift_over_baseline,
    median_interval,
    poisson_interval,
    risk_ratio_interval,
)
from pqlengine.store import Store

BENCHMARK_PQL_TO_PAID = (0.15, 0.25)  # the band product-led companies usually report
CURVE_STEP_DAYS = 0.25
LEADS_IN_REPORT = 25


def period_start(moment: datetime, period: Period) -> datetime:
    """Start (UTC, naive) of the week (Monday) or month holding `moment`."""
    day = to_utc_naive(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def next_period(start: datetime, period: Period) -> datetime:
    """Start of the period after the one starting at `start`."""
    if period == "week":
        return start + timedelta(days=7)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def previous_period(start: datetime, period: Period) -> datetime:
    """Start of the period before the one starting at `start`."""
    if period == "week":
        return start - timedelta(days=7)
    return period_start(start - timedelta(days=1), period)


def label_start(label: str, period: Period) -> datetime:
    """Inverse of period_label: `2026-01` -> 2026-01-01, `2026-W02` -> Monday of week 2."""
    if period == "month":
        year, month = label.split("-")
        return datetime(int(year), int(month), 1)
    year, week = label.split("-W")
    return datetime.fromisocalendar(int(year), int(week), 1)


def _interval(proportion: Proportion) -> list[float] | None:
    found = wilson_interval(proportion)
    return None if isinstance(found, Unavailable) else [found[0], found[1]]


def _trend(trend: Trend) -> dict[str, Any]:
    return {
        "direction": trend.direction,
        "change": trend.change,
        "p_value": trend.p_value,
        "test": trend.test,
        "significant": trend.significant,
        "note": trend.note,
    }


def cohort_grid(prepared: ir.Table, as_of: datetime, period: Period, weeks: int) -> dict[str, Any]:
    """Signup cohort x weeks since signup: cumulative share of the cohort qualified.

    Cell (cohort, k) = entities with qualified_at <= signup_at + 7k days / signups. A cell is
    `complete` when every entity of the cohort has had 7k days by as_of, `partial` when only
    some have (shown, flagged), and absent when none has."""
    qualified = prepared.filter(prepared.qualified_at.notnull())
    bucket = ibis.greatest((qualified.days_to_pql / 7).ceil(), 1).cast("int64")
    counts = (
        qualified.group_by("cohort_start", week=bucket).agg(n=qualified.count()).to_pyarrow()
    ).to_pylist()
    sizes = (
        (prepared.group_by("cohort_start").agg(signups=prepared.count()).order_by("cohort_start"))
        .to_pyarrow()
        .to_pylist()
    )
    by_cohort: dict[datetime, dict[int, int]] = {}
    for row in counts:
        by_cohort.setdefault(row["cohort_start"], {})[int(row["week"])] = int(row["n"])
    moment = to_utc_naive(as_of)
    cells = []
    for size in sizes:
        start, signups = size["cohort_start"], int(size["signups"])
        end = next_period(start, period)
        reached = 0
        per_week = by_cohort.get(start, {})
        for week in range(1, weeks + 1):
            reached += per_week.get(week, 0)
            if start + timedelta(days=7 * week) > moment:
                break
            cells.append(
                {
                    "cohort": period_label(start, period),
                    "week": week,
                    "signups": signups,
                    "qualified": reached,
                    "share": reached / signups if signups else None,
                    "complete": end + timedelta(days=7 * week) <= moment,
                }
            )
    return {"weeks": weeks, "cells": cells}


def funnel(prepared: ir.Table, project: Project) -> dict[str, Any]:
    """Entities of complete cohorts meeting each criterion (in definition order), the rule,
    the active days and the PQL itself, each within observation_days of signup."""
    complete = prepared.filter(prepared.complete)
    horizon = complete.signup_at + ibis.interval(days=project.observation_days)

    def within(column: str) -> ir.IntegerValue:
        met = complete[column].notnull() & (complete[column] <= horizon)
        return met.ifelse(1, 0).sum()

    definition = project.definition
    aggregates: dict[str, Any] = {"signups": complete.count(), "pqls": complete.is_pql.sum()}
    for index in range(len(definition.criteria)):
        aggregates[f"c{index}"] = within(criterion_column(index))
    aggregates["rule"] = within("rule_satisfied_at")
    if definition.min_active_days is not None:
        aggregates["active"] = within("active_days_satisfied_at")
    row = complete.aggregate(**aggregates).to_pyarrow().to_pylist()[0]
    signups = int(row["signups"] or 0)
    steps: list[tuple[str, str, int]] = [("signups", "Signed up", signups)]
    for index, criterion in enumerate(definition.criteria):
        within_days = (
            getattr(criterion, "within_days", None) if criterion.kind != "sequence" else None
        )
        window = f" within {within_days:g} d" if within_days else ""
        label = f"{criterion.id}: {describe(criterion)}{window}"
        steps.append((criterion.id, label, int(row[f"c{index}"] or 0)))
    threshold = definition.threshold
    rule_label = (
        f"rule: score ≥ {threshold:g}"
        if definition.qualify.score is not None
        else f"rule: {threshold:g} of {len(definition.criteria)} criteria"
    )
    steps.append(("rule", rule_label, int(row["rule"] or 0)))
    if definition.min_active_days is not None:
        label = f"active on ≥ {definition.min_active_days} days"
        steps.append(("active_days", label, int(row["active"] or 0)))
    steps.append(("pql", "PQL (rule, active days and fit)", int(row["pqls"] or 0)))
    return {
        "entities": signups,
        "observation_days": project.observation_days,
        "steps": [
            {
                "order": order,
                "step": key,
                "label": label,
                "entities": count,
                "share": Proportion(count, signups).rate,
                "share_ci": _interval(Proportion(count, signups)),
            }
            for order, (key, label, count) in enumerate(steps)
        ],
    }


def time_to_pql_curve(
    prepared: ir.Table, project: Project, as_of: datetime, horizon_days: float | None = None
) -> dict[str, Any]:
    """Kaplan-Meier share qualified by day since signup: a PQL is an event at
    qualified_at - signup_at; everyone else is censored at as_of - signup_at."""
    follow_up = as_of_literal(as_of).delta(prepared.signup_at, unit="microsecond")
    days = prepared.qualified_at.notnull().ifelse(
        prepared.days_to_pql, follow_up.cast("float64") / MICROSECONDS_PER_DAY
    )
    data = prepared.select(days=days, observed=prepared.qualified_at.notnull()).to_pyarrow()
    durations = np.maximum(data["days"].to_numpy(zero_copy_only=False), 0.0)
    observed = data["observed"].to_numpy(zero_copy_only=False)
    horizon = float(horizon_days or 2 * project.observation_days)
    result: dict[str, Any] = {
        "entities": int(durations.size),
        "pqls": int(observed.sum()),
        "censored": int(durations.size - observed.sum()),
        "horizon_days": horizon,
        "observation_days": project.observation_days,
        "points": [],
        "milestones": [],
    }
    if durations.size == 0:
        result["note"] = "no entities, so there is no curve"
        return result
    fitted = KaplanMeier().fit(durations, observed)
    grid = np.arange(0.0, horizon + CURVE_STEP_DAYS / 2, CURVE_STEP_DAYS)
    # Beyond the longest follow-up the estimate is not defined: the curve stops there.
    grid = grid[grid <= durations.max()]
    share = fitted.cumulative_density_at_times(grid)
    band = 1.0 - fitted.confidence_interval_at_times(grid)
    result["points"] = [
        {"day": float(d), "share": float(s), "lower": float(hi), "upper": float(lo)}
        for d, s, lo, hi in zip(grid, share, band[:, 0], band[:, 1], strict=True)
    ]
    marks = sorted({7.0, 14.0, float(project.observation_days)})
    for day in marks:
        if day <= durations.max():
            at = fitted.cumulative_density_at_times([day])[0]
            low, high = 1.0 - fitted.confidence_interval_at_times([day])[0]
            result["milestones"].append(
                {"day": day, "share": float(at), "lower": float(high), "upper": float(low)}
            )
    return result


def _pql_days(prepared: ir.Table, starts: list[datetime]) -> dict[datetime, np.ndarray]:
    """Days to PQL of the cohort PQLs of the cohorts starting at `starts`."""
    chosen = prepared.filter(prepared.is_pql, prepared.cohort_start.isin(starts))
    rows = chosen.select("cohort_start", "days_to_pql").to_pyarrow().to_pylist()
    found: dict[datetime, list[float]] = {start: [] for start in starts}
    for row in rows:
        found.setdefault(row["cohort_start"], []).append(float(row["days_to_pql"]))
    return {start: np.asarray(values) for start, values in found.items()}


def _qualified_between(prepared: ir.Table, start: datetime, end: datetime) -> int:
    chosen = prepared.filter(
        prepared.qualified_at >= ibis.literal(start, type="timestamp"),
        prepared.qualified_at <= ibis.literal(end, type="timestamp"),
    )
    return int(chosen.count().execute())


def headline_tiles(
    metrics: dict[str, Any], prepared: ir.Table, project: Project, as_of: datetime, period: Period
) -> dict[str, Any]:
    """PQLs this period vs last, PQL rate, median time to PQL and PQL-to-paid, each with an
    interval and a trend against the previous period or cohort."""
    moment = to_utc_naive(as_of)
    current_start = period_start(moment, period)
    last_start = previous_period(current_start, period)
    counts = {p["period"]: p["pqls"] for p in metrics["pql_count_by_period"]}
    current = int(counts.get(period_label(current_start, period), 0))
    elapsed = moment - current_start
    last_same_span = _qualified_between(
        prepared, last_start, min(last_start + elapsed, current_start - timedelta(microseconds=1))
    )
    low, high = poisson_interval(current)
    tiles: dict[str, Any] = {
        "pqls": {
            "value": current,
            "interval": [low, high],
            "period": period_label(current_start, period),
            "period_start": current_start,
            "days_elapsed": elapsed.total_seconds() / 86_400,
            "previous_period": period_label(last_start, period),
            "previous_total": int(counts.get(period_label(last_start, period), 0)),
            "previous_same_span": last_same_span,
            "trend": _trend(compare_counts(current, last_same_span)),
        }
    }
    complete = [c for c in metrics["cohorts"] if c["complete"]]
    tiles["pql_rate"] = _rate_tile(complete, "pqls", "signups", "pql_rate")
    # Time to PQL and PQL-to-paid are over PQLs: cohorts without any have nothing to say.
    with_pqls = [c for c in complete if c["pqls"]]
    tiles["time_to_pql"] = _time_tile(with_pqls, prepared, period)
    window = timedelta(days=project.observation_days + project.conversion_window_days)
    mature = [
        c
        for c in with_pqls
        if next_period(label_start(c["cohort"], period), period) + window <= moment
    ]
    paid = _rate_tile(
        mature or with_pqls,
        "converted_pqls",
        "pqls",
        "pql_to_paid",
        "no complete cohort with PQLs yet",
    )
    paid["maturing"] = not mature and bool(with_pqls)
    low_band, high_band = BENCHMARK_PQL_TO_PAID
    paid["benchmark"] = {"low": low_band, "high": high_band, "position": None}
    if paid["value"] is not None:
        value = paid["value"]
        position = "below" if value < low_band else "above" if value > high_band else "within"
        paid["benchmark"]["position"] = position
        paid.update(_baseline((mature or with_pqls)[-1]))
    tiles["pql_to_paid"] = paid
    return tiles


def _rate_tile(
    rows: list[dict[str, Any]],
    successes: str,
    trials: str,
    field: str,
    empty: str = "no complete cohort yet",
) -> dict[str, Any]:
    if not rows:
        return {"value": None, "note": empty, "cohort": None, "trend": None}
    latest = rows[-1]
    tile: dict[str, Any] = {
        "value": latest[field],
        "interval": latest[f"{field}_ci"],
        "cohort": latest["cohort"],
        "successes": latest[successes],
        "trials": latest[trials],
        "previous_cohort": None,
        "previous_value": None,
        "trend": None,
    }
    if len(rows) > 1:
        before = rows[-2]
        tile["previous_cohort"] = before["cohort"]
        tile["previous_value"] = before[field]
        trend = compare_rates(
            Proportion(latest[successes], latest[trials]),
            Proportion(before[successes], before[trials]),
        )
        tile["trend"] = _trend(trend)
    return tile


def _baseline(row: dict[str, Any]) -> dict[str, Any]:
    """The same cohort's non-PQLs converting (the baseline a PQL-to-paid rate means something
    against) and the lift over it: the tile's colour follows the lift's interval, not the
    benchmark band (a rate inside the band can be no better than non-PQLs)."""
    others = Proportion(row["non_pql_converted"], row["signups"] - row["pqls"])
    lift = lift_over_baseline(Proportion(row["converted_pqls"], row["pqls"]), others)
    return {
        "baseline": {
            "value": row["non_pql_to_paid"],
            "interval": row["non_pql_to_paid_ci"],
            "successes": others.successes,
            "trials": others.trials,
        },
        "lift": {
            "value": lift.value,
            "interval": None if lift.interval is None else list(lift.interval),
            "p_value": lift.p_value,
            "verdict": lift.verdict,
            "note": lift.note,
        },
    }


def _time_tile(rows: list[dict[str, Any]], prepared: ir.Table, period: Period) -> dict[str, Any]:
    if not rows:
        return {"value": None, "note": "no complete cohort with PQLs yet", "cohort": None,
                "trend": None}  # fmt: skip
    latest = rows[-1]
    before = rows[-2] if len(rows) > 1 else None
    starts = [label_start(r["cohort"], period) for r in (latest, before) if r is not None]
    days = _pql_days(prepared, starts)
    current = days[starts[0]]
    interval = median_interval(current)
    tile: dict[str, Any] = {
        "value": latest["time_to_pql_days"]["median"],
        "interval": None if isinstance(interval, Unavailable) else list(interval),
        "interval_note": interval.message if isinstance(interval, Unavailable) else None,
        "p25": latest["time_to_pql_days"]["p25"],
        "p75": latest["time_to_pql_days"]["p75"],
        "cohort": latest["cohort"],
        "pqls": latest["pqls"],
        "previous_cohort": None,
        "previous_value": None,
        "trend": None,
    }
    if before is not None:
        tile["previous_cohort"] = before["cohort"]
        tile["previous_value"] = before["time_to_pql_days"]["median"]
        tile["trend"] = _trend(compare_samples(current, days[starts[1]]))
    return tile


def grid_weeks(project: Project) -> int:
    """Columns of the cohort heat map: twice the observation window, 4 to 26 weeks."""
    return max(4, min(26, math.ceil(2 * project.observation_days / 7)))


def dashboard_panels(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    segment: str | None = None,
) -> dict[str, Any]:
    """Every aggregate panel of the dashboard and report from one qualification at `as_of`.

    `by` + `segment` restrict every panel to entities whose attribute `by` is `segment`;
    `by` alone adds a per-segment breakdown of the cohort metrics."""
    table = in_segment(store, project, qualification(store, project, as_of), by, segment)
    table = table.cache()
    try:
        metrics = compute_metrics(store, project, as_of, period, None, qualified=table)
        breakdown = None
        if by is not None and segment is None:
            breakdown = compute_metrics(store, project, as_of, period, by, qualified=table)
        # After compute_metrics: it caches and releases this same expression itself.
        prepared = cohort_columns(store, project, as_of, period, None, table).cache()
        try:
            return {
                "as_of": metrics["as_of"],
                "data": data_end(store, project, as_of).to_json(),
                "period": period,
                "by": by,
                "segment": segment,
                "definition": metrics["definition"],
                "observation_days": project.observation_days,
                "conversion_window_days": project.conversion_window_days,
                "metrics": metrics,
                "breakdown": breakdown,
                "tiles": headline_tiles(metrics, prepared, project, as_of, period),
                "cohort_grid": cohort_grid(prepared, as_of, period, grid_weeks(project)),
                "funnel": funnel(prepared, project),
                "time_to_pql": time_to_pql_curve(prepared, project, as_of),
                "leads": open_pqls(store, project, table, as_of, LEADS_IN_REPORT),
            }
        finally:
            prepared.release()
    finally:
        table.release()


def segment_choices(store: Store, project: Project, most: int = 30) -> dict[str, list[str]]:
    """Attributes worth segmenting by: text columns and traits with 2..`most` values."""
    source = store.table("accounts" if project.entity == "account" else "users")
    skip = {"account_id", "user_id", "name", "domain", "email", "traits"}
    columns: list[tuple[str, ir.Value]] = [
        (name, source[name])
        for name, dtype in source.schema().items()
        if name not in skip and dtype.is_string()
    ]
    keys = source.select(key=source.traits.map.keys().unnest()).distinct().limit(50)
    for key in sorted(str(k) for k in keys.key.execute() if k):
        if key not in dict(columns):
            columns.append((key, json_text(source.traits, key)))
    found: dict[str, list[str]] = {}
    for name, value in columns:
        seen = source.select(v=value).distinct().limit(most + 1).v.execute().tolist()
        if 2 <= len(seen) <= most:
            values = sorted(str(v) for v in seen if v is not None)
            found[name] = values + ([NO_SEGMENT] if None in seen else [])
    return found


def drivers_panel(discovered: dict[str, Any], top: int = 25) -> dict[str, Any]:
    """The `top` ranked discovery candidates with their lift interval, flag and q-value."""
    ranked = [c for c in discovered["candidates"] if "low_support" not in c["flags"]]
    rows = []
    for rank, candidate in enumerate(ranked[:top], start=1):
        table = TwoByTwo(
            candidate["with_converted"],
            candidate["with_total"],
            candidate["without_converted"],
            candidate["without_total"],
        )
        interval = risk_ratio_interval(table)
        flags = set(candidate["flags"])
        rows.append(
            {
                **candidate,
                "rank": rank,
                "label": candidate["label"],
                "lift_ci": None if isinstance(interval, Unavailable) else list(interval),
                "flag": "vanity"
                if "vanity" in flags
                else "volume"
                if "volume" in flags
                else "none",
            }
        )
    return {
        "as_of": discovered["as_of"],
        "window_days": discovered["window_days"],
        "entities": discovered["entities"],
        "conversions": discovered["conversions"],
        "excluded_converted_in_window": discovered["excluded_converted_in_window"],
        "conversion_window_days": discovered["conversion_window_days"],
        "tested": len(ranked),
        "low_support": len(discovered["candidates"]) - len(ranked),
        "sort": discovered["sort"],
        "candidates": rows,
    }
