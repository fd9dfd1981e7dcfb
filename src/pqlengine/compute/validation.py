"""Validate a definition on later cohorts: do PQLs convert more than non-PQLs?"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.entities import to_utc_naive
from pqlengine.compute.landmark import landmark_frame
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, Population, labelled_frame
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project
from pqlengine.stats.discovery import is_vanity
from pqlengine.stats.means import Moments, compare_means
from pqlengine.stats.validation import PeriodCounts, judge
from pqlengine.store import Store


def validate(
    store: Store,
    project: Project,
    as_of: datetime,
    train_until: datetime | None = None,
    outcome: Outcome = CONVERTED,
) -> dict[str, Any]:
    """PQL vs non-PQL conversion for cohorts before and after `train_until` (default: the
    median signup of the entities that count, so both periods have half of them).

    Landmark design: the landmark is signup + observation_days. PQL = qualified strictly
    before it; outcome = converted in [landmark, landmark + conversion_window_days].
    Entities converting before the landmark are left out (and counted), so an early
    conversion cannot keep an entity from being a PQL; the PQL status of those kept depends
    only on their events before the landmark. Only entities whose whole horizon is over at
    `as_of` count. Another `outcome` (retained_<D>, revenue_<D>) replaces "converted" and
    narrows the entities to those it can be measured on; revenue compares mean revenue
    (Welch).
    """
    qualified = qualification(store, project, as_of, detail=False)
    # Materialised once: the median and the counts below would each recompute qualification.
    landmarked = landmark_frame(
        qualified, as_of, project.observation_days, project.conversion_window_days
    )
    if outcome.kind != "converted":
        # Materialised once: the labels read it, then the counts below.
        landmarked = landmarked.cache()
    try:
        framed, population = labelled_frame(store, project, as_of, landmarked, outcome)
        framed = framed.cache()
        try:
            return _validate(project, as_of, framed, train_until, population)
        finally:
            framed.release()
    finally:
        if outcome.kind != "converted":
            landmarked.release()


def _validate(
    project: Project,
    as_of: datetime,
    framed: ir.Table,
    train_until: datetime | None,
    population: Population,
) -> dict[str, Any]:
    if train_until is None:
        kept = framed.filter(~framed.converted_in_window)
        median = kept.signup_at.epoch_seconds().median().execute()
        if median is None or math.isnan(float(median)):  # no row: NULL or NaN by backend
            raise ValueError(
                "no entity has finished its observation and conversion windows at --as-of"
            )
        train_until = datetime.fromtimestamp(float(median), UTC)
    observation, window = project.observation_days, project.conversion_window_days
    converted = (
        f"converted in the {window} days after that; entities converting within the first "
        f"{observation} days, or whose windows are not over, are left out"
    )
    head = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "train_until": to_utc_naive(train_until).isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "outcome": (
            f"PQL = qualified within {observation} days of signup; outcome = "
            + population.outcome.describe(converted)
        ),
    }
    if population.outcome.numeric:
        means = _period_means(framed, train_until)
        compared = {name: compare_means(*pair, ("pql", "non_pql")) for name, pair in means.items()}
        head["population"] = population.to_json()
        return {**head, **compared, "warnings": single_click_warnings(project)}
    periods = _period_counts(framed, train_until)
    counted = sum(c.pqls + c.others for c in periods.values())
    verb = "were retained" if population.outcome.kind == "retained" else "converted"
    return {
        **head,
        "population": population.counted(counted).to_json(),
        **{name: judge(counts, verb) for name, counts in periods.items()},
        "warnings": single_click_warnings(project),
    }


def _labelled(framed: ir.Table, train_until: datetime) -> ir.Table:
    """`framed` with its period (train / test), is_pql and signup month."""
    split = ibis.literal(to_utc_naive(train_until), type="timestamp")
    return framed.mutate(
        period=ibis.ifelse(framed.signup_at < split, "train", "test"),
        is_pql=framed.qualified_at.notnull() & (framed.qualified_at < framed.window_end),
        month=framed.signup_at.truncate("M"),
    )


def _period_means(framed: ir.Table, train_until: datetime) -> dict[str, tuple[Moments, Moments]]:
    """Per period, the numeric outcome's moments over PQLs and over non-PQLs."""
    labelled = _labelled(framed, train_until)
    kept = labelled.filter(~labelled.converted_in_window)
    value = kept.outcome_value
    rows = (
        kept.group_by("period", "is_pql")
        .agg(n=kept.count(), total=value.sum(), squares=(value * value).sum())
        .to_pyarrow()
        .to_pylist()
    )
    found = {
        (r["period"], bool(r["is_pql"])): Moments(
            int(r["n"]), float(r["total"] or 0.0), float(r["squares"] or 0.0)
        )
        for r in rows
    }
    return {
        name: (found.get((name, True), Moments()), found.get((name, False), Moments()))
        for name in ("train", "test")
    }


def _period_counts(framed: ir.Table, train_until: datetime) -> dict[str, PeriodCounts]:
    """The 2x2 counts, left-out entities and signup months of the train and test periods."""
    labelled = _labelled(framed, train_until)
    kept = ~labelled.converted_in_window
    rows = (
        labelled.group_by("period", "is_pql")
        .agg(
            entities=labelled.count(where=kept),
            converted=(labelled.converted & kept).sum(),
            left_out=labelled.count(where=labelled.converted_in_window),
        )
        .to_pyarrow()
        .to_pylist()
    )
    kept_rows = labelled.filter(kept)
    months = (
        kept_rows.group_by("period").agg(months=kept_rows.month.nunique()).to_pyarrow().to_pylist()
    )
    periods: dict[str, PeriodCounts] = {}
    for name in ("train", "test"):
        cells = {bool(r["is_pql"]): r for r in rows if r["period"] == name}
        pql, other = cells.get(True) or {}, cells.get(False) or {}
        periods[name] = PeriodCounts(
            pql_converted=int(pql.get("converted") or 0),
            pqls=int(pql.get("entities") or 0),
            other_converted=int(other.get("converted") or 0),
            others=int(other.get("entities") or 0),
            converted_before_landmark=sum(int(c.get("left_out") or 0) for c in (pql, other)),
            cohorts=sum(int(r["months"]) for r in months if r["period"] == name),
        )
    return periods


def single_click_warnings(project: Project) -> list[str]:
    """Criteria that count page views, logins or clicks: activity, not intent."""
    return [
        f"criterion '{c.id}' counts '{name}', a page view / login / click: that measures "
        "activity volume, not a key action"
        for c in project.definition.criteria
        if c.kind == "count"
        for name in c.event_names or []
        if is_vanity(name)
    ]
