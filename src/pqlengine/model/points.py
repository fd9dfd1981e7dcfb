"""`pql model points`: a transparent points score a person can read in pql.yaml.

Milestones are "did behaviour E at least t times in the first `window_days`" for the
candidate behaviours (no vanity events, no signup/conversion markers) and t in MILESTONES.
An L1-penalised logistic regression (the penalty picked by 5-fold cross-validated log loss on
the training cohorts) weighs them; the positive coefficients, scaled so the largest is
MAX_POINTS, rounded to whole points, become criteria with `weight`s of a `qualify: {score: s}`
definition. Milestones of one event are nested, so an entity that did E five times earns the
points of >= 1, >= 2, >= 3 and >= 5. Milestones the regression weighs negatively or rounds to 0
points are left out (criterion weights cannot be negative).

The definition keeps the current `fit` and `min_active_days` gates; the regression is fitted
on the training entities that pass them, and the threshold s is the smallest score that meets
the stated precision (or the largest PQL rate not above the stated rate) on the training
cohorts, gates applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold

from pqlengine.compute.suggest import adopt_suggestion, candidate_events, gate, verdict_on
from pqlengine.config import Project
from pqlengine.model.train import iso, split_population
from pqlengine.stats.suggest import score
from pqlengine.store import Store

MILESTONES = (1, 2, 3, 5, 10)
MAX_POINTS = 10
MIN_SUPPORT = 25


@dataclass(frozen=True)
class Milestone:
    """`event` (column `column` of the counts) done at least `at_least` times."""

    event: str
    column: int
    at_least: int


class PointsScore:
    """L1 logistic regression on milestone indicators, rounded to integer points."""

    def __init__(
        self, max_points: int = MAX_POINTS, min_support: int = MIN_SUPPORT, random_state: int = 0
    ) -> None:
        self.max_points = max_points
        self.min_support = min_support
        self.random_state = random_state

    def fit(self, counts: np.ndarray, converted: np.ndarray, events: list[str]) -> PointsScore:
        """Pick milestones with support on both sides, fit, round to points."""
        converted = np.asarray(converted, dtype=bool)
        n = converted.size
        self.milestones_ = [
            Milestone(event, column, t)
            for column, event in enumerate(events)
            for t in MILESTONES
            if self.min_support <= int((counts[:, column] >= t).sum()) <= n - self.min_support
        ]
        if not self.milestones_:
            raise ValueError(
                f"no behaviour milestone is reached by at least {self.min_support} and missed "
                f"by at least {self.min_support} of the {n} training entities"
            )
        folds = StratifiedKFold(5, shuffle=True, random_state=self.random_state)
        regression = LogisticRegressionCV(
            Cs=10,
            l1_ratios=(1.0,),
            solver="liblinear",  # coordinate descent: ~15x faster than saga here
            cv=folds,
            scoring="neg_log_loss",
            max_iter=5000,
            random_state=self.random_state,
            use_legacy_attributes=False,
        ).fit(self.indicators(counts), converted)
        self.coef_ = np.asarray(regression.coef_[0], dtype=float)
        self.intercept_ = float(np.ravel(regression.intercept_)[0])
        self.C_ = float(np.ravel(regression.C_)[0])
        top = self.coef_.max()
        if top <= 0:
            raise ValueError("no milestone raises the chance of converting on the training data")
        points = np.round(np.where(self.coef_ > 0, self.coef_, 0.0) * self.max_points / top)
        self.points_ = points.astype(np.int64)
        return self

    def indicators(self, counts: np.ndarray) -> np.ndarray:
        """0/1 matrix, one column per milestone."""
        columns = [counts[:, m.column] >= m.at_least for m in self.milestones_]
        return np.column_stack(columns).astype(float)

    def score(self, counts: np.ndarray) -> np.ndarray:
        """Points per entity."""
        return self.indicators(counts) @ self.points_

    def criteria(self, window_days: int) -> list[dict[str, Any]]:
        """The milestones with points, as pql.yaml criteria (heaviest first)."""
        chosen = [(m, int(p)) for m, p in zip(self.milestones_, self.points_, strict=True) if p > 0]
        chosen.sort(key=lambda item: (-item[1], item[0].event, item[0].at_least))
        return [
            {
                "id": f"{_slug(m.event)}_{m.at_least}",
                "event": m.event,
                "at_least": m.at_least,
                "within_days": window_days,
                "weight": p,
            }
            for m, p in chosen
        ]

    def dropped(self) -> list[dict[str, Any]]:
        """Milestones left out, with their coefficient."""
        return [
            {"event": m.event, "at_least": m.at_least, "coefficient": float(c)}
            for m, c, p in zip(self.milestones_, self.coef_, self.points_, strict=True)
            if p <= 0
        ]


def _slug(event: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", event.lower()).strip("_") or "event"


def choose_threshold(
    points: np.ndarray,
    eligible: np.ndarray,
    converted: np.ndarray,
    target_precision: float | None,
    target_rate: float | None,
    min_support: int = MIN_SUPPORT,
) -> int:
    """The score threshold: for a precision target, the smallest with precision >= target
    and at least `min_support` PQLs (most recall); for a rate target, the smallest whose PQL
    rate is <= the target. `eligible` is the gate (fit, active days)."""
    if (target_precision is None) == (target_rate is None):
        raise ValueError("give exactly one of a precision target or a PQL-rate target")
    best: tuple[float, int, int] | None = None
    for threshold in np.unique(points[points > 0]).astype(np.int64):
        flagged = eligible & (points >= threshold)
        count = int(flagged.sum())
        if target_rate is not None:
            if count / points.size <= target_rate + 1e-12:
                return int(threshold)
            continue
        if count < min_support:
            break
        precision = float(converted[flagged].mean())
        if precision >= float(target_precision or 0) - 1e-12:
            return int(threshold)
        if best is None or precision > best[0]:
            best = (precision, int(threshold), count)
    if target_rate is not None:
        raise ValueError(f"no score threshold gives a PQL rate <= {target_rate:.1%}")
    reach = f"; the best is {best[0]:.1%} at score >= {best[1]} ({best[2]} PQLs)" if best else ""
    raise ValueError(
        f"no threshold with at least {min_support} PQLs reaches precision "
        f"{target_precision:.1%} on the training cohorts{reach}"
    )


def points(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    train_until: datetime | None = None,
    target_precision: float | None = None,
    target_rate: float | None = None,
    write: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Fit the points score on earlier cohorts, pick the threshold there, report both periods
    (and the current rule on the later one) and the held-out verdict; with `write`, adopt it
    in pql.yaml when the verdict is a win or with `force` (else `not_written` says why)."""
    if target_precision is None and target_rate is None:
        target_precision = 0.3
    events = candidate_events(store, project, as_of)
    matrix, train_rows, split = split_population(
        store, project, as_of, window_days, events, train_until
    )
    converted = matrix.converted
    assert matrix.rule_pql is not None
    gated = gate(project, matrix)
    fitted = train_rows & gated
    model = PointsScore().fit(matrix.counts[fitted], converted[fitted], events)
    total = model.score(matrix.counts)
    threshold = choose_threshold(
        total[train_rows], gated[train_rows], converted[train_rows], target_precision, target_rate
    )
    predicted = gated & (total >= threshold)
    test_rows = ~train_rows
    definition = points_definition(project, model, window_days, threshold)
    result: dict[str, Any] = {
        "as_of": iso(as_of),
        "window_days": window_days,
        "train_until": iso(split),
        "target": {"precision": target_precision}
        if target_precision is not None
        else {"pql_rate": target_rate},
        "regression": {
            "penalty": "l1",
            "C": model.C_,
            "intercept": model.intercept_,
            "milestones": [
                {
                    "event": m.event,
                    "at_least": m.at_least,
                    "coefficient": float(c),
                    "points": int(p),
                }
                for m, c, p in zip(model.milestones_, model.coef_, model.points_, strict=True)
            ],
            "dropped": model.dropped(),
        },
        "threshold": threshold,
        "definition": definition,
        "train": score(predicted[train_rows], converted[train_rows]),
        "test": score(predicted[test_rows], converted[test_rows]),
        "current_rule_test": score(matrix.rule_pql[test_rows], converted[test_rows]),
        "gates": _gates(project),
        "verdict": verdict_on(matrix, predicted, test_rows),
    }
    if write and not (result["verdict"]["wins"] or force):
        result["not_written"] = result["verdict"]["sentence"]
    elif write:
        backup = adopt_suggestion(store, project, definition)
        result["previous_definition_file"] = str(backup)
    return result


def points_definition(
    project: Project, model: PointsScore, window_days: int, threshold: int
) -> dict[str, Any]:
    """The pql.yaml `definition:` block: weighted criteria, score threshold, current gates."""
    current = project.definition
    definition: dict[str, Any] = {
        "name": "points",
        "criteria": model.criteria(window_days),
        "qualify": {"score": threshold},
    }
    if current.min_active_days is not None:
        definition["min_active_days"] = current.min_active_days
    if current.fit.active:
        definition["fit"] = current.fit.model_dump(mode="json", exclude_defaults=True)
    return definition


def _gates(project: Project) -> list[str]:
    found = []
    if project.definition.min_active_days is not None:
        found.append(f"min_active_days: {project.definition.min_active_days} (in the window)")
    if project.definition.fit.active:
        found.append("fit: " + str(project.definition.fit.model_dump(exclude_defaults=True)))
    return found
